"""What recording a run costs: the same training with and without a RunRecorder, interleaved in one process.

    python benchmarks/bench_store.py [--quick] [--reps N] [--url SQLALCHEMY_URL]

Each repetition trains a fresh Trainer (``standard_callbacks``: history, divergence and stall
guards) for a fixed number of epochs, long enough (~``--seconds``) that the recorder's writer thread
writes several times at its default interval (2 s). Repetitions alternate without / with (each
store) / with / without ... the recorder, and the report gives medians of the per-pair ratios:
adjacent runs see the same machine state on this noisy shared VM, where the same code still
differs by a few percent from one minute to the next (the direct cost below is steadier). Measured:

- training throughput: samples/s over the epochs (``train_epoch`` calls: the per-epoch append,
  the writer thread's writes competing for the interpreter and the cores), wall clock and process
  CPU (which includes the writer thread's own work);
- the end: ``finish()`` with the recorder (train/val evaluation, the weights as safetensors, the
  final write, waiting for it) minus without;
- writes: how many the writer made per repetition and their median duration;
- an A/A control: a second arm without the recorder, measured like the others, whose "cost" is
  what the machine's noise alone gives the paired ratios at that moment;
- the direct cost: (per-epoch append time x epochs + the writes' durations) / the run's wall time,
  an upper bound of the recorder's share that the VM's noise does not blur (the writes release the
  interpreter while they wait on the database).

The store is a fresh SQLite file in a temporary folder; ``--url`` adds another store (e.g. a
PostgreSQL server) as a third arm of the same interleaving. Prints a markdown table.
"""
from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PLAYGROUND_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "data"))

from playground.callbacks import standard_callbacks  # noqa: E402
from playground.config import RunConfig, parse_layers  # noqa: E402
from playground.datasets import Splits, prepare  # noqa: E402
from playground.store import RunRecorder, RunStore, open_store  # noqa: E402
from playground.trainer import Trainer  # noqa: E402


# a second arm without a recorder: its "cost" is the noise floor of the paired ratios
CONTROL = "none (A/A control)"


@dataclass(frozen=True)
class Case:
    name: str
    cfg: RunConfig
    epochs_per_second: float  # rough, to size a repetition to --seconds


CASES = [
    Case("spiral 2-100-3 relu, batch 32, adam", RunConfig(dataset="spiral", layers=parse_layers("100:relu"),
         optimizer="adam", lr=0.01, batch_size=32), 85),  # fmt: skip
    Case("spiral 2-100-3 relu, full batch, adam", RunConfig(dataset="spiral", layers=parse_layers("100:relu"),
         optimizer="adam", lr=0.01, batch_size=0), 1400),  # fmt: skip
    Case("mnist-5k 784-512-10 relu, batch 128, rmsprop", RunConfig(dataset="mnist", layers=parse_layers("512:relu"),
         optimizer="rmsprop", lr=0.001, batch_size=128), 16),  # fmt: skip
]


@dataclass
class Rep:
    wall: float  # seconds of training epochs
    cpu: float  # process CPU seconds over them (all threads)
    finish: float  # seconds of finish()
    writes: list[float]  # durations of the writer's record_epochs calls during the epochs


def one_run(cfg: RunConfig, splits: Splits, epochs: int, store: RunStore | None) -> Rep:
    callbacks = standard_callbacks(cfg)
    writes: list[float] = []
    if store is not None:
        callbacks.append(RunRecorder(store, source="bench"))
    trainer = Trainer(cfg.replace(epochs=epochs + 1), splits, callbacks)  # +1: the timed epochs never end the run
    wall, cpu = time.perf_counter(), time.process_time()
    with _timing(store, writes):
        for _ in range(epochs):
            trainer.train_epoch()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        during = list(writes)
    t0 = time.perf_counter()
    trainer.stop()
    trainer.finish()
    return Rep(wall, cpu, time.perf_counter() - t0, during)


class _timing:
    """Times the store's record_epochs calls (the writer thread's periodic writes) into ``out``."""

    def __init__(self, store: RunStore | None, out: list[float]) -> None:
        self.store, self.out = store, out

    def __enter__(self):
        if self.store is not None:
            real = RunStore.record_epochs.__get__(self.store)

            @functools.wraps(real)
            def timed(*args, **kwargs):
                t0 = time.perf_counter()
                try:
                    return real(*args, **kwargs)
                finally:
                    self.out.append(time.perf_counter() - t0)

            self.store.record_epochs = timed
        return self

    def __exit__(self, *exc) -> None:
        if self.store is not None:
            del self.store.record_epochs


def run_case(case: Case, stores: dict[str, RunStore], reps: int, seconds: float) -> list[dict]:
    """One row per store: its runs against the plain runs they were interleaved with."""
    splits = prepare(case.cfg)
    epochs = max(10, round(case.epochs_per_second * seconds))
    arms: dict[str, RunStore | None] = {"plain": None, **stores, CONTROL: None}
    for store in stores.values():  # warm-up: caches, thread pools, each store's first write
        one_run(case.cfg, splits, max(3, epochs // 20), store)
    reps_of: dict[str, list[Rep]] = {name: [] for name in arms}
    for i in range(reps):  # plain, a, b, b, a, plain, ...
        for name in list(arms) if i % 2 == 0 else list(arms)[::-1]:
            reps_of[name].append(one_run(case.cfg, splits, epochs, arms[name]))
    return [_row(case, name, arms[name], splits, epochs, reps_of["plain"], reps_of[name]) for name in list(arms)[1:]]


def _row(case: Case, name: str, store: RunStore | None, splits: Splits, epochs: int, plain: list[Rep], recorded: list[Rep]) -> dict:
    n = len(splits.y_train)
    wall_ratio = statistics.median(r.wall / p.wall for p, r in zip(plain, recorded))
    cpu_ratio = statistics.median(r.cpu / p.cpu for p, r in zip(plain, recorded))
    writes = [w for r in recorded for w in r.writes]
    append = append_seconds(splits, store) if store is not None else float("nan")
    direct = statistics.median((append * epochs + sum(r.writes)) / r.wall for r in recorded)
    return {
        "case": case.name, "store": name, "epochs": epochs, "seconds": statistics.median(p.wall for p in plain),
        "plain": statistics.median(epochs * n / p.wall for p in plain),
        "recorded": statistics.median(epochs * n / r.wall for r in recorded),
        "cost": (wall_ratio - 1) * 100, "cpu_cost": (cpu_ratio - 1) * 100, "direct": direct * 100,
        "append_us": append * 1e6,
        "writes": statistics.median(len(r.writes) for r in recorded),
        "write_ms": statistics.median(writes) * 1000 if writes else float("nan"),
        "finish_ms": (statistics.median(r.finish for r in recorded) - statistics.median(p.finish for p in plain)) * 1000,
    }  # fmt: skip


def append_seconds(splits: Splits, store: RunStore, calls: int = 20_000) -> float:
    """Seconds of one ``on_epoch_end`` of the recorder (a validated epoch's logs), on the training thread."""
    recorder = RunRecorder(store)
    logs = {"epoch": 1, "loss": 0.5, "accuracy": 0.8, "lr": 0.01, "seconds": 1.0, "samples_per_second": 1e5,
            "val_scheduled": True, "val_loss": 0.6, "val_accuracy": 0.7, "val_balanced_accuracy": 0.7}  # fmt: skip
    t0 = time.perf_counter()
    for _ in range(calls):
        recorder.on_epoch_end(None, logs)
    return (time.perf_counter() - t0) / calls


def table(results: list[dict], stores: dict[str, RunStore], reps: int) -> str:
    lines = [
        *(f"{name}: {store.url}" for name, store in stores.items()),
        f"medians of {reps} interleaved repetitions",
        "",
        "| config | store | epochs (s) per run | samples/s without | samples/s with recorder | cost (wall) | cost (CPU) "
        "| direct cost | us per epoch | writes per run | ms per write | extra ms at finish() |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['case']} | {r['store']} | {r['epochs']} ({r['seconds']:.1f}) | {r['plain']:,.0f} | {r['recorded']:,.0f} "
            f"| **{r['cost']:+.2f}%** | {r['cpu_cost']:+.2f}% | {r['direct']:.2f}% | {r['append_us']:.2f} | {r['writes']:.0f} "
            f"| {r['write_ms']:.1f} | {r['finish_ms']:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs, fewer repetitions, spiral only")
    parser.add_argument("--reps", type=int, help="pairs of runs per config (default 7, quick 3)")
    parser.add_argument("--seconds", type=float, help="length of one run (default 6, quick 3)")
    parser.add_argument("--url", help="also measure this store (e.g. postgresql://...), interleaved with the others")
    parser.add_argument("--case", default="", help="only the configs whose name contains this text")
    args = parser.parse_args(argv)
    reps = args.reps or (3 if args.quick else 7)
    seconds = args.seconds or (3.0 if args.quick else 6.0)
    with tempfile.TemporaryDirectory() as tmp:
        stores = {"sqlite": open_store(f"sqlite:///{tmp}/runs.db")}
        if args.url:
            stores[args.url.split(":", 1)[0].split("+")[0]] = open_store(args.url)
        cases = [case for case in (CASES[:2] if args.quick else CASES) if args.case in case.name]
        results = [row for case in cases for row in run_case(case, stores, reps, seconds)]
        print(table(results, stores, reps))
        for store in stores.values():
            store.close()


if __name__ == "__main__":
    main()
