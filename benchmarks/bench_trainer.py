"""Plain PyTorch loop vs the playground Trainer (with its streaming observers), on the same configs.

    python benchmarks/bench_trainer.py [--quick] [--reps N]

For each config both loops get the same splits, the same seeded model (``build_mlp``), the same
optimizer (``make_optimizer(..., fused=True)``, as the trainer builds it) and the same thread count
(``threads_for(n_params)``, as the trainer sets it). The plain loop is what one would write by hand:
tensors on the device, ``randperm`` slices (none at full batch, like the trainer), no DataLoader, one
host sync per epoch, no validation. The Trainer runs with the callbacks the Runner attaches to every
run (``standard_callbacks``, ``diagnostic_callbacks``: gradient flow and the weight-trajectory step
hook) and the Runner's streaming observer (``playground.stream.SnapshotStream``, ``publish_every=0.1``), so
the validation passes, the diagnostics, history publishing and the boundary grid evaluation are all
timed. Its config keeps the case's run length (``epochs``, 200 by default) and the auto validation
frequency (``val_every == 0``) that length gives, and the first ``epochs/rep`` epochs of that run are
timed: epoch 1 and every k-th are validated, as in the app. It runs in this thread, not the Runner's,
so both loops see the same process state. The trainer computes these plain MLPs' gradients with
``HandBackprop`` (playground/backprop.py); a third loop, the same Trainer with ``backprop = None``,
shows what autograd alone would give ("trainer via autograd").

Repetitions are interleaved (plain, trainer, autograd, autograd, trainer, plain, ...) and medians
reported, by wall clock and by process CPU time (less sensitive to other processes on a shared
machine). Prints markdown tables.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PLAYGROUND_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "data"))

from playground.callbacks import History, standard_callbacks  # noqa: E402
from playground.config import RunConfig, parse_layers  # noqa: E402
from playground.datasets import Splits, prepare  # noqa: E402
from playground.device import resolve_device, threads_for  # noqa: E402
from playground.diagnostics import diagnostic_callbacks  # noqa: E402
from playground.model import build_mlp  # noqa: E402
from playground.optim import make_optimizer  # noqa: E402
from playground.runner import Runner  # noqa: E402
from playground.stream import SnapshotStream, boundary_and_graph  # noqa: E402
from playground.trainer import Trainer  # noqa: E402


@dataclass(frozen=True)
class Case:
    name: str
    cfg: RunConfig  # its epochs (default 200) is the run length the trainer is configured with
    epochs: int  # timed per repetition: the first epochs of that run
    quick_epochs: int


def _spiral(batch_size: int, epochs: int = 200) -> RunConfig:
    return RunConfig(dataset="spiral", layers=parse_layers("100:relu"), optimizer="adam", lr=0.01, batch_size=batch_size,
                     epochs=epochs)  # fmt: skip


CASES = [
    Case("spiral 2-100-3 relu, batch 32, adam", _spiral(32), epochs=40, quick_epochs=15),
    Case("spiral 2-100-3 relu, full batch, adam", _spiral(0, epochs=1000), epochs=600, quick_epochs=200),
    Case("mnist-5k 784-512-10 relu, batch 128, rmsprop", RunConfig(dataset="mnist", layers=parse_layers("512:relu"),
         optimizer="rmsprop", lr=0.001, batch_size=128), epochs=16, quick_epochs=4),  # fmt: skip
]


@dataclass
class Clock:
    """Wall and process-CPU seconds of a block."""

    wall: float = 0.0
    cpu: float = 0.0

    def __enter__(self) -> "Clock":
        self._w, self._c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall, self.cpu = time.perf_counter() - self._w, time.process_time() - self._c


# ---------------------------------------------------------------- the loops


def plain_loop(cfg: RunConfig, splits: Splits, epochs: int) -> Clock:
    """A hand-written loop over ``epochs`` epochs."""
    device = resolve_device(cfg.device)
    torch.manual_seed(cfg.seed)
    model = build_mlp(splits.n_features, cfg.layers, splits.n_classes, cfg.init).to(device)
    opt = make_optimizer(cfg.optimizer, model.parameters(), cfg.lr, fused=True, **cfg.optimizer_kwargs())
    gen = torch.Generator(device=device).manual_seed(cfg.seed)
    X = torch.as_tensor(splits.X_train, device=device)  # (n, d)
    y = torch.as_tensor(splits.y_train, device=device)  # (n,)
    n = len(y)
    bs = n if cfg.batch_size == 0 else min(cfg.batch_size, n)
    with Clock() as clock:
        for _ in range(epochs):
            if bs == n:  # full batch: row order does not matter
                loss = F.cross_entropy(model(X), y)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                float(loss.detach())
                continue
            perm = torch.randperm(n, device=device, generator=gen)
            total = torch.zeros((), device=device)
            for start in range(0, n, bs):
                idx = perm[start : start + bs]
                loss = F.cross_entropy(model(X[idx]), y[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                total += loss.detach() * len(idx)
            float(total)  # one host sync per epoch, as any loop that logs its loss
    return clock


def trainer_loop(cfg: RunConfig, splits: Splits, epochs: int, hand: bool = True) -> tuple[Clock, float, float, int, int]:
    """The first ``epochs`` epochs of a ``cfg.epochs``-epoch run of the Trainer, with the Runner's
    callbacks (as the Runner's worker builds them) and its streaming observer.

    Returns (clock over the epochs incl. validation, callbacks and publishing; trainer.train_seconds,
    i.e. training passes only; median seconds of one validation pass; epochs validated; val_every)."""
    assert epochs < cfg.epochs  # a window of a longer run: the last epoch (always validated) is not in it
    runner = Runner(publish_every=0.1)  # never started: only its snapshot slot and settings are used
    stream = SnapshotStream(runner, lambda: False, splits, time.monotonic())
    trainer = Trainer(cfg, splits, [*standard_callbacks(cfg), *diagnostic_callbacks(cfg), stream])
    if not hand:
        trainer.backprop = None  # the autograd step
    stream.begin(trainer)
    with Clock() as clock:
        for _ in range(epochs):
            trainer.train_epoch()
    assert trainer.status == "running" and trainer.epoch == epochs, trainer.message
    history = next(cb for cb in trainer.callbacks if isinstance(cb, History)).as_arrays()
    validated = int((~np.isnan(history["val_loss"])).sum())
    val_seconds = _median_ms(lambda: trainer.evaluate("val"), 10) / 1000
    return clock, trainer.train_seconds, val_seconds, validated, trainer.val_every


def sklearn_loop(cfg: RunConfig, splits: Splits, epochs: int) -> float:
    """sklearn's MLPClassifier, same data and hyper-parameters (adam only). Returns wall seconds."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    n = len(splits.y_train)
    clf = MLPClassifier(
        hidden_layer_sizes=tuple(layer.units for layer in cfg.layers), activation="relu", solver="adam",
        learning_rate_init=cfg.lr, batch_size=n if cfg.batch_size == 0 else cfg.batch_size, max_iter=epochs,
        alpha=0.0, tol=0.0, n_iter_no_change=10**9, shuffle=True, random_state=cfg.seed,
        beta_1=cfg.beta1, beta_2=cfg.beta2,
    )  # fmt: skip
    with warnings.catch_warnings(), Clock() as clock:
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(splits.X_train, splits.y_train)
    return clock.wall


def boundary_refresh(cfg: RunConfig, splits: Splits, reps: int) -> dict:
    """Median ms of the grid evaluation and of the figure build (None if the builder does not exist yet)."""
    trainer = Trainer(cfg.replace(epochs=1), splits, standard_callbacks(cfg))
    trainer.train_epoch()
    stream = SnapshotStream(Runner(), lambda: False, splits, time.monotonic())
    # what a publish computes: the boundary grid and the network graph from one forward pass
    grid_ms = _median_ms(lambda: boundary_and_graph(trainer, stream.plane, stream.points), reps)
    boundary = boundary_and_graph(trainer, stream.plane, stream.points)[0]
    try:
        from playground.figures.boundary import boundary_figure
    except ImportError:
        figure_ms = None
    else:
        names = splits.dataset.class_names
        figure_ms = _median_ms(lambda: boundary_figure(boundary, names), reps)
    return {"resolution": f"{len(boundary.xs)}x{len(boundary.ys)}", "grid_ms": grid_ms, "figure_ms": figure_ms}


def _median_ms(fn, reps: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


# ---------------------------------------------------------------- driver


def run_case(case: Case, reps: int, quick: bool) -> dict:
    epochs = case.quick_epochs if quick else case.epochs
    splits = prepare(case.cfg)
    n = len(splits.y_train)
    n_params = sum(p.numel() for p in build_mlp(splits.n_features, case.cfg.layers, splits.n_classes).parameters())
    torch.set_num_threads(threads_for(n_params))  # what the trainer sets; the same for all three loops
    plain_loop(case.cfg, splits, max(1, epochs // 4))  # warm-up: allocator, fused kernels, optimizer state
    trainer_loop(case.cfg, splits, max(1, epochs // 4))
    plain, trainer, train, val, autograd = [], [], [], [], []
    for rep in range(reps):
        for which in ("plain", "trainer", "autograd") if rep % 2 == 0 else ("autograd", "trainer", "plain"):
            if which == "plain":  # interleaved, so drifts of a shared machine hit all three alike
                plain.append(plain_loop(case.cfg, splits, epochs))
            elif which == "autograd":
                autograd.append(trainer_loop(case.cfg, splits, epochs, hand=False)[0])
            else:
                clock, train_seconds, val_seconds, validated, val_every = trainer_loop(case.cfg, splits, epochs)
                trainer.append(clock), train.append(train_seconds), val.append(val_seconds)
    med = lambda xs: statistics.median(xs)  # noqa: E731
    p_wall, t_wall = med(c.wall for c in plain), med(c.wall for c in trainer)
    out = {
        "case": case.name, "epochs": epochs, "threads": torch.get_num_threads(),
        "plain_sps": epochs * n / p_wall,
        "trainer_sps": epochs * n / t_wall,
        "ratio": p_wall / t_wall,
        "ratio_cpu": med(c.cpu for c in plain) / med(c.cpu for c in trainer),
        "ratio_train": p_wall / med(train),  # trainer's training passes alone vs the plain loop
        "ratio_autograd": p_wall / med(c.wall for c in autograd),  # the trainer with autograd's step
        # per-epoch breakdown (ms): the rest = logs, History, DivergenceGuard, diagnostics' snapshots,
        # and the stream's counters every 25 ms plus history arrays and the boundary grid every 0.1 s
        "plain_ms": 1000 * p_wall / epochs,
        "wall_ms": 1000 * t_wall / epochs,
        "train_ms": 1000 * med(train) / epochs,
        "val_ms": 1000 * med(val),  # one validation pass
        "val_every": val_every, "validated": validated,  # validated of the timed epochs
    }  # fmt: skip
    if case.cfg.dataset == "spiral":
        out["sklearn_sps"] = epochs * n / med(sklearn_loop(case.cfg, splits, epochs) for _ in range(max(1, reps // 3)))
    out["boundary"] = boundary_refresh(case.cfg, splits, reps=20 if quick else 50)
    return out


def table(results: list[dict]) -> str:
    rows = [
        "| config | threads | epochs/rep | plain samples/s | trainer samples/s (with observers) | ratio (wall) | "
        "ratio (CPU time) | ratio, training passes only | trainer via autograd, ratio | sklearn MLPClassifier samples/s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        sk = f"{r['sklearn_sps']:,.0f}" if "sklearn_sps" in r else "-"
        rows.append(
            f"| {r['case']} | {r['threads']} | {r['epochs']} | {r['plain_sps']:,.0f} | {r['trainer_sps']:,.0f} | "
            f"**{r['ratio']:.2f}x** | {r['ratio_cpu']:.2f}x | {r['ratio_train']:.2f}x | {r['ratio_autograd']:.2f}x | {sk} |"
        )
    return "\n".join(rows)


def breakdown(results: list[dict]) -> str:
    rows = [
        "| config | validates every (auto) | validated / timed epochs | plain epoch ms | trainer epoch ms | "
        "training pass | val pass (per epoch) | observers + publishing |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        val_per_epoch = r["val_ms"] * r["validated"] / r["epochs"]
        rest = r["wall_ms"] - r["train_ms"] - val_per_epoch
        rows.append(
            f"| {r['case']} | {r['val_every']} | {r['validated']} / {r['epochs']} | {r['plain_ms']:.2f} | "
            f"{r['wall_ms']:.2f} | {r['train_ms']:.2f} | {r['val_ms']:.2f} ({val_per_epoch:.2f}) | {rest:.2f} |"
        )
    return "\n".join(rows)


def targets(results: list[dict]) -> str:
    spiral, _, mnist = results
    rows = ["| measure | value | target |", "|---|---|---|"]
    rows.append(f"| spiral batch 32: trainer epochs/s (with observers) | {1000 / spiral['wall_ms']:.0f} | >= 75 |")
    rows.append(f"| mnist-5k: trainer seconds/epoch (with observers) | {mnist['wall_ms'] / 1000:.3f} | <= 0.1 |")
    for r in (spiral, mnist):
        b = r["boundary"]
        fig = "n/a" if b["figure_ms"] is None else f"{b['figure_ms']:.2f} ms"
        total = b["grid_ms"] + (b["figure_ms"] or 0)
        rows.append(
            f"| boundary refresh, {r['case'].split(',')[0]} ({b['resolution']} grid): "
            f"eval {b['grid_ms']:.2f} ms + figure {fig} | {total:.2f} ms | < 5 ms |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs and repetitions")
    parser.add_argument("--reps", type=int, help="timed repetitions per loop (default 7, quick 3)")
    args = parser.parse_args(argv)
    reps = args.reps or (3 if args.quick else 7)
    started = time.perf_counter()
    load = os.getloadavg()[0]
    print(f"torch {torch.__version__}, {os.cpu_count()} CPUs, load average {load:.1f}; "
          f"{reps} interleaved reps, medians\n", flush=True)  # fmt: skip
    results = [run_case(case, reps, args.quick) for case in CASES]
    print("\n\n".join([table(results), breakdown(results), targets(results)]))
    load_end = os.getloadavg()[0]
    if max(load, load_end) > (os.cpu_count() or 1):
        print(f"\nwarning: load average {load:.1f} -> {load_end:.1f} on {os.cpu_count()} CPUs; timings are contended.")
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
