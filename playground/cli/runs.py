"""``python -m playground runs``: the stored runs (see playground/store), newest first.

    python -m playground runs --json     {"store": URL, "runs": [{"id", "label", "status", "query",
                                          "created", "metrics": {"test_accuracy", ...}, ...}]}

With a store that cannot be used (bad PLAYGROUND_DB, server down, corrupted file...) it prints the
store's plain message and exits with code 2. Imports no torch.
"""
from __future__ import annotations

import argparse
import json
import sys


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "runs",
        help="list the stored runs",
        description="List the runs recorded in the run store (PLAYGROUND_DB, else $PLAYGROUND_HOME/runs.db).",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--session", metavar="ID", help="only the runs of this app session")
    p.add_argument("--limit", type=int, metavar="N", help="at most N runs, the newest")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from playground.store import StoreUnavailable, open_store

    if args.limit is not None and args.limit < 1:
        raise ValueError(f"--limit == {args.limit}, must be >= 1")
    try:
        with open_store() as store:
            runs = store.list_runs(session=args.session, limit=args.limit)
    except StoreUnavailable as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"store": store.url, "runs": [r.as_json() for r in runs]}, allow_nan=False))
    else:
        print(format_table(store.url, runs))
    return 0


def format_table(url: str, runs) -> str:
    def pct(scores) -> str:
        return f"{scores.accuracy:8.3f}" if scores is not None else f"{'-':>8}"

    lines = [f"{len(runs)} run{'s' if len(runs) != 1 else ''} in {url}"]
    if runs:
        lines.append(f"{'id':12}  {'created (UTC)':16}  {'status':13}{'epochs':>7}{'val acc':>8}{'test acc':>9}  label")
    for r in runs:
        lines.append(f"{r.id:12}  {r.created:%Y-%m-%d %H:%M}  {r.status:13}{r.epochs:7d}{pct(r.val)}{pct(r.test)} {' '}{r.label}")
    return "\n".join(lines)
