"""``python -m playground sweep``: many runs of one base config, chosen by Optuna, in parallel processes.

    python -m playground sweep --dataset spiral --epochs 100 --param lr=1e-4:1:log \\
        --param batch_size=16,32,128 --trials 30 --sampler tpe --pruner median --jobs 2 --study NAME --json

The train flags set the base config; each ``--param field=spec`` (see playground/sweep/space.py)
varies one field. The space is checked before anything runs. The study lives in the run store's
database (PLAYGROUND_DB), so ``sweep-worker --study NAME`` on other machines can join it, and every
trial is a run in the store (source "sweep"). Prints the best config (as flags and as a URL query),
its metrics and one row per trial; with ``--json`` one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

from playground.cli.flags import add_config_flags, config_from_args
from playground.sweep import PRUNERS, SAMPLERS, SweepRunner, SweepSettings, create_sweep, parse_space, summarize

POLL = 0.5  # s between progress reads


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "sweep",
        help="search hyperparameters with Optuna; every trial is a stored run",
        description="Sweep RunConfig fields with Optuna. Train flags set the base config; --param varies a field.",
    )
    add_config_flags(p)
    p.add_argument("--param", action="append", default=[], metavar="FIELD=SPEC",
                   help="a field to vary: lr=1e-4:1:log (range, log scale), epochs=10:50 (int range), "
                        "batch_size=16,32,128 or layers=16:relu|64:relu,64:relu (choices); repeatable")  # fmt: skip
    p.add_argument("--trials", type=int, default=20, help="trials in the study, over all workers (default: 20)")
    p.add_argument("--sampler", choices=SAMPLERS, default="tpe", help="Optuna sampler (default: tpe)")
    p.add_argument("--pruner", choices=PRUNERS, default="none", help="prune on per-epoch val_loss (default: none)")
    p.add_argument("--jobs", type=int, default=None, help=f"worker processes (default: one per core, {os.cpu_count()})")
    p.add_argument("--sampler-seed", type=int, default=0, help="seeds the sampler (the train --seed seeds each run)")
    p.add_argument("--study", default=None, help="study name (default: sweep-YYYYmmdd-HHMMSS); must be new")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from playground.store import StoreUnavailable

    base = config_from_args(args)  # ConfigError -> "error: ..." and exit 2 in cli.main
    if args.jobs is not None and args.jobs < 1:
        raise ValueError(f"--jobs == {args.jobs}, must be >= 1")
    space = parse_space(args.param, base)  # a bad space stops here, before any study or process exists
    trials = args.trials
    if args.sampler == "grid" and trials > space.grid_size():
        print(f"note: the grid has {space.grid_size()} points; running {space.grid_size()} trials, not {trials}", file=sys.stderr)
        trials = space.grid_size()
    name = args.study or time.strftime("sweep-%Y%m%d-%H%M%S")
    settings = SweepSettings(name, base, space, trials, args.sampler, args.pruner, args.sampler_seed)
    try:
        create_sweep(settings)
        runner = SweepRunner(name, jobs=args.jobs)
    except StoreUnavailable as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    runner.start()
    try:
        watch(runner, quiet=args.quiet or args.json)
    except KeyboardInterrupt:
        print("stopping: running trials end at their next epoch; finished ones are kept", file=sys.stderr)
        runner.stop()
    finally:
        runner.close()
    failed_workers = [c for c in runner.exit_codes if c not in (0, None)]
    summary = summarize(name)
    summary["jobs"] = runner.jobs
    if args.json:
        print(json.dumps(summary, allow_nan=False))
    else:
        print(format_summary(summary))
    if failed_workers:
        print(f"error: {len(failed_workers)} worker process(es) failed (exit codes {failed_workers})", file=sys.stderr)
        return 1
    return 0


def watch(runner: SweepRunner, quiet: bool) -> None:
    """Poll until the workers are done; a progress line on stderr whenever a trial ends."""
    last = -1
    while True:
        p = runner.progress()
        if p.done != last and not quiet:
            best = "-" if p.best_value is None else f"{p.best_value:.4f} (trial {p.best_trial})"
            eta = "" if p.eta is None or p.done >= p.total else f", ETA {p.eta:.0f} s"
            print(f"{p.done}/{p.total} trials ({p.complete} complete, {p.pruned} pruned, {p.failed} failed), "
                  f"best val_loss {best}, {p.elapsed:.0f} s{eta}", file=sys.stderr)  # fmt: skip
            last = p.done
        if p.finished:
            return
        runner.join(POLL)


def format_summary(s: dict) -> str:
    lines = [f"study {s['study']}: {len(s['trials'])} of {s['trials_total']} trials, {s['sampler']} sampler, "
             f"{s['pruner']} pruner; space {' '.join(s['space'])}"]  # fmt: skip
    best = s["best"]
    if best is None:
        lines.append("no trial completed")
    else:
        m = best["metrics"] or {}
        acc = lambda k: "-" if m.get(k) is None else f"{m[k]:.4f}"  # noqa: E731
        lines += [f"best: trial {best['number']}, val_loss {best['value']:.4f}, val accuracy {acc('val_accuracy')}, "
                  f"test accuracy {acc('test_accuracy')}, run {best['run_id']}",
                  f"  flags: {best['flags']}", f"  query: ?{best['query']}"]  # fmt: skip
    names = sorted({k for t in s["trials"] for k in t["params"]})
    cells = [[_short(t["params"].get(n)) for n in names] for t in s["trials"]]
    widths = [max([len(n), *(len(row[i]) for row in cells)]) for i, n in enumerate(names)]
    header = f"{'#':>4} {'state':9} {'val_loss':>9} {'run':12}  " + "  ".join(n.ljust(w) for n, w in zip(names, widths))
    lines += ["", header.rstrip()]
    for t, row in zip(s["trials"], cells):
        value = "-" if t["value"] is None else f"{t['value']:.4f}"
        params = "  ".join(c.ljust(w) for c, w in zip(row, widths))
        lines.append(f"{t['number']:>4} {t['state']:9} {value:>9} {t['run_id'] or '-':12}  {params}".rstrip())
    return "\n".join(lines)


def _short(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
