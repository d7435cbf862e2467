"""Sweep throughput: trials/minute at --jobs 1 and --jobs 2 for one fixed small sweep.

    python benchmarks/bench_sweep.py [--trials 20] [--jobs 1,2] [--reps 3] [--url SQLALCHEMY_URL]

The sweep: 20 trials of TPE on the spiral (1,000 points per class, one hidden layer of 32 ReLUs,
batch 64, 30 epochs), lr and optimizer varied, no pruning, in a fresh SQLite store. "wall" counts
everything from start() to the last worker's exit (spawning the workers and their imports
included); "steady" counts from the first finished trial to the last, the pace once warmed up.
Repetitions alternate the job counts (1, 2, 1, 2, ...) and the table gives medians with the range:
this shared VM's speed changes 2-3x from one minute to the next. ``--url`` runs the studies (and records the trials) in that database instead, e.g. a PostgreSQL server.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground.config import LayerSpec, RunConfig  # noqa: E402
from playground.sweep import SweepRunner, SweepSettings, create_sweep, parse_space  # noqa: E402

BASE = RunConfig(dataset="spiral", n_samples=1000, layers=(LayerSpec(32, "relu"),), batch_size=64, epochs=30, seed=0)
SPACE = ["lr=1e-3:0.1:log", "optimizer=sgd,momentum,adam"]


def measure(jobs: int, trials: int, url: str | None = None) -> dict:
    url = url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-sweep-')}/runs.db"
    name = f"bench-{jobs}-{time.strftime('%Y%m%d-%H%M%S')}"
    create_sweep(SweepSettings(name, BASE, parse_space(SPACE, BASE), trials, "tpe", "none", 0), url)
    runner = SweepRunner(name, url, jobs=jobs)
    t0 = time.monotonic()
    runner.start()
    first = None
    while not (p := runner.progress()).finished:
        if first is None and p.done >= 1:
            first = (time.monotonic(), p.done)
        runner.join(0.2)
    wall = time.monotonic() - t0
    runner.close()
    p = runner.progress()
    steady = (p.done - first[1]) / ((time.monotonic() - first[0]) / 60) if first and p.done > first[1] else float("nan")
    return {"jobs": jobs, "trials": p.done, "wall_s": wall, "per_min_wall": p.done / (wall / 60), "per_min_steady": steady}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--jobs", default="1,2")
    ap.add_argument("--reps", type=int, default=3, help="repetitions per job count, interleaved")
    ap.add_argument("--url", default=None, help="a database for the studies (default: a fresh SQLite file each)")
    args = ap.parse_args()
    print(f"store: {args.url.split('@')[-1] if args.url else 'a fresh SQLite file'}")
    print(f"{args.trials} trials, spiral {BASE.n_samples}/class, 32:relu, batch 64, {BASE.epochs} epochs; {os.cpu_count()} cores")
    print(f"{'jobs':>4} {'reps':>4} {'wall s':>7} {'trials/min (wall)':>24} {'trials/min (steady)':>24}")
    jobs_list = [int(j) for j in args.jobs.split(",")]
    results = {j: [] for j in jobs_list}
    for _ in range(args.reps):
        for jobs in jobs_list:
            results[jobs].append(measure(jobs, args.trials, args.url))
    for jobs, rs in results.items():
        print(f"{jobs:>4} {len(rs):>4} {_med(rs, 'wall_s'):>7.1f} {_spread(rs, 'per_min_wall'):>24} {_spread(rs, 'per_min_steady'):>24}")


def _med(rs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rs)


def _spread(rs: list[dict], key: str) -> str:
    values = [r[key] for r in rs]
    return f"{statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f})"

if __name__ == "__main__":
    main()
