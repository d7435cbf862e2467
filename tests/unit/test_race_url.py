"""The race page's URL codec (playground/ui/race_url.py): short readable links that round-trip, bad values that warn."""
from urllib.parse import urlencode

import pytest

from playground.config import FIELDS
from playground.optim import OPTIMIZERS
from playground.race import PRESETS, comparable_settings
from playground.surfaces import SURFACES, get_surface
from playground.ui import race_controls as ui
from playground.ui import race_url
from playground.ui.race_url import defaults, from_query, to_query

DEFAULT_CONFIG, _ = from_query({})


def config_on(surface: str, **changes) -> dict:
    """The page's default race on ``surface`` (what choosing it shows), with top-level ``changes``."""
    config, warnings = from_query({"surface": surface})
    assert not warnings
    return {**config, **changes}


def every_key() -> set[str]:
    """Every key the race owns, per the table: the setup keys and each optimizer's own settings."""
    return set(race_url.SETUP) | {f"{n}.{s}" for n in OPTIMIZERS for s in race_url.PER_OPTIMIZER if race_url.owns(f"{n}.{s}")}


def test_defaults_give_an_empty_query():
    assert DEFAULT_CONFIG["surface"] == ui.DEFAULT_SURFACE
    assert list(DEFAULT_CONFIG["settings"]) == ui.DEFAULT_OPTIMIZERS
    assert DEFAULT_CONFIG["steps"] == ui.DEFAULT_STEPS
    assert DEFAULT_CONFIG["start"] == SURFACES[ui.DEFAULT_SURFACE].start
    assert to_query(DEFAULT_CONFIG) == {}


@pytest.mark.parametrize("surface", list(SURFACES))
def test_a_surfaces_own_defaults_need_only_its_name(surface):
    """Start point and comparable rates follow the surface, as on the page: ?surface=beale is Beale's default race."""
    config = config_on(surface)
    assert config["start"] == SURFACES[surface].start
    rates = comparable_settings(get_surface(surface), ui.DEFAULT_OPTIMIZERS)
    assert {n: s["lr"] for n, s in config["settings"].items()} == {n: s.lr for n, s in rates.items()}
    assert to_query(config) == ({} if surface == ui.DEFAULT_SURFACE else {"surface": surface})


def test_the_bowls_condition_rescales_the_default_rates():
    config, warnings = from_query({"surface": "bowl", "condition": "100"})
    assert not warnings and config["params"] == {"condition": 100.0}
    expected = comparable_settings(get_surface("bowl", condition=100.0), ui.DEFAULT_OPTIMIZERS)
    assert {n: s["lr"] for n, s in config["settings"].items()} == {n: s.lr for n, s in expected.items()}
    assert to_query(config) == {"surface": "bowl", "condition": "100"}  # the rescaled rates are its defaults


@pytest.mark.parametrize("preset", list(PRESETS))
def test_each_preset_round_trips(preset):
    config = ui.preset_config(preset)
    query = to_query(config)
    assert from_query(query) == (config, [])
    assert "%" not in urlencode(query)  # readable as Streamlit writes it: no percent-escapes


def test_a_full_setup_round_trips_and_reads_as_documented():
    config = config_on("beale", start=(-1.5, 2.0), steps=500)
    config["settings"] = {
        "adamw": {"lr": 0.02, "knobs": {"beta1": 0.8, "beta2": 0.99}, "weight_decay": 0.1},
        "momentum": {"lr": 0.0005, "knobs": {"momentum": 0.95}, "weight_decay": 0.0},
        "rmsprop": {"lr": 1e-05, "knobs": {"rho": 0.5}, "weight_decay": 0.0},
    }
    query = to_query(config)
    assert query == {"x": "-1.5", "y": "2", "surface": "beale", "steps": "500", "opt": "adamw momentum rmsprop",
                     "adamw.lr": "0.02", "adamw.beta1": "0.8", "adamw.beta2": "0.99", "adamw.wd": "0.1",
                     "momentum.lr": "0.0005", "momentum.momentum": "0.95", "rmsprop.lr": "1e-05", "rmsprop.rho": "0.5"}
    assert from_query(query) == (config, [])
    assert urlencode({"opt": query["opt"]}) == "opt=adamw+momentum+rmsprop"


def test_a_hand_written_link_with_commas():
    config, warnings = from_query({"surface": "beale", "opt": "sgd,adam", "sgd.lr": "0.001", "adam.lr": "0.02",
                                   "steps": "500", "x": "-1.5", "y": "2"})
    assert not warnings
    assert config == {"surface": "beale", "params": {}, "start": (-1.5, 2.0), "steps": 500, "settings": {
        "sgd": {"lr": 0.001, "knobs": {}, "weight_decay": 0.0},
        "adam": {"lr": 0.02, "knobs": {"beta1": 0.9, "beta2": 0.999}, "weight_decay": 0.0}}}


def test_optimizers_keep_their_order_once_each():
    config, _ = from_query({"opt": "adam sgd,adam  momentum"})
    assert list(config["settings"]) == ["adam", "sgd", "momentum"]
    assert list(from_query({"opt": ""})[0]["settings"]) == []  # what the page shows as "name at least one"


def test_the_last_of_a_repeated_parameter_counts():
    config, _ = from_query({"steps": ["100", "200"]})
    assert config["steps"] == 200


def test_unknown_keys_are_ignored():
    query = {"foo": "1", "lr": "3", "dataset": "xor", "epochs": "abc",  # not race keys (the last three are the Playground's)
             "adam.momentum": "0.5", "sgd.wd": "0.1", "nadam.lr": "0.1", "adam.": "1", ".lr": "1"}
    assert from_query(query) == (DEFAULT_CONFIG, [])
    assert not any(race_url.owns(k) for k in query)


def test_no_race_key_is_a_playground_key():
    """st.query_params is one per session: distinct keys keep one page's link from reading or deleting the other's."""
    assert every_key().isdisjoint(FIELDS)
    assert {"surface", "condition", "x", "y", "steps", "opt", "sgd.lr", "adam.beta2", "adamw.wd"} <= every_key()


BAD = [  # key, text, why (in the warning), the default that stays
    ("surface", "bowly", "must be one of bowl, rosenbrock, beale, himmelblau, saddle, rastrigin", "rosenbrock"),
    ("x", "9", "x == 9, must be in [-2, 2] on rosenbrock", "-1.5"),
    ("y", "nan", "must be a finite number", "2"),
    ("y", "two", "must be a number", "2"),
    ("steps", "12.5", "must be an integer", "300"),
    ("steps", "5000", "steps == 5000, must be in [10, 2000]", "300"),
    ("opt", "sgd adma", "'adma' not among sgd, momentum", "sgd momentum adam"),
    ("sgd.lr", "0", "sgd.lr == 0, must be > 0", "0.001"),
    ("momentum.momentum", "1", "must be in [0, 0.999]", "0.9"),
    ("adam.beta1", "-0.1", "must be in [0, 0.999]", "0.9"),
]


@pytest.mark.parametrize(("key", "text", "why", "default"), BAD)
def test_a_bad_value_keeps_the_default_and_warns_naming_parameter_value_and_why(key, text, why, default):
    config, warnings = from_query({key: text})
    assert config == DEFAULT_CONFIG
    assert len(warnings) == 1
    assert warnings[0].startswith(f"URL parameter {key}={text!r} ignored (")
    assert why in warnings[0]
    assert warnings[0].endswith(f"; using {default!r}.")


def test_limits_follow_the_surface_and_the_other_parameters_still_apply():
    config, warnings = from_query({"surface": "beale", "x": "-4.4", "y": "-5", "adamw.wd": "-1", "opt": "adamw"})
    assert config["start"] == (-4.4, SURFACES["beale"].start[1])  # Beale's window is [-4.5, 4.5]
    assert config["settings"]["adamw"]["weight_decay"] == 0.01  # torch's AdamW default stays
    assert [w.split(" ignored")[0] for w in warnings] == ["URL parameter y='-5'", "URL parameter adamw.wd='-1'"]
    assert "must be >= 0" in warnings[1]


def test_settings_of_an_optimizer_not_in_the_race_are_named_and_ignored():
    config, warnings = from_query({"opt": "sgd", "adam.lr": "0.5"})
    assert list(config["settings"]) == ["sgd"]
    assert warnings == ["URL parameter adam.lr='0.5' ignored (adam is not among the optimizers opt='sgd')."]


def test_condition_off_the_bowl_is_ignored_and_not_written():
    config, warnings = from_query({"surface": "saddle", "condition": "100"})
    assert not warnings and config["params"] == {}
    assert to_query(config) == {"surface": "saddle"}


def test_defaults_cover_every_key_of_their_surface():
    assert set(defaults("bowl")) == every_key()
    assert set(defaults("rosenbrock")) == every_key() - {"condition"}


def test_nesterov_without_momentum_keeps_the_default_with_a_warning():
    config, warnings = from_query({"opt": "sgd nesterov", "nesterov.momentum": "0"})
    assert len(warnings) == 1 and "nesterov.momentum='0' ignored" in warnings[0] and "for nesterov" in warnings[0]
    assert config == from_query({"opt": "sgd nesterov"})[0]  # the default momentum stays
    assert from_query({"opt": "momentum", "momentum.momentum": "0"})[1] == []  # plain momentum may be 0
