"""``python -m playground sweep-worker --study NAME``: join a study and run its trials until it has them all.

The study (made by ``sweep`` or the Sweeps page) holds its base config, search space, sampler,
pruner and trial count, so a worker on another machine needs only the name and PLAYGROUND_DB
pointing at the same database. Any number of workers together run exactly the study's trials.
"""
from __future__ import annotations

import argparse
import json
import sys


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "sweep-worker",
        help="join a sweep's study (PLAYGROUND_DB) and run trials until it has them all",
        description="Run trials of an existing study until all its trials are taken. Needs only the "
                    "study name and PLAYGROUND_DB (the store that holds the study).",
    )  # fmt: skip
    p.add_argument("--study", required=True, help="the study's name")
    p.add_argument("--json", action="store_true", help="print {study, trials_run} as JSON when done")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from playground.store import StoreUnavailable
    from playground.sweep.worker import work

    try:
        ran = work(args.study, quiet=args.json)
    except StoreUnavailable as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"study": args.study, "trials_run": ran}))
    else:
        print(f"ran {ran} trial{'s' if ran != 1 else ''} of study {args.study}", file=sys.stderr)
    return 0
