"""``python -m playground lesson``: run one lesson headless and say whether its claim held.

    python -m playground lesson --list
    python -m playground lesson overfitting --seed 3 --json

Exit status: 0 when the claim held, 1 when it did not, 2 on bad input (an unknown lesson, missing data).
"""
from __future__ import annotations

import argparse
import json

from playground.cli.train import _jsonable
from playground.lessons import LESSONS


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("lesson", help="run a lesson's setups headless and check its claim",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("name", nargs="?", help="lesson id (see --list)")
    p.add_argument("--list", action="store_true", help="list the lessons: id, group, title")
    p.add_argument("--seed", type=int, default=0, help="replaces every setup's seed (default: 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.list:
        width = max(len(i) for i in LESSONS)
        print("\n".join(f"{i:<{width}}  {lesson.group:<14}  {lesson.title}" for i, lesson in LESSONS.items()))
        return 0
    if args.name not in LESSONS:
        raise ValueError(f"lesson == {args.name!r}, must be one of {list(LESSONS)} (see --list)")
    if args.seed < 0:
        raise ValueError(f"seed == {args.seed}, must be >= 0")
    from playground.lessons.run import run_lesson  # the engine (torch) loads here, so --list stays quick

    result = run_lesson(args.name, args.seed)
    report = summarize(result)
    print(json.dumps(_jsonable(report), allow_nan=False) if args.json else format_report(report))
    return 0 if result.held else 1


def summarize(result) -> dict:
    lesson = LESSONS[result.lesson_id]
    race = result.measured.race
    if race is not None:
        from playground.race import summary

        race = summary(race)
    return {
        "lesson": lesson.id, "title": lesson.title, "seed": result.seed, "claim": lesson.claim,
        "held": result.held, "sentence": result.sentence, "seconds": result.seconds,
        "runs": [_run(r) for r in result.runs], "race": race,
    }  # fmt: skip


def _run(r) -> dict:
    if hasattr(r.test, "mae"):  # a regression run: its MAE and the mean predictor's, no accuracy keys
        from playground.cli.regression_summary import regression_keys

        scores = regression_keys(r.train, r.val, r.test)
    else:
        scores = {f"{split}_{k}": getattr(getattr(r, split), k) for split in ("train", "val", "test")
                  for k in ("loss", "accuracy")}  # fmt: skip
        scores.update(balanced_accuracy=r.test.balanced_accuracy, test_recall=r.test.recall)
    return {
        "label": r.label, "query": r.query, "status": r.status, "message": r.message, "epochs_run": r.epochs_run,
        **scores,
        "seconds": r.seconds, "restored_epoch": r.restored_epoch, "lr_changed_at": r.lr_changed_at,
        "suggested_lr": r.lr_finder.suggested_lr if r.lr_finder is not None else None,
    }  # fmt: skip


def format_report(r: dict) -> str:
    lines = [f"{r['title']} (seed {r['seed']})"]
    for run in r["runs"]:
        score = "mae" if "test_mae" in run else "accuracy"
        lines.append(f"  {run['label']}: {run['status']} after {run['epochs_run']} epochs; {score.upper() if score == 'mae' else score} "
                     f"train {run['train_' + score]:.3f} val {run['val_' + score]:.3f} test {run['test_' + score]:.3f}; "
                     f"?{run['query']}")  # fmt: skip
    lines += [f"{'claim held' if r['held'] else 'claim did NOT hold'}: {r['sentence']}", f"claim: {r['claim']}"]
    return "\n".join(lines)
