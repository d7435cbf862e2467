"""``python -m playground race``: the optimizer race from the command line, same engine as the page.

    python -m playground race --surface rosenbrock --optimizers sgd,momentum,adam \\
        --lr sgd=0.001,adam=0.05 --steps 500 --start -1.5,2 --json

Per-optimizer flags (--lr, --momentum, --beta1, --beta2, --rho, --weight-decay) take either one
number for every optimizer or ``NAME=NUMBER`` pairs; a bare number among pairs covers the rest.
Optimizers without an --lr get the surface's comparable learning rate (playground.race.COMPARABLE_LR).
"""
from __future__ import annotations

import argparse
import json
import re

from playground.optim import DEFAULT_KNOBS, OPTIMIZERS
from playground.race import OptimizerSettings, RaceResult, comparable_settings, run_race, summary
from playground.surfaces import SURFACES, get_surface

PER_OPTIMIZER = ("lr", "weight_decay", *DEFAULT_KNOBS)  # flags that take NUMBER or NAME=NUMBER,...


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("race", help="race optimizers on a 2-D loss surface",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    # "--start -1.5,2": argparse takes "-1.5,2" for an unknown option unless it looks like a number.
    parser._negative_number_matcher = re.compile(r"^-\.?\d[\d.eE+\-,]*$")
    parser.add_argument("--surface", default="rosenbrock", help=f"one of {', '.join(SURFACES)}")
    parser.add_argument("--optimizers", default="sgd,momentum,adam", help=f"comma list from {', '.join(OPTIMIZERS)}")
    parser.add_argument("--steps", type=int, default=500, help="optimizer steps per optimizer")
    parser.add_argument("--start", default=None, help="X,Y start point (default: the surface's)")
    parser.add_argument("--condition", type=float, default=None, help="bowl only: curvature ratio of its two axes")
    for name in PER_OPTIMIZER:
        parser.add_argument(f"--{name.replace('_', '-')}", default=None, metavar="NUM|NAME=NUM,...",
                            help=f"{name}: one value for all, or per optimizer")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.set_defaults(func=run)
    return parser


def parse_names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    for n in names:
        if n not in OPTIMIZERS:
            raise ValueError(f"--optimizers entry {n!r}, must be one of {list(OPTIMIZERS)}")
    if not names:
        raise ValueError(f"--optimizers == {text!r}, must name at least one optimizer")
    return list(dict.fromkeys(names))  # keep order, drop repeats


def parse_per_optimizer(flag: str, text: str | None, names: list[str], readers: list[str] | None = None) -> dict[str, float]:
    """``"0.01"`` -> every name; ``"sgd=0.001,adam=0.05"`` -> those; a bare number covers the rest.

    ``readers`` are the names that use this setting (default: all); a bare number skips the others,
    and naming one of the others is an error.
    """
    readers = names if readers is None else readers
    if text is None:
        return {}
    values, default = {}, None
    for entry in (e.strip() for e in text.split(",") if e.strip()):
        name, _, number = entry.rpartition("=")
        try:
            value = float(number)
        except ValueError:
            raise ValueError(f"--{flag} entry {entry!r}, must be NUMBER or NAME=NUMBER") from None
        if not name:
            default = value
        elif name not in names:
            raise ValueError(f"--{flag} entry {entry!r} names {name!r}, which is not in --optimizers {names}")
        elif name not in readers:
            raise ValueError(f"--{flag} entry {entry!r}: {name} does not use {flag} (of --optimizers, only {readers} do)")
        else:
            values[name] = value
    return values if default is None else {n: values.get(n, default) for n in readers}


def parse_start(text: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise ValueError(f"--start == {text!r}, must be X,Y (two numbers)") from None
    return x, y


def build(args: argparse.Namespace):
    """Flags -> (surface, settings, start, steps), raising ValueError on the first bad flag."""
    if args.condition is not None and args.surface != "bowl":
        raise ValueError(f"--condition == {args.condition:g} applies only to --surface bowl, not {args.surface!r}")
    params = {} if args.condition is None else {"condition": args.condition}
    surface = get_surface(args.surface, **params)
    names = parse_names(args.optimizers)
    settings = comparable_settings(surface, names)
    flags = {f: parse_per_optimizer(f.replace("_", "-"), getattr(args, f), names, _readers(f, names))
             for f in PER_OPTIMIZER}
    for n in names:
        s = settings[n]
        knobs = {k: flags[k][n] for k in DEFAULT_KNOBS if n in flags[k]}
        settings[n] = OptimizerSettings(flags["lr"].get(n, s.lr), {**s.knobs, **knobs}, flags["weight_decay"].get(n, s.weight_decay))
    start = surface.start if args.start is None else parse_start(args.start)
    return surface, settings, start, args.steps


def _readers(flag: str, names: list[str]) -> list[str]:
    """The optimizers in ``names`` that use ``flag`` (lr and weight decay: all of them)."""
    return [n for n in names if flag not in DEFAULT_KNOBS or flag in OPTIMIZERS[n].knobs]


def table(result: RaceResult) -> str:
    params = "".join(f" {k}={v:g}" for k, v in result.surface.params.items())
    head = f"surface {result.surface.name}{params}, start {result.start}, {result.steps} steps"
    rows = [f"{'optimizer':<10}{'lr':>10}{'final x':>12}{'final y':>12}{'final loss':>13}{'path length':>13}  diverged"]
    for name, t in result.tracks.items():
        diverged = "-" if t.diverged_at is None else f"at step {t.diverged_at}"
        x, y = t.final_point
        rows.append(f"{name:<10}{result.settings[name].lr:>10.4g}{x:>12.4g}{y:>12.4g}{t.final_loss:>13.4g}"
                    f"{t.path_length:>13.4g}  {diverged}")
    return "\n".join([head, *rows])


def run(args: argparse.Namespace) -> int:
    result = run_race(*build(args))
    print(json.dumps(summary(result), allow_nan=False) if args.json else table(result))
    return 0
