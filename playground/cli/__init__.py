"""``python -m playground <command>``: each command lives in its own module here.

A command module exposes ``add_parser(subparsers)`` (registers its flags and sets
``func``) and is listed in ``COMMANDS``. Only the named command's module is imported, so
``python -m playground train --help`` loads no other command's engine (nor torch).
"""
from __future__ import annotations

import argparse
import importlib
import sys

from playground.datasets.files import DatasetUnavailable

COMMANDS = ("train", "race", "lr_find", "runs", "sweep", "sweep_worker", "lesson")


def _wanted(argv: list[str]) -> tuple[str, ...]:
    """The command modules to import: the one ``argv`` starts with, else all (top-level help, a typo)."""
    name = argv[0].replace("-", "_") if argv else ""
    return (name,) if name in COMMANDS else COMMANDS


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m playground", description="Neural Network Playground engine")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in _wanted(sys.argv[1:] if argv is None else argv):
        try:
            module = importlib.import_module(f"playground.cli.{name}")
        except ModuleNotFoundError as err:  # a command still being written
            if err.name != f"playground.cli.{name}":
                raise
            continue
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser(argv).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, DatasetUnavailable) as err:  # bad config/flags, missing data: one line, no traceback
        print(f"error: {err}", file=sys.stderr)
        return 2
