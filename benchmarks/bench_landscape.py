"""Cost of the loss landscape and the diagnostics, for the spiral default and an MNIST-subset net.

    python benchmarks/bench_landscape.py [--quick] [--reps N]

Per case (RunConfig() and dataset="mnist", layers 512:relu):

* grid time: the 25x25 trajectory plane (PCA included) and the 25x25 filter-normalised 2-D surface
  (plus the 51-point 1-D slice), run to the end in this thread on a model trained a few epochs, with
  no training going on: the job's pure compute time, median of the repetitions;
* training slowdown: a real Runner (its own thread, as on the page) trains; epochs per second are
  measured without a job, then while a 25x25 2-D surface job runs (submitted repeatedly). The ratio
  is rate without / rate during; the longest single chunk is the worst pause between two epochs;
* diagnostics overhead: the direct cost of GradientFlow's probe and of one TrajectoryRecorder
  snapshot, as a share of a training epoch (whole-run A/B timings drown it in noise).

Everything runs with one intra-op thread, as the app trains (playground/runner.py,
IntraOpThreads: two OpenMP threads fighting the Streamlit server for 2 cores are far slower).
Prints markdown tables. Absolute times depend on the machine and on what else runs on it.
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PLAYGROUND_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "data"))

from playground.callbacks import standard_callbacks  # noqa: E402
from playground.config import RunConfig, parse_layers  # noqa: E402
from playground.datasets import Splits, prepare  # noqa: E402
from playground.diagnostics import GradientFlow, TrajectoryRecorder, diagnostic_callbacks  # noqa: E402
from playground.landscape import random_directions_job, trajectory_plane_job  # noqa: E402
from playground.runner import Runner  # noqa: E402
from playground.stream import IntraOpThreads  # noqa: E402
from playground.trainer import Trainer  # noqa: E402

GRID = 25


@dataclass(frozen=True)
class Case:
    name: str
    cfg: RunConfig
    warm_epochs: int  # trained before the grids: a trajectory to take a plane from
    window: float  # seconds per rate measurement in the slowdown test


CASES = [
    Case("spiral default (RunConfig())", RunConfig(), warm_epochs=20, window=2.0),
    Case("mnist-5k 784-512-10 relu", RunConfig(dataset="mnist", layers=parse_layers("512:relu")), warm_epochs=3, window=5.0),
]


def drain(job, trainer) -> tuple[object, float]:
    """Run a job to the end here; (result, seconds)."""
    t0 = time.perf_counter()
    update = None
    for update in job(trainer):
        pass
    return update.result, time.perf_counter() - t0


def timed(job, chunks: list[float]):
    """The same job, recording how long each chunk (one ``next()``) takes."""

    def wrapped(trainer):
        gen = job(trainer)
        while True:
            t0 = time.perf_counter()
            try:
                update = next(gen)
            except StopIteration:
                return
            chunks.append(time.perf_counter() - t0)
            yield update

    return wrapped


# ---------------------------------------------------------------- grid times


def grid_times(cfg: RunConfig, splits: Splits, warm_epochs: int, reps: int) -> dict:
    cfg = cfg.replace(epochs=warm_epochs)
    trainer = Trainer(cfg, splits, [*standard_callbacks(cfg), *diagnostic_callbacks(cfg), IntraOpThreads(1)])
    trainer.fit()
    jobs = {
        "plane": lambda: trajectory_plane_job(GRID),
        "surface": lambda: random_directions_job(2, GRID),
        "slice": lambda: random_directions_job(1, 51),
    }
    times = {name: [drain(make(), trainer)[1] for _ in range(reps)] for name, make in jobs.items()}
    rows = drain(jobs["plane"](), trainer)[0].rows
    return {"n_params": trainer.n_params, "rows": rows, **{k: statistics.median(v) for k, v in times.items()}}


# ---------------------------------------------------------------- slowdown


def _rate(runner: Runner, seconds: float) -> float:
    """Epochs per second over the next ``seconds``."""
    e0, t0 = runner.snapshot().epoch, time.monotonic()
    time.sleep(seconds)
    return (runner.snapshot().epoch - e0) / (time.monotonic() - t0)


def slowdown(cfg: RunConfig, splits: Splits, window: float, jobs: int) -> dict:
    runner = Runner(publish_every=0.1, threads=1)
    runner.start(cfg.replace(epochs=100_000), splits)
    try:
        while runner.snapshot().epoch < 3:
            time.sleep(0.05)
        base = _rate(runner, window)
        chunks: list[float] = []
        epochs, seconds = 0, 0.0
        for i in range(jobs):
            e0, t0 = runner.snapshot().epoch, time.monotonic()
            runner.submit(f"surface{i}", timed(random_directions_job(2, GRID, seed=i), chunks))
            while runner.snapshot().jobs[f"surface{i}"].running:
                time.sleep(0.01)
            epochs, seconds = epochs + runner.snapshot().epoch - e0, seconds + time.monotonic() - t0
        during = epochs / seconds
        after = _rate(runner, window)
    finally:
        runner.stop()
    return {"base": base, "during": during, "after": after, "ratio": (base + after) / 2 / during,
            "job_wall": seconds / jobs, "max_chunk": max(chunks), "median_chunk": statistics.median(chunks)}  # fmt: skip


# ---------------------------------------------------------------- diagnostics overhead


def _median_s(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def diagnostics_cost(cfg: RunConfig, splits: Splits, reps: int) -> dict:
    """Direct cost of the two diagnostics against one training epoch (medians of repeated timings).

    An A/B of whole runs drowns a few percent in the noise of a shared 2-core machine; the parts
    do not: GradientFlow's probe runs once per publish (at most every 0.1 s), TrajectoryRecorder
    copies the weights PER_EPOCH times per epoch at first (fewer as its stride doubles).
    """
    flow, recorder = GradientFlow(), TrajectoryRecorder()
    trainer = Trainer(cfg.replace(epochs=10), splits, [flow, recorder, IntraOpThreads(1)])
    trainer.train_epoch()  # begins: probe batch, hook, one epoch of warm-up
    snapshots = math.ceil(len(splits.y_train) / trainer.batch_size) / recorder.every  # before timing adds any
    epoch = _median_s(trainer._run_epoch, reps)
    probe = _median_s(lambda: flow._compute(0), reps * 3)
    record = _median_s(recorder._record, reps * 3)
    publishes = min(1.0, epoch / 0.1)  # per epoch: the runner publishes at most every 0.1 s
    return {"epoch": epoch, "probe": probe, "record": record, "snapshots": snapshots,
            "overhead": (probe * publishes + record * snapshots) / epoch}  # fmt: skip


# ---------------------------------------------------------------- driver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and jobs")
    parser.add_argument("--reps", type=int, default=None, help="repetitions per timing (default 3, quick 1)")
    args = parser.parse_args()
    reps = args.reps or (1 if args.quick else 3)
    results = []
    for case in CASES:
        splits = prepare(case.cfg)
        grids = grid_times(case.cfg, splits, case.warm_epochs, reps)
        slow = slowdown(case.cfg, splits, case.window / (2 if args.quick else 1), jobs=1 if args.quick else 3)
        results.append((case, grids, slow, diagnostics_cost(case.cfg, splits, 5 * reps)))
        print(f"done: {case.name}", file=sys.stderr)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"## Loss landscape cost ({torch.get_num_threads()} torch threads, {os.cpu_count()} cores, load average {load})\n")
    print("| case | params | loss rows | trajectory plane 25×25 | random 2-D 25×25 | 1-D slice (51) |")
    print("|---|---:|---:|---:|---:|---:|")
    for case, g, _, _ in results:
        print(f"| {case.name} | {g['n_params']:,} | {g['rows']:,} | {g['plane']:.2f} s | {g['surface']:.2f} s | {g['slice']:.2f} s |")
    print("\n## Training while a 25×25 surface job runs (Runner thread, as on the page)\n")
    print("| case | epochs/s without | epochs/s during job | slowdown | job wall time | longest chunk | median chunk |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for case, _, s, _ in results:
        print(f"| {case.name} | {(s['base'] + s['after']) / 2:.2f} | {s['during']:.2f} | {s['ratio']:.2f}× | "
              f"{s['job_wall']:.1f} s | {1000 * s['max_chunk']:.0f} ms | {1000 * s['median_chunk']:.0f} ms |")  # fmt: skip
    print("\n## Diagnostics on every run (GradientFlow + TrajectoryRecorder), no job\n")
    print("| case | epoch | probe per publish | weight snapshot | snapshots per epoch | added to an epoch |")
    print("|---|---:|---:|---:|---:|---:|")
    for case, _, _, d in results:
        print(f"| {case.name} | {1000 * d['epoch']:.1f} ms | {1000 * d['probe']:.2f} ms | {1000 * d['record']:.2f} ms | "
              f"{d['snapshots']:.0f} | {d['overhead']:.1%} |")  # fmt: skip


if __name__ == "__main__":
    main()
