"""RunConfig: one frozen dataclass describes a run.

It maps 1:1 to the page widgets (widget key == field name), the CLI flags
(``--field-name``) and the URL query string (key == field name). Validation lives
here and only here; messages name the field, the value and the limit, scikit-learn style:
``hidden units == 0, must be >= 1``.

Each field's metadata is the one table about it: its help line, its group (data | network |
training: what a change to it restarts) and, for data fields, the datasets it changes.
``DATA_FIELDS``, ``SPLIT_FIELDS``, ``NETWORK_FIELDS`` and ``dataset_uses`` (``DatasetInfo.uses``)
are derived from it. This module imports no torch: the registry names come from ``names``.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field, fields
from typing import Any

from playground.architecture import count_params
from playground.names import (ACTIVATION_NAMES, DATASET_NAMES, INIT_NAMES, OPTIMIZER_NAMES, REGRESSION_DATASETS,
                              REGRESSION_LOSS_NAMES, REGRESSION_ONLY)

MAX_LAYERS = 16  # hidden layers
MAX_UNITS = 4096  # per hidden layer
MAX_PARAMS = 5_000_000  # keeps a click from allocating gigabytes on a student's laptop
MAX_EPOCHS = 100_000
MAX_PENALTY = 10.0  # weight_decay and l1 (useful values: 1e-5 to 0.1); 1e300 overflowed float32 in the optimizer
MAX_CLASS_WEIGHT = 1e6  # a custom class weight: a million to one is already extreme; 1e300 became inf in float32
MAX_SEED = 2**32 - 1  # scikit-learn's random_state range: train_test_split refuses a larger seed
# Points of a generated 2-D set: n_samples x classes (circles, xor: 2 x n_samples), so every n_samples the
# 2-class sets took before still fits. At the cap the default 2-100-3 net trains an epoch (60,000 rows,
# batch 32) in 0.4 s on the 2-core reference machine; spiral 50,000 x 10 (300,000 rows) took 2.3 s an
# epoch and its preview, which draws every point, 82 s in Chromium (100,000 points: 19 s).
MAX_POINTS = 100_000
# Per epoch, from the loaded data (check_against_data). The runner applies Pause and Stop between epochs,
# so one epoch is what a click may wait for: these keep it to seconds on the 2-core reference machine.
# Training rows x parameters: the arithmetic of an epoch. At the cap (MNIST 70k: 42,000 rows, 784-595-10)
# one epoch took 1.6-5.2 s with one torch thread (the machine shared, load 4-8); mnist's 5,000-digit
# subset with the largest network MAX_PARAMS allows (3,000 x 4.9M) and MNIST 70k with 784-512-10 fit.
MAX_ROW_PARAMS = 20_000_000_000
# Optimizer steps per epoch, ceil(rows / batch_size): each costs ~0.2-0.3 ms on a small net, whatever the
# batch. At the cap (60,000 rows, batch 6) an epoch took 2.4 s; batch 1 on 100,000 rows took 24 s.
MAX_EPOCH_STEPS = 10_000
# Training rows x hidden units: the floats a full-batch step holds per copy (activations, their gradients),
# and a whole-split evaluation. At the cap (60,000 rows x 833 units, full batch) the run peaked at 1.07 GB
# (0.44 GB at batch 32); MNIST 70k with 784-2048-512-10 at full batch (2.2x the cap) peaked at 2.0 GB.
MAX_ACTIVATIONS = 50_000_000
PIMA_MISSING = ("median", "drop_rows", "drop_columns")
SCALINGS = ("standard", "minmax", "none")
BINARY_LOSSES = ("bce", "softmax")
DEVICES = ("auto", "cpu", "cuda")
TASKS = ("auto", "classification", "regression")  # auto: the dataset's own task (regression only for REGRESSION_ONLY)
TARGET_SCALINGS = ("none", "minmax")


class ConfigError(ValueError):
    """A config value outside its limits; the message names field, value and limit."""


@dataclass(frozen=True)
class LayerSpec:
    units: int = 16  # width of this hidden layer
    activation: str = "relu"  # ACTIVATIONS key
    dropout: float = 0.0  # drop probability after the activation, in [0, 1)
    batchnorm: bool = False  # BatchNorm1d between Linear and activation
    frozen: bool = False  # weights (and BatchNorm's) kept as they are: not given to the optimizer (playground/freeze.py)

    def to_token(self) -> str:
        """``100:relu``, ``64:tanh:0.2:bn``, ``64:relu:frozen``: the ``--layers`` / URL syntax for one layer."""
        parts = [str(self.units), self.activation]
        if self.dropout or self.batchnorm:
            parts.append(f"{self.dropout:g}")
        if self.batchnorm:
            parts.append("bn")
        if self.frozen:
            parts.append(FROZEN)
        return ":".join(parts)


FROZEN = "frozen"  # a layer token's last part: ``64:relu:frozen``, ``64:relu::bn:frozen``


def parse_layers(text: str) -> tuple[LayerSpec, ...]:
    """Parse comma-separated ``UNITS[:ACTIVATION[:DROPOUT[:bn]]][:frozen]``; ``""`` or ``"0"`` means no hidden
    layer. An empty DROPOUT is 0 (``64:relu::bn:frozen``)."""
    if text.strip() in ("0", "none"):  # how people write "no hidden layer" in a link
        return ()
    specs = []
    for i, token in enumerate(t.strip() for t in text.split(",") if t.strip()):
        parts = token.split(":")
        frozen = len(parts) > 1 and parts[-1].strip().lower() == FROZEN
        parts = parts[:-1] if frozen else parts
        if len(parts) > 4:
            raise ConfigError(f"layer {i + 1} {token!r} has {len(parts)} parts, "
                              "must be UNITS[:ACTIVATION[:DROPOUT[:bn]]][:frozen]")
        try:
            units = int(parts[0])
        except ValueError:
            raise ConfigError(f"hidden units == {parts[0]!r} (layer {i + 1}), must be an integer >= 1") from None
        activation = parts[1] if len(parts) > 1 and parts[1] else "relu"
        try:
            dropout = float(parts[2]) if len(parts) > 2 and parts[2].strip() else 0.0
        except ValueError:
            raise ConfigError(f"dropout == {parts[2]!r} (layer {i + 1}), must be a number in [0, 1)") from None
        batchnorm = len(parts) > 3 and parts[3].lower() in ("bn", "batchnorm", "1", "true")
        specs.append(LayerSpec(units, activation, dropout, batchnorm, frozen))
    return tuple(specs)


def format_layers(layers: tuple[LayerSpec, ...]) -> str:
    return ",".join(layer.to_token() for layer in layers)


GROUPS = ("data", "network", "training")  # what a change restarts: the data, the network, or only the next run
TOY = ("spiral", "circles", "xor", "blobs", "plane", "gaussians")  # the generated 2-D sets
EVERY_DATASET = None  # the split fields' datasets: they change every dataset's rows
CROSS_FIELDS = ("x1_squared", "x2_squared", "x1_times_x2", "sin_x1", "sin_x2")  # bool fields: datasets/crosses.py


def _f(default: Any, help: str, group: str, datasets: tuple[str, ...] | None = ()) -> Any:
    """A config field: its one-line help (CLI ``--help`` and widget tooltips), its group, and for a
    data field the DATASETS keys whose points it changes (EVERY_DATASET for the split fields)."""
    return field(default=default, metadata={"help": help, "group": group, "datasets": datasets})


@dataclass(frozen=True)
class RunConfig:
    # --- data: a change reloads the data (and so needs a new run) ---
    dataset: str = _f("spiral", "DATASETS key", "data")
    task: str = _f("auto", "classification | regression | auto (the dataset's own: regression for plane and gaussians); "
                           "wine_quality does both", "data", ("wine_quality",))
    target_scaling: str = _f("none", "regression target: none | minmax (to [0, 1], fitted on train; metrics stay on the "
                                     "original scale)", "data", REGRESSION_DATASETS)
    n_samples: int = _f(1000, "points per class for generated 2-D sets (xor, plane, gaussians: 2*n_samples points)",
                        "data", TOY)
    classes: int = _f(3, "number of classes for spiral and blobs", "data", ("spiral", "blobs"))
    noise: float = _f(0.2, "noise of generated sets (spiral: std of the angle jitter)", "data", TOY)
    pima_missing: str = _f("median", "Pima zeros-as-missing: median | drop_rows | drop_columns", "data", ("pima",))
    val_split: float = _f(0.2, "fraction of rows held out for validation (curves, early stopping)",
                          "data", EVERY_DATASET)
    test_split: float = _f(0.2, "fraction of rows held out for the final test metrics", "data", EVERY_DATASET)
    scaling: str = _f("standard", "feature scaling fitted on train only: standard | minmax | none",
                      "data", EVERY_DATASET)
    # feature crosses (datasets/crosses.py): extra inputs computed from the scaled x1, x2; a set that is not 2-D ignores them
    x1_squared: bool = _f(False, "feature cross: x1² as an extra input (2-D sets)", "data", TOY)
    x2_squared: bool = _f(False, "feature cross: x2² as an extra input (2-D sets)", "data", TOY)
    x1_times_x2: bool = _f(False, "feature cross: x1·x2 as an extra input (2-D sets)", "data", TOY)
    sin_x1: bool = _f(False, "feature cross: sin x1 as an extra input (2-D sets)", "data", TOY)
    sin_x2: bool = _f(False, "feature cross: sin x2 as an extra input (2-D sets)", "data", TOY)
    # --- network: a change builds a new network ---
    layers: tuple[LayerSpec, ...] = _f((LayerSpec(100, "relu"),), "hidden layers UNITS[:ACT[:DROPOUT[:bn]]][:frozen],...; "
                                       "frozen: its weights stay as initialised or loaded (--init-from)",
                                       "network")
    init: str = _f("default", "weight init: default | xavier | kaiming | zeros", "network")
    binary_loss: str = _f("bce", "binary tasks: bce (1 sigmoid logit) | softmax (2-way cross-entropy)", "network")
    loss: str = _f("mse", "regression loss: mse | mae | huber (classification always uses cross-entropy)", "training")
    # --- training: applies to the next run (lr also live) ---
    optimizer: str = _f("adam", "OPTIMIZERS key", "training")
    lr: float = _f(0.01, "learning rate (step size)", "training")
    momentum: float = _f(0.9, "momentum / nesterov: velocity decay", "training")
    beta1: float = _f(0.9, "adam / adamw: decay of the gradient mean", "training")
    beta2: float = _f(0.999, "adam / adamw: decay of the squared-gradient mean", "training")
    rho: float = _f(0.9, "rmsprop / adadelta: decay of the squared-gradient average", "training")
    batch_size: int = _f(32, "mini-batch size; 0 means full batch", "training")
    epochs: int = _f(200, "passes over the training set", "training")
    val_every: int = _f(0, "validate every N epochs (and always the first and the last); 0 = auto: every epoch "
                           "unless validation is costly next to a training epoch", "training")
    weight_decay: float = _f(0.0, "L2 penalty (decoupled for adamw)", "training")
    l1: float = _f(0.0, "L1 penalty on weights, added to the loss", "training")
    patience: int = _f(0, "early stopping: epochs without val-loss improvement; 0 turns it off", "training")
    min_delta: float = _f(0.0, "early stopping: smallest val-loss drop that counts as improvement", "training")
    restore_best: bool = _f(True, "early stopping: restore the best weights when it stops", "training")
    class_weights: str = _f("none", "loss weights: none | balanced | comma list, one per class", "training")
    # seed is a data field (it draws the generated points and the splits) though it also seeds init and batches
    seed: int = _f(0, f"seeds data generation, splits, init and batch order; 0 to {MAX_SEED} (scikit-learn's range)",
                   "data", EVERY_DATASET)
    device: str = _f("auto", "auto (cuda when available) | cpu | cuda", "training")

    def __post_init__(self) -> None:
        validate(self)

    def replace(self, **changes: Any) -> "RunConfig":
        return dataclasses.replace(self, **changes)

    @property
    def regression(self) -> bool:
        """The resolved task: ``task``, or for ``auto`` the dataset's own (regression for REGRESSION_ONLY)."""
        return self.task == "regression" or (self.task == "auto" and self.dataset in REGRESSION_ONLY)

    @property
    def crosses(self) -> tuple[str, ...]:
        """The feature crosses turned on (field names, in CROSS_FIELDS order); () for a set they do not apply to."""
        return tuple(n for n in CROSS_FIELDS if getattr(self, n) and n in dataset_uses(self.dataset))

    @property
    def param_cap(self) -> int:
        return MAX_PARAMS

    def n_outputs(self, n_classes: int) -> int:
        """Output units: one linear unit for regression or a binary task with the BCE head, else one logit per class."""
        return 1 if self.regression or (n_classes == 2 and self.binary_loss == "bce") else n_classes

    def optimizer_kwargs(self) -> dict[str, float]:
        """``make_optimizer``'s keyword arguments besides the lr: weight decay and every knob."""
        return {"weight_decay": self.weight_decay, "momentum": self.momentum, "beta1": self.beta1,
                "beta2": self.beta2, "rho": self.rho}  # fmt: skip


# ---------------------------------------------------------------- validation


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


def _in_choices(name: str, value: str, choices) -> None:
    _check(value in choices, f"{name} == {value!r}, must be one of {list(choices)}")


def _finite(name: str, value: float) -> None:
    _check(isinstance(value, (int, float)) and math.isfinite(value), f"{name} == {value!r}, must be a finite number")


def validate(cfg: RunConfig) -> None:
    """Raise ConfigError on the first value outside its limits."""
    _in_choices("dataset", cfg.dataset, DATASET_NAMES)
    _validate_task(cfg)
    _check(10 <= cfg.n_samples <= 50_000, f"n_samples == {cfg.n_samples}, must be in [10, 50000]")
    _check(2 <= cfg.classes <= 10, f"classes == {cfg.classes}, must be in [2, 10]")
    if cfg.dataset in TOY:
        _check_points(cfg)
    _finite("noise", cfg.noise)
    _check(0 <= cfg.noise <= 5, f"noise == {cfg.noise}, must be in [0, 5]")
    _in_choices("pima_missing", cfg.pima_missing, PIMA_MISSING)
    for name in ("val_split", "test_split"):
        value = getattr(cfg, name)
        _finite(name, value)
        _check(0 < value < 1, f"{name} == {value}, must be in (0, 1)")
    total = cfg.val_split + cfg.test_split
    _check(total < 0.9, f"val_split + test_split == {total:g}, must be < 0.9 (leave rows to train on)")
    _in_choices("scaling", cfg.scaling, SCALINGS)
    _validate_layers(cfg.layers)
    _in_choices("init", cfg.init, INIT_NAMES)
    _in_choices("binary_loss", cfg.binary_loss, BINARY_LOSSES)
    _in_choices("optimizer", cfg.optimizer, OPTIMIZER_NAMES)
    _finite("lr", cfg.lr)
    _check(0 < cfg.lr <= 10, f"lr == {cfg.lr}, must be in (0, 10]")
    for name in ("momentum", "beta1", "beta2", "rho"):
        value = getattr(cfg, name)
        _finite(name, value)
        _check(0 <= value < 1, f"{name} == {value}, must be in [0, 1)")
    _check(cfg.batch_size >= 0, f"batch_size == {cfg.batch_size}, must be >= 0 (0 means full batch)")
    _check(1 <= cfg.epochs <= MAX_EPOCHS, f"epochs == {cfg.epochs}, must be in [1, {MAX_EPOCHS}]")
    _check(cfg.val_every >= 0, f"val_every == {cfg.val_every}, must be >= 0 (0 means auto)")
    _check(cfg.optimizer != "nesterov" or cfg.momentum > 0,
           f"momentum == {cfg.momentum}, must be > 0 for optimizer 'nesterov' (its look-ahead is along the velocity)")
    for name in ("weight_decay", "l1"):
        value = getattr(cfg, name)
        _finite(name, value)
        _check(0 <= value <= MAX_PENALTY, f"{name} == {value}, must be in [0, {MAX_PENALTY:g}]")
    _finite("min_delta", cfg.min_delta)
    _check(cfg.min_delta >= 0, f"min_delta == {cfg.min_delta}, must be >= 0")
    _check(cfg.patience >= 0, f"patience == {cfg.patience}, must be >= 0 (0 turns early stopping off)")
    _check(
        cfg.class_weights in ("none", "balanced") or _parse_weights(cfg.class_weights) is not None,
        f"class_weights == {cfg.class_weights!r}, must be 'none', 'balanced' or positive numbers <= {MAX_CLASS_WEIGHT:g} "
        f"like '1,2.5'",
    )
    _check(0 <= cfg.seed <= MAX_SEED, f"seed == {cfg.seed}, must be in [0, {MAX_SEED}]")
    _in_choices("device", cfg.device, DEVICES)


def _validate_task(cfg: RunConfig) -> None:
    """task, loss and target_scaling, and the task against the dataset (issue 13: regression)."""
    _in_choices("task", cfg.task, TASKS)
    _check(cfg.task != "regression" or cfg.dataset in REGRESSION_DATASETS,
           f"task == 'regression' for dataset {cfg.dataset!r}, must be one of {list(REGRESSION_DATASETS)}")
    _check(cfg.task != "classification" or cfg.dataset not in REGRESSION_ONLY,
           f"task == 'classification' for dataset {cfg.dataset!r}, must be 'regression' or 'auto' (it has no classes)")
    _in_choices("loss", cfg.loss, REGRESSION_LOSS_NAMES)
    _in_choices("target_scaling", cfg.target_scaling, TARGET_SCALINGS)
    _check(not cfg.regression or cfg.class_weights == "none",
           f"class_weights == {cfg.class_weights!r} for a regression task, must be 'none' (there are no classes)")


def _check_points(cfg: RunConfig) -> None:
    """A generated set's size: n_samples points per class (circles and xor have 2 classes whatever ``classes`` says)."""
    uses_classes = cfg.dataset in next(f for f in fields(cfg) if f.name == "classes").metadata["datasets"]
    classes, name = (cfg.classes, "classes") if uses_classes else (2, "2")
    points = cfg.n_samples * classes
    _check(points <= MAX_POINTS, f"n_samples x {name} == {cfg.n_samples} x {classes} = {points:,} points ({cfg.dataset}), "
                                 f"must be <= {MAX_POINTS:,}")


def _validate_layers(layers: tuple[LayerSpec, ...]) -> None:
    _check(len(layers) <= MAX_LAYERS, f"hidden layers == {len(layers)}, must be <= {MAX_LAYERS}")
    for i, layer in enumerate(layers, 1):
        _check(layer.units >= 1, f"hidden units == {layer.units} (layer {i}), must be >= 1")
        _check(layer.units <= MAX_UNITS, f"hidden units == {layer.units} (layer {i}), must be <= {MAX_UNITS}")
        _check(
            layer.activation in ACTIVATION_NAMES,
            f"activation == {layer.activation!r} (layer {i}), must be one of {list(ACTIVATION_NAMES)}",
        )
        _check(0 <= layer.dropout < 1, f"dropout == {layer.dropout} (layer {i}), must be in [0, 1)")


def _parse_weights(text: str) -> tuple[float, ...] | None:
    try:
        weights = tuple(float(w) for w in text.split(","))
    except ValueError:
        return None
    return weights if weights and all(0 < w <= MAX_CLASS_WEIGHT for w in weights) else None  # refuses nan and inf


def custom_class_weights(cfg: RunConfig) -> tuple[float, ...] | None:
    """The per-class weights of a custom ``class_weights`` list, else None."""
    return None if cfg.class_weights in ("none", "balanced") else _parse_weights(cfg.class_weights)


def check_against_data(cfg: RunConfig, n_features: int, n_classes: int, n_train: int) -> tuple[RunConfig, list[str]]:
    """Checks that need the loaded data. Returns the (possibly clamped) config and notes for the user.

    A batch larger than the training set is clamped, not refused; everything else raises.
    """
    notes = []
    params = count_params(n_features, cfg.layers, cfg.n_outputs(n_classes))
    _check(params <= MAX_PARAMS, f"parameter count == {params:,}, must be <= {MAX_PARAMS:,}; use fewer or narrower layers")
    work = n_train * params
    _check(work <= MAX_ROW_PARAMS, f"training rows x parameters == {n_train:,} x {params:,} = {work:,} per epoch, "
                                   f"must be <= {MAX_ROW_PARAMS:,}; use less data or a smaller network")
    units = sum(layer.units for layer in cfg.layers)
    cells = n_train * units
    _check(cells <= MAX_ACTIVATIONS, f"training rows x hidden units == {n_train:,} x {units:,} = {cells:,}, "
                                     f"must be <= {MAX_ACTIVATIONS:,}; use less data or narrower layers")
    rows_per_step = max(1, n_train if cfg.batch_size == 0 else min(cfg.batch_size, n_train))
    steps = math.ceil(n_train / rows_per_step)
    _check(steps <= MAX_EPOCH_STEPS, f"batch_size == {cfg.batch_size} makes {steps:,} steps per epoch over {n_train:,} "
                                     f"training rows, must make <= {MAX_EPOCH_STEPS:,} "
                                     f"(batch_size >= {math.ceil(n_train / MAX_EPOCH_STEPS)})")
    weights = custom_class_weights(cfg)
    _check(
        weights is None or len(weights) == n_classes,
        f"class_weights has {0 if weights is None else len(weights)} values, must have one per class ({n_classes})",
    )
    if cfg.batch_size > n_train:
        notes.append(f"batch_size == {cfg.batch_size} is larger than the training set ({n_train} rows); using {n_train} (full batch).")
        cfg = cfg.replace(batch_size=n_train)
    return cfg, notes


def check_split_sizes(cfg: RunConfig, n_rows: int, n_classes: int) -> None:
    """A stratified split needs a row of every class in each part; sizes rounded as train_test_split rounds them."""
    n_test = math.ceil(cfg.test_split * n_rows)
    n_val = math.ceil(cfg.val_split / (1 - cfg.test_split) * (n_rows - n_test))
    for name, rows in (("test_split", n_test), ("val_split", n_val)):
        _check(rows >= n_classes, f"{name} == {getattr(cfg, name):g} holds out {rows} of {n_rows:,} rows, must hold out "
                                  f"at least one per class ({n_classes}); use a larger {name}")
    n_train = n_rows - n_test - n_val
    _check(n_train >= n_classes, f"val_split + test_split == {cfg.val_split + cfg.test_split:g} leaves {n_train} of "
                                 f"{n_rows:,} rows to train on, must leave at least one per class ({n_classes})")


# ---------------------------------------------------------------- text codecs (URL and CLI)


def _parse_bool(text: str) -> bool:
    low = text.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{text!r} is not a boolean")


# type name -> (parse text, format value); one table drives URL and CLI, as in tensorflow/playground's state.ts
CODECS = {
    "int": (int, str),
    "float": (float, lambda v: f"{v:g}"),
    "str": (str, str),
    "bool": (_parse_bool, lambda v: "1" if v else "0"),
    "tuple[LayerSpec, ...]": (parse_layers, format_layers),
}
FIELDS = {f.name: f for f in fields(RunConfig)}
DEFAULT = RunConfig()


def parse_value(name: str, text: str) -> Any:
    parse, _ = CODECS[FIELDS[name].type]
    try:
        return parse(text)
    except ConfigError:
        raise
    except (TypeError, ValueError):
        kind = {"int": "an integer", "float": "a number", "bool": "0 or 1", "str": "text"}.get(FIELDS[name].type, "a valid value")
        raise ConfigError(f"{name} == {text!r}, must be {kind}") from None


def format_value(name: str, value: Any) -> str:
    return CODECS[FIELDS[name].type][1](value)


def to_query(cfg: RunConfig) -> dict[str, str]:
    """Fields that differ from the defaults, as URL query parameters (short links)."""
    return {n: format_value(n, getattr(cfg, n)) for n in FIELDS if getattr(cfg, n) != getattr(DEFAULT, n)}


def from_query(params: dict[str, str]) -> tuple[RunConfig, list[str]]:
    """Build a config from query parameters; unknown keys are ignored and bad values keep the default.

    Returns the config and one warning per rejected parameter.
    """
    cfg, warnings = DEFAULT, []
    # in field order, not the link's: dataset is set before task (task=regression needs a regression dataset)
    for name, text in sorted(params.items(), key=lambda kv: list(FIELDS).index(kv[0]) if kv[0] in FIELDS else -1):
        if name not in FIELDS:
            continue
        if isinstance(text, list):  # st.query_params.to_dict() keeps the last value; plain dicts may hold lists
            text = text[-1]
        try:
            cfg = cfg.replace(**{name: parse_value(name, text)})
        except ConfigError as err:
            warnings.append(f"URL parameter {name}={text!r} ignored ({err}); using {format_value(name, getattr(cfg, name))!r}.")
    return cfg, warnings


# ---------------------------------------------------------------- field groups (from the fields' metadata)


def _group(group: str) -> tuple[str, ...]:
    return tuple(name for name, f in FIELDS.items() if f.metadata["group"] == group)


DATA_FIELDS = _group("data")  # dataset, its own fields, splits, scaling, seed: a change reloads the data
NETWORK_FIELDS = _group("network")  # layers, init, output head: a change builds a new network
TRAINING_FIELDS = _group("training")  # the rest: the next run reads them (lr also changes live)
SPLIT_FIELDS = tuple(n for n in DATA_FIELDS if FIELDS[n].metadata["datasets"] is EVERY_DATASET)  # splits, scaling, seed


def dataset_uses(dataset: str) -> tuple[str, ...]:
    """The fields that change ``dataset``'s points besides the split fields (``DatasetInfo.uses``), in field order."""
    return tuple(name for name in DATA_FIELDS if dataset in (FIELDS[name].metadata["datasets"] or ()))
