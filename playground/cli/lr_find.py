"""``python -m playground lr-find``: the learning-rate range test on a fresh model, from the same flags as ``train``.

Same engine as the page's button: ``Trainer(cfg, prepare(cfg))`` builds the model and data, and
``lr_finder.lr_range_test`` runs the test on a copy of it (no training happens first).

    python -m playground lr-find --dataset spiral --optimizer adam --json
"""
from __future__ import annotations

import argparse
import json
import math
import sys

import torch

from playground.cli.flags import add_config_flags, config_from_args
from playground.datasets import DatasetUnavailable, prepare
from playground.device import threads_for
from playground.lr_finder import END_LR, NUM_STEPS, START_LR, LRFinderResult, check_range, lr_range_test
from playground.trainer import Trainer


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "lr-find",
        help="learning-rate range test: suggest a learning rate for a network",
        description="Increase the lr exponentially over one short pass on a copy of a fresh model and suggest "
        "the lr of steepest loss descent. Flags mirror the page's settings, as for train.",
    )
    add_config_flags(p)
    p.add_argument("--start-lr", type=float, default=START_LR, help=f"first learning rate (default: {START_LR:g})")
    p.add_argument("--end-lr", type=float, default=END_LR, help=f"last learning rate (default: {END_LR:g})")
    p.add_argument("--num-steps", type=int, default=NUM_STEPS, help=f"mini-batches in the test (default: {NUM_STEPS})")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    cfg = config_from_args(args)  # ConfigError -> "error: ..." and exit 2 in cli.main
    check_range(args.start_lr, args.end_lr, args.num_steps)  # LRFinderError, a ValueError: the same, before any data
    try:
        splits = prepare(cfg)
    except DatasetUnavailable as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    trainer = Trainer(cfg, splits)
    torch.set_num_threads(threads_for(trainer.n_params))  # as the trainer does when it begins
    result = lr_range_test(trainer, start_lr=args.start_lr, end_lr=args.end_lr, num_steps=args.num_steps)
    report = summarize(cfg, result)
    print(json.dumps(report, allow_nan=False) if args.json else format_report(report))
    return 0


def _number(x) -> float | None:
    """Strict JSON: a diverged loss (inf / NaN) becomes null."""
    return float(x) if x is not None and math.isfinite(x) else None


def summarize(cfg, result: LRFinderResult) -> dict:
    return {
        "suggested_lr": _number(result.suggested_lr),  # None when the loss never fell
        "lr_range": [result.start_lr, result.end_lr],
        "num_steps": result.num_steps,
        "steps_run": len(result.lrs),
        "stopped_early": result.stopped_early,
        "message": result.message,
        "optimizer": cfg.optimizer,
        "curve": [{"lr": float(lr), "loss": _number(loss), "smoothed": _number(s)}
                  for lr, loss, s in zip(result.lrs, result.losses, result.smoothed)],  # fmt: skip
    }


def format_report(r: dict) -> str:
    lr = "none (the loss did not fall)" if r["suggested_lr"] is None else f"{r['suggested_lr']:.3g}"
    lines = [f"{r['optimizer']}: lr {r['lr_range'][0]:g} -> {r['lr_range'][1]:g} over {r['steps_run']} steps; "
             f"{r['message']}", f"suggested lr: {lr}", f"{'lr':>10} {'smoothed loss':>14}"]  # fmt: skip
    every = max(1, len(r["curve"]) // 20)
    lines += [f"{p['lr']:10.3g} {p['smoothed'] if p['smoothed'] is not None else math.nan:14.4f}" for p in r["curve"][::every]]
    return "\n".join(lines)
