"""``python -m playground train``: one run from flags; a short summary, or one JSON object with ``--json``.

Every RunConfig field is a flag (``--field-name VALUE``), generated from ``config.FIELDS`` and parsed
with the same codecs as the URL, so the CLI, the page and links never drift apart. The run uses the
same engine as the page: ``prepare(cfg)`` then ``Trainer(cfg, splits, standard_callbacks(cfg)).fit()``.

    python -m playground train --dataset spiral --layers "100:relu" --optimizer adam --lr 0.001 \\
        --batch-size 0 --epochs 1000 --seed 0 --json
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import numpy as np

from playground.cli.flags import add_config_flags
from playground.cli.model_flags import add_model_flags, config_and_init, save_model, start_from
from playground.cli.regression_summary import format_regression, regression_keys
from playground.config import FIELDS, RunConfig, format_value, to_query
from playground.datasets import DatasetUnavailable, prepare

if TYPE_CHECKING:
    from playground.metrics import Metrics
    from playground.trainer import Trainer


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "train",
        help="train one network and print its metrics",
        description="Train one network. Flags mirror the page's settings; values use the URL syntax.",
    )
    add_config_flags(p)
    add_model_flags(p)
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.add_argument("--no-record", action="store_true", help="do not record the run in the run store (see `runs`)")
    p.add_argument("--progress", type=int, metavar="N",
                   help="a progress line on stderr every N epochs (default: 10 per run; none with --json)")  # fmt: skip
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # the engine (torch, ~1-2 s) loads here and not with the module, so `train --help` stays quick
    from playground.callbacks import standard_callbacks
    from playground.trainer import Trainer

    cfg, init = config_and_init(args)  # ConfigError, BadModelFile -> "error: ..." and exit 2 in cli.main
    try:
        splits = prepare(cfg)
    except DatasetUnavailable as err:  # a RuntimeError, so cli.main would not catch it
        print(f"error: {err}", file=sys.stderr)
        return 2
    callbacks = standard_callbacks(cfg)
    every = args.progress if args.progress is not None else (0 if args.json or args.quiet else max(1, cfg.epochs // 10))
    if every > 0 and not args.quiet:
        callbacks.append(Progress(every, cfg.epochs))
    recorder = None if args.no_record else _recorder()
    trainer = Trainer(cfg, splits, callbacks + ([recorder] if recorder is not None else []))
    start_from(trainer, init)  # --init-from: the file's weights (a shape mismatch exits 2)
    test = trainer.fit()
    save_model(args, trainer)  # --save FILE
    result = summarize(trainer, test)
    if recorder is not None:
        _report_recording(recorder, args.quiet)
    if args.json:
        print(json.dumps(_jsonable(result), allow_nan=False))
    else:
        print(format_summary(result))
    return 0


def _recorder():
    """A RunRecorder on the environment's store, or None (with a warning) when it cannot be opened: the run goes on."""
    from playground.store import RunRecorder, StoreUnavailable, open_store

    try:
        return RunRecorder(open_store(), source="cli")
    except StoreUnavailable as err:
        print(f"warning: {err}", file=sys.stderr)
        return None


def _report_recording(recorder, quiet: bool) -> None:
    """One stderr line: where the run was recorded (stdout and its JSON keys stay as they were), or why not."""
    recorder.store.close()
    if recorder.error is not None:
        print(f"warning: {recorder.error}", file=sys.stderr)
    elif not quiet:
        print(f"recorded as run {recorder.run_id} in {recorder.store.url}", file=sys.stderr)


def summarize(trainer: Trainer, test: Metrics) -> dict:
    """The run as plain data. train_/val_/test_ metrics are evaluated once, in eval mode, on the
    final weights (the restored best ones when early stopping restored them), whatever val_every is."""
    train, val = trainer.evaluate("train"), trainer.evaluate("val")
    n_train = len(trainer.splits.y_train)
    seconds = trainer.train_seconds
    cfg = trainer.cfg  # effective config (batch_size clamped to the training set, see notes)
    scores = regression_keys(train, val, test) if trainer.regression else {
        "train_loss": train.loss,
        "val_loss": val.loss,
        "test_loss": test.loss,
        "train_accuracy": train.accuracy,
        "val_accuracy": val.accuracy,
        "test_accuracy": test.accuracy,
        "balanced_accuracy": test.balanced_accuracy,
        "test_recall": test.recall,
        "confusion_matrix": test.confusion,
        "class_names": trainer.splits.dataset.class_names,
    }  # fmt: skip
    return {
        "config": config_dict(cfg),
        "query": urlencode(to_query(cfg)),
        "status": str(trainer.status),
        "message": trainer.message,
        "notes": [*trainer.notes, *trainer.splits.notes],
        "epochs_run": trainer.epoch,
        **scores,
        "seconds": seconds,
        "samples_per_second": trainer.epoch * n_train / seconds if seconds > 0 else float("nan"),
        "n_train": n_train,
        "n_val": len(trainer.splits.y_val),
        "n_test": len(trainer.splits.y_test),
        "n_params": trainer.n_params,
        "device": str(trainer.device),
    }


def config_dict(cfg: RunConfig) -> dict:
    """Native JSON values per field; ``layers`` in its ``--layers`` syntax."""
    return {name: format_value(name, cfg.layers) if name == "layers" else getattr(cfg, name) for name in FIELDS}


def _jsonable(value):
    """numpy -> lists and Python numbers; NaN / inf -> None (strict JSON)."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def format_summary(r: dict) -> str:
    c = r["config"]
    batch = "full batch" if c["batch_size"] == 0 or c["batch_size"] >= r["n_train"] else f"batch {c['batch_size']}"
    lines = [
        f"{c['dataset']}: layers {c['layers'] or '(none)'}, {c['optimizer']} lr {c['lr']:g}, {batch}, seed {c['seed']}",
        r["message"] or r["status"],
        *(format_regression(r) if "test_mae" in r else _format_classes(r)),
        f"{r['epochs_run']} epochs in {r['seconds']:.2f} s ({r['samples_per_second']:,.0f} samples/s), "
        f"{r['n_params']:,} parameters, {r['device']}",
        *(f"note: {n}" for n in r["notes"]),
    ]
    return "\n".join(lines)


def _format_classes(r: dict) -> list[str]:
    return [
        f"{'':6}{'loss':>9}{'accuracy':>10}",
        *(f"{s:6}{r[s + '_loss']:9.4f}{r[s + '_accuracy']:10.4f}" for s in ("train", "val", "test")),
        f"test balanced accuracy {r['balanced_accuracy']:.4f}",
        "test confusion (rows = true, columns = predicted):",
        *("  " + " ".join(f"{v:5d}" for v in row) for row in np.asarray(r["confusion_matrix"])),
    ]


class Progress:
    """A one-line progress report on stderr every ``every`` epochs (validation when the epoch had one).

    A ``trainer.Callback`` by its three methods; subclassing it would import torch with this module.
    """

    def __init__(self, every: int, epochs: int):
        self.every, self.epochs = every, epochs

    def on_train_begin(self, trainer) -> None: ...

    def on_train_end(self, trainer, logs: dict) -> None: ...

    def on_epoch_end(self, trainer, logs: dict) -> None:
        if logs["epoch"] % self.every == 0 or logs["epoch"] == self.epochs or trainer.stop_training:
            score = "mae" if "mae" in logs else "acc"  # a regression run's logs have mae, not accuracy
            key = "mae" if score == "mae" else "accuracy"
            val = f"  val_loss {logs['val_loss']:.4f}  val_{score} {logs['val_' + key]:.3f}" if "val_loss" in logs else ""
            print(
                f"epoch {logs['epoch']:>{len(str(self.epochs))}}/{self.epochs}  loss {logs['loss']:.4f}  "
                f"{score} {logs[key]:.3f}{val}",
                file=sys.stderr,
            )
