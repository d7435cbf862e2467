"""What the live network graph costs: per published snapshot, and in training throughput.

    python benchmarks/bench_network_graph.py [--quick] [--reps N]

Two measures, each against a reference in the same process, interleaved:

1. Per publish (the training process's side): ``stream.boundary_and_graph`` (the boundary grid and
   the NetworkGraph with its unit maps, from one forward pass) against ``stream.boundary_grid``
   (the boundary alone, what a publish computed before the graph), on the default spiral net
   (2-100-3 relu) and an 8-layer net; median ms of many calls, and the pickled size of the graph
   (the child sends every snapshot over a pipe). Also the page's side: ``network_figure`` build + JSON.
2. Throughput: the Trainer with the Runner's callbacks and SnapshotStream (publish_every=0.1, as the
   app), the same run with the graph (``boundary_and_graph`` as the stream calls it) and without it
   (the stream's ``boundary_and_graph`` swapped for the boundary alone). Repetitions interleave
   (graph, none, none, graph, ...); medians of samples/s and their ratio.
"""
from __future__ import annotations

import argparse
import os
import pickle
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PLAYGROUND_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "data"))

import torch  # noqa: E402

from playground import stream as stream_module  # noqa: E402
from playground.callbacks import standard_callbacks  # noqa: E402
from playground.config import RunConfig, parse_layers  # noqa: E402
from playground.datasets import prepare  # noqa: E402
from playground.diagnostics import diagnostic_callbacks  # noqa: E402
from playground.figures.network import network_figure  # noqa: E402
from playground.runner import Runner  # noqa: E402
from playground.stream import SnapshotStream, boundary_and_graph, boundary_grid  # noqa: E402
from playground.trainer import Trainer  # noqa: E402

DEFAULT = RunConfig()  # spiral, 2-100-3 relu, adam, batch 32: the app's first run
DEEP = RunConfig(layers=parse_layers(",".join(["16:tanh"] * 8)))


def median_ms(fn, reps: int) -> float:
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def publish_cost(cfg: RunConfig, reps: int) -> dict:
    """Median ms of a publish's grid work with and without the graph, interleaved; graph size."""
    splits = prepare(cfg)
    trainer = Trainer(cfg.replace(epochs=2), splits, standard_callbacks(cfg))
    trainer.train_epoch()
    stream = SnapshotStream(Runner(), lambda: False, splits, time.monotonic())
    with_graph, alone = [], []
    for _ in range(reps):  # interleaved, so a machine's slow phase hits both
        with_graph.append(median_ms(lambda: boundary_and_graph(trainer, stream.plane, stream.points), 5))
        alone.append(median_ms(lambda: boundary_grid(trainer, stream.plane, stream.points), 5))
    boundary, graph = boundary_and_graph(trainer, stream.plane, stream.points)
    return {
        "with_graph_ms": statistics.median(with_graph), "boundary_ms": statistics.median(alone),
        "graph_kb": len(pickle.dumps(graph)) / 1024, "boundary_kb": len(pickle.dumps(boundary)) / 1024,
        "figure_ms": median_ms(lambda: network_figure(graph).to_json(), reps),
    }  # fmt: skip


def throughput(cfg: RunConfig, epochs: int, graph: bool) -> tuple[float, float]:
    """(samples per wall second, samples per CPU second of this thread) over ``epochs`` epochs with the
    app's observers; ``graph=False`` publishes the boundary alone. CPU time is what other processes
    on a shared machine disturb least."""
    splits = prepare(cfg)
    original = stream_module.boundary_and_graph
    if not graph:
        stream_module.boundary_and_graph = lambda t, plane, points, previous=None: (boundary_grid(t, plane, points), None)
    try:
        runner = Runner(publish_every=0.1)
        stream = SnapshotStream(runner, lambda: False, splits, time.monotonic())
        trainer = Trainer(cfg, splits, [*standard_callbacks(cfg), *diagnostic_callbacks(cfg), stream])
        stream.begin(trainer)
        t0, c0 = time.perf_counter(), time.thread_time()
        for _ in range(epochs):
            trainer.train_epoch()
        samples = epochs * len(splits.y_train)
        return samples / (time.perf_counter() - t0), samples / (time.thread_time() - c0)
    finally:
        stream_module.boundary_and_graph = original


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs and repetitions")
    parser.add_argument("--reps", type=int, default=None, help="throughput repetitions per arm (default 11, quick 3)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # as the app's training process
    reps = args.reps or (3 if args.quick else 11)
    print("| net | boundary alone, ms | boundary + graph + maps, ms | added ms | graph pickled, KB | boundary pickled, KB | figure build + JSON, ms |")  # noqa: E501
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, cfg in (("spiral default 2-100-3", DEFAULT), ("spiral 8 x 16 tanh", DEEP)):
        c = publish_cost(cfg, 10 if args.quick else 30)
        print(f"| {name} | {c['boundary_ms']:.2f} | {c['with_graph_ms']:.2f} | {c['with_graph_ms'] - c['boundary_ms']:+.2f} | "
              f"{c['graph_kb']:.0f} | {c['boundary_kb']:.0f} | {c['figure_ms']:.1f} |")  # fmt: skip
    epochs = 10 if args.quick else 40
    cfg = DEFAULT.replace(epochs=10 * epochs)  # a window of a longer run, as the app trains
    arms = {True: [], False: []}
    for rep in range(reps):
        for graph in ((True, False) if rep % 2 == 0 else (False, True)):
            arms[graph].append(throughput(cfg, epochs, graph))
    print()
    print(f"| spiral default, batch 32, {epochs} epochs x {reps} | without graph | with graph | ratio |")
    print("|---|---:|---:|---:|")
    for i, clock in enumerate(("wall", "thread CPU")):
        with_graph = statistics.median(r[i] for r in arms[True])
        without = statistics.median(r[i] for r in arms[False])
        print(f"| trainer samples/s, {clock} (median) | {without:,.0f} | {with_graph:,.0f} | **{with_graph / without:.3f}** |")


if __name__ == "__main__":
    main()
