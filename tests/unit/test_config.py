"""RunConfig validation messages, data-dependent checks, layer syntax and the URL codecs."""
import re

import pytest

from playground.config import (
    DEFAULT, FIELDS, MAX_ACTIVATIONS, MAX_EPOCH_STEPS, MAX_PARAMS, MAX_POINTS, MAX_ROW_PARAMS, MAX_SEED, ConfigError,
    LayerSpec, RunConfig, check_against_data, format_layers, from_query, parse_layers, parse_value, to_query,
)  # fmt: skip


def error_of(**changes) -> str:
    with pytest.raises(ConfigError) as info:
        RunConfig(**changes)
    return str(info.value)


def test_default_config_is_valid_and_frozen():
    cfg = RunConfig()
    with pytest.raises(Exception):
        cfg.lr = 1.0  # type: ignore[misc]
    assert cfg.replace(lr=0.5).lr == 0.5 and cfg.lr == 0.01


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"layers": (LayerSpec(0),)}, "hidden units == 0 (layer 1), must be >= 1"),
        ({"layers": (LayerSpec(8), LayerSpec(-3))}, "hidden units == -3 (layer 2), must be >= 1"),
        ({"layers": (LayerSpec(5000),)}, "hidden units == 5000 (layer 1), must be <= 4096"),
        ({"layers": (LayerSpec(4, "swish"),)}, "activation == 'swish' (layer 1), must be one of ['relu'"),
        ({"layers": (LayerSpec(4, dropout=1.0),)}, "dropout == 1.0 (layer 1), must be in [0, 1)"),
        ({"layers": (LayerSpec(4),) * 17}, "hidden layers == 17, must be <= 16"),
        ({"lr": 0}, "lr == 0, must be in (0, 10]"),
        ({"lr": -0.1}, "lr == -0.1, must be in (0, 10]"),
        ({"lr": float("nan")}, "lr == nan, must be a finite number"),
        ({"val_split": 0.5, "test_split": 0.45}, "val_split + test_split == 0.95, must be < 0.9"),
        ({"val_split": 0.0}, "val_split == 0.0, must be in (0, 1)"),
        ({"dataset": "iris"}, "dataset == 'iris', must be one of ['spiral'"),
        ({"optimizer": "lbfgs"}, "optimizer == 'lbfgs', must be one of"),
        ({"batch_size": -1}, "batch_size == -1, must be >= 0 (0 means full batch)"),
        ({"epochs": 0}, "epochs == 0, must be in [1, 100000]"),
        ({"val_every": -1}, "val_every == -1, must be >= 0 (0 means auto)"),
        ({"momentum": 1.0}, "momentum == 1.0, must be in [0, 1)"),
        ({"n_samples": 5}, "n_samples == 5, must be in [10, 50000]"),
        ({"classes": 1}, "classes == 1, must be in [2, 10]"),
        ({"class_weights": "1,-2"}, "class_weights == '1,-2', must be 'none', 'balanced' or positive numbers"),
        ({"patience": -1}, "patience == -1, must be >= 0"),
        ({"seed": -1}, "seed == -1, must be in [0, 4294967295]"),
        ({"seed": 2**32}, "seed == 4294967296, must be in [0, 4294967295]"),  # sklearn's random_state refuses it
        ({"n_samples": 50_000, "classes": 10}, "n_samples x classes == 50000 x 10 = 500,000 points (spiral), must be <= 100,000"),
        ({"dataset": "blobs", "n_samples": 20_000, "classes": 6}, "n_samples x classes == 20000 x 6 = 120,000 points (blobs)"),
        ({"optimizer": "nesterov", "momentum": 0.0}, "momentum == 0.0, must be > 0 for optimizer 'nesterov'"),
        ({"weight_decay": 1e300}, "weight_decay == 1e+300, must be in [0, 10]"),  # overflowed float32 in the optimizer
        ({"l1": float("inf")}, "l1 == inf, must be a finite number"),
        ({"l1": 11.0}, "l1 == 11.0, must be in [0, 10]"),
        ({"class_weights": "1,1e300,1"}, "class_weights == '1,1e300,1', must be 'none', 'balanced' or positive numbers <= 1e+06"),
        ({"min_delta": float("inf")}, "min_delta == inf, must be a finite number"),
    ],
)
def test_validation_messages_name_field_value_and_limit(changes, message):
    assert error_of(**changes).startswith(message)


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)  # cli.main turns ValueError into "error: ..." and exit 2


def test_batch_larger_than_train_is_clamped_with_a_note():
    cfg, notes = check_against_data(RunConfig(batch_size=500), n_features=2, n_classes=3, n_train=120)
    assert cfg.batch_size == 120
    assert len(notes) == 1 and "batch_size == 500" in notes[0] and "120" in notes[0]
    same, notes = check_against_data(RunConfig(batch_size=0), 2, 3, 120)
    assert same.batch_size == 0 and notes == []  # full batch stays 0


def test_parameter_cap():
    wide = RunConfig(layers=parse_layers("2048,2048"))  # 784*2048 + 2048*2048 + ... = 5.8M
    with pytest.raises(ConfigError, match=rf"parameter count == [\d,]+, must be <= {MAX_PARAMS:,}"):
        check_against_data(wide, n_features=784, n_classes=10, n_train=1000)
    check_against_data(wide, n_features=2, n_classes=3, n_train=1000)  # 2*2048 + 2048*2048 + ... = 4.2M fits


def test_limits_keep_what_worked_and_was_reasonable():
    assert RunConfig(seed=MAX_SEED).seed == 2**32 - 1
    for dataset in ("xor", "circles"):  # 2 x n_samples points: every n_samples they took before still fits
        assert RunConfig(dataset=dataset, n_samples=50_000).n_samples == 50_000
    assert RunConfig(n_samples=MAX_POINTS // 10, classes=10).classes == 10
    assert RunConfig(dataset="wine", n_samples=50_000, classes=10).dataset == "wine"  # a real set ignores both
    check_against_data(RunConfig(dataset="mnist_full"), 784, 10, 42_000)  # MNIST 70k's default network
    check_against_data(RunConfig(dataset="mnist_full", layers=parse_layers("512"), batch_size=128), 784, 10, 42_000)
    check_against_data(RunConfig(dataset="mnist", layers=parse_layers("4096,400"), batch_size=1), 784, 10, 3_000)


@pytest.mark.parametrize(
    "cfg, shape, message",
    [
        (RunConfig(dataset="mnist_full", layers=parse_layers("1024")), (784, 10, 42_000),
         f"training rows x parameters == 42,000 x 814,090 = 34,191,780,000 per epoch, must be <= {MAX_ROW_PARAMS:,}"),
        (RunConfig(dataset="xor", layers=parse_layers("1000"), batch_size=0), (2, 2, 60_000),
         f"training rows x hidden units == 60,000 x 1,000 = 60,000,000, must be <= {MAX_ACTIVATIONS:,}"),
        (RunConfig(dataset="xor", batch_size=4), (2, 2, 60_000),
         f"batch_size == 4 makes 15,000 steps per epoch over 60,000 training rows, must make <= {MAX_EPOCH_STEPS:,} "
         "(batch_size >= 6)"),
        (RunConfig(dataset="mnist_full", batch_size=1), (784, 10, 42_000), "batch_size == 1 makes 42,000 steps per epoch"),
    ],
)
def test_per_epoch_caps_need_the_data_and_name_the_limit(cfg, shape, message):
    with pytest.raises(ConfigError) as info:
        check_against_data(cfg, *shape)
    assert str(info.value).startswith(message)


def test_custom_class_weights_need_one_per_class():
    with pytest.raises(ConfigError, match=r"class_weights has 2 values, must have one per class \(3\)"):
        check_against_data(RunConfig(class_weights="1,2"), 2, 3, 100)
    check_against_data(RunConfig(class_weights="1,2,3"), 2, 3, 100)


# ---------------------------------------------------------------- --layers / URL syntax


def test_parse_layers_syntax():
    assert parse_layers("") == ()
    assert parse_layers("100:relu") == (LayerSpec(100, "relu"),)
    assert parse_layers("8") == (LayerSpec(8, "relu"),)  # activation defaults to relu
    assert parse_layers(" 64:tanh:0.2:bn , 32:gelu:0.1, 16::0") == (
        LayerSpec(64, "tanh", 0.2, True), LayerSpec(32, "gelu", 0.1, False), LayerSpec(16, "relu", 0.0, False),
    )  # fmt: skip
    with pytest.raises(ConfigError, match=re.escape("hidden units == 'ten' (layer 2), must be an integer >= 1")):
        parse_layers("8,ten")
    with pytest.raises(ConfigError, match=re.escape("dropout == 'x' (layer 1), must be a number in [0, 1)")):
        parse_layers("8:relu:x")
    with pytest.raises(ConfigError, match="has 5 parts"):
        parse_layers("8:relu:0.1:bn:extra")


def test_layer_tokens_round_trip():
    layers = (LayerSpec(100, "relu"), LayerSpec(64, "tanh", 0.2, True), LayerSpec(3, "linear", 0.5))
    assert format_layers(layers) == "100:relu,64:tanh:0.2:bn,3:linear:0.5"
    assert parse_layers(format_layers(layers)) == layers


def _non_default_config() -> RunConfig:
    return RunConfig(
        dataset="wine", task="classification", target_scaling="minmax", loss="huber", n_samples=123, classes=4, noise=0.35, pima_missing="drop_rows", val_split=0.15,
        test_split=0.25, scaling="minmax", layers=parse_layers("64:tanh:0.2:bn,8:elu"), init="xavier",
        binary_loss="softmax", optimizer="rmsprop", lr=0.0003, momentum=0.5, beta1=0.8, beta2=0.99, rho=0.95,
        batch_size=0, epochs=77, val_every=5, weight_decay=1e-4, l1=2e-5, patience=9, min_delta=0.001, restore_best=False,
        class_weights="1,2.5,1", seed=42, device="cpu",
        x1_squared=True, x2_squared=True, x1_times_x2=True, sin_x1=True, sin_x2=True,  # wine ignores them, the URL keeps them
    )  # fmt: skip


def test_url_round_trip_covers_every_field():
    cfg = _non_default_config()
    query = to_query(cfg)
    assert set(query) == set(FIELDS)  # the helper really changes every field
    assert all(isinstance(v, str) for v in query.values())
    back, warnings = from_query(query)
    assert back == cfg and warnings == []


def test_val_every_round_trips_through_the_url_and_defaults_to_auto():
    assert DEFAULT.val_every == 0 and "val_every" not in to_query(DEFAULT)
    cfg, warnings = from_query({"val_every": "8"})
    assert cfg.val_every == 8 and to_query(cfg) == {"val_every": "8"} and warnings == []
    cfg, warnings = from_query({"val_every": "-2"})
    assert cfg.val_every == 0 and "val_every == -2, must be >= 0" in warnings[0]


def test_url_keeps_only_changed_fields():
    assert to_query(DEFAULT) == {}
    assert to_query(RunConfig(lr=0.1, layers=parse_layers("4:relu,4:relu"))) == {"lr": "0.1", "layers": "4:relu,4:relu"}


@pytest.mark.parametrize("key, text", [("lr", "fast"), ("lr", "-1"), ("epochs", "1e3x"), ("layers", "8:swish"),
                                       ("restore_best", "maybe"), ("optimizer", "lbfgs")])  # fmt: skip
def test_malformed_url_parameter_keeps_the_default_and_warns(key, text):
    cfg, warnings = from_query({key: text, "seed": "7"})
    assert getattr(cfg, key) == getattr(DEFAULT, key)
    assert cfg.seed == 7  # the good parameter still applies
    assert len(warnings) == 1 and warnings[0].startswith(f"URL parameter {key}={text!r} ignored")


def test_url_values_past_the_limits_keep_the_default_and_name_the_limit():
    cfg, warnings = from_query({"seed": "4294967296"})
    assert cfg == DEFAULT and warnings == [
        "URL parameter seed='4294967296' ignored (seed == 4294967296, must be in [0, 4294967295]); using '0'."]
    cfg, warnings = from_query({"dataset": "spiral", "n_samples": "50000", "classes": "10"})
    assert cfg.n_samples * cfg.classes <= MAX_POINTS  # n_samples goes first: 50000 x 3 is over, then classes 10 fits
    assert cfg.n_samples == DEFAULT.n_samples and cfg.classes == 10
    assert len(warnings) == 1 and "n_samples x classes == 50000 x 3 = 150,000 points" in warnings[0]


def test_unknown_url_keys_are_ignored_and_lists_take_the_last_value():
    cfg, warnings = from_query({"utm_source": "mail", "lr": ["0.1", "0.2"]})
    assert cfg == DEFAULT.replace(lr=0.2) and warnings == []


def test_parse_value_uses_the_field_type():
    assert parse_value("restore_best", "0") is False and parse_value("restore_best", "yes") is True
    assert parse_value("epochs", "12") == 12 and parse_value("lr", "1e-3") == 0.001
    with pytest.raises(ConfigError, match="epochs == 'many', must be an integer"):
        parse_value("epochs", "many")


# ---------------------------------------------------------------- field groups and registry names (one table)


def test_every_field_has_a_group_and_the_groups_partition_the_fields():
    from playground.config import DATA_FIELDS, GROUPS, NETWORK_FIELDS, TRAINING_FIELDS

    assert all(f.metadata["group"] in GROUPS for f in FIELDS.values())
    assert sorted((*DATA_FIELDS, *NETWORK_FIELDS, *TRAINING_FIELDS)) == sorted(FIELDS)
    assert NETWORK_FIELDS == ("layers", "init", "binary_loss")
    assert DATA_FIELDS == ("dataset", "task", "target_scaling", "n_samples", "classes", "noise", "pima_missing", "val_split", "test_split",
                           "scaling", "x1_squared", "x2_squared", "x1_times_x2", "sin_x1", "sin_x2", "seed")  # fmt: skip


def test_dataset_uses_come_from_the_field_metadata():
    from playground.datasets import DATASETS

    crosses = ("x1_squared", "x2_squared", "x1_times_x2", "sin_x1", "sin_x2")  # the 2-D sets' feature crosses
    assert DATASETS["spiral"].uses == ("n_samples", "classes", "noise", *crosses)
    assert DATASETS["circles"].uses == DATASETS["xor"].uses == ("n_samples", "noise", *crosses)
    assert DATASETS["pima"].uses == ("pima_missing",)
    assert DATASETS["wine"].uses == DATASETS["mnist"].uses == ()


def test_every_data_field_is_the_dataset_a_dataset_field_or_a_split_field():
    from playground.config import DATA_FIELDS, SPLIT_FIELDS, dataset_uses
    from playground.names import DATASET_NAMES

    used = {name for ds in DATASET_NAMES for name in dataset_uses(ds)}
    assert set(SPLIT_FIELDS) == {"val_split", "test_split", "scaling", "seed"}
    assert set(DATA_FIELDS) == {"dataset"} | used | set(SPLIT_FIELDS) and not used & set(SPLIT_FIELDS)
    for name in used:  # the datasets a field names exist
        assert set(FIELDS[name].metadata["datasets"]) <= set(DATASET_NAMES), name
    assert all(not FIELDS[n].metadata["datasets"] for n in FIELDS if n not in DATA_FIELDS or n == "dataset")


def test_registry_names_equal_the_registries_keys_in_order():
    from playground.datasets import DATASETS
    from playground.model import ACTIVATIONS, INITS
    from playground.names import ACTIVATION_NAMES, DATASET_NAMES, INIT_NAMES, OPTIMIZER_NAMES
    from playground.optim import OPTIMIZERS

    assert tuple(ACTIVATIONS) == ACTIVATION_NAMES and tuple(INITS) == INIT_NAMES
    assert tuple(OPTIMIZERS) == OPTIMIZER_NAMES and tuple(DATASETS) == DATASET_NAMES


def test_default_knobs_are_the_config_defaults():
    from playground.optim import DEFAULT_KNOBS, OPTIMIZERS

    assert DEFAULT_KNOBS == {k: FIELDS[k].default for k in ("momentum", "beta1", "beta2", "rho")}
    assert {k for spec in OPTIMIZERS.values() for k in spec.knobs} == set(DEFAULT_KNOBS)


def test_layers_0_in_a_link_means_no_hidden_layer():
    cfg, warnings = from_query({"layers": "0"})
    assert cfg.layers == () and warnings == []
    assert parse_layers("none") == () and parse_layers("") == ()
