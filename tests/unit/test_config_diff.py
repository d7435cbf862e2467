"""differing_fields / describe: what tells runs apart, counting a dataset's own field only where it is used."""
from playground.config import RunConfig, parse_layers
from playground.config_diff import UNUSED, describe, differing_fields, effective_value

BASE = RunConfig()


def test_one_run_or_equal_runs_differ_in_nothing():
    assert differing_fields([BASE]) == () and differing_fields([BASE, BASE.replace()]) == ()


def test_changed_fields_are_listed_in_config_order():
    other = BASE.replace(optimizer="sgd", lr=0.1, layers=parse_layers("8:tanh"))
    assert differing_fields([BASE, other]) == ("layers", "optimizer", "lr")


def test_a_field_the_dataset_ignores_is_not_a_difference():
    a, b = BASE.replace(dataset="circles", classes=3), BASE.replace(dataset="circles", classes=5)
    assert effective_value(a, "classes") == UNUSED and differing_fields([a, b]) == ()
    assert differing_fields([BASE.replace(classes=3), BASE.replace(classes=5)]) == ("classes",)


def test_describe_names_values_and_folds_the_rest():
    cfg = BASE.replace(optimizer="sgd", lr=0.5)
    assert describe(cfg, ("optimizer",)) == "optimizer=sgd"
    assert describe(cfg, ("optimizer", "lr", "seed", "epochs"), limit=2) == "optimizer=sgd, lr=0.5, …"
