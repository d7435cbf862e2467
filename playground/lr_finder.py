"""Learning-rate range test (Smith 2017; fastai's lr_find) on a COPY of the model.

The learning rate grows exponentially from ``start_lr`` to ``end_lr`` over ``num_steps``
mini-batches (cycling through train), with a fresh optimizer of the configured type, each step the
Trainer's own (``Trainer.copy_for_job``: class weights, L1, hand backprop). By default the copy
starts from the setup's initial weights, not the run's current ones. The loss is
smoothed with a bias-corrected EMA; the test stops early once the smoothed loss exceeds
``diverge`` times its best. The suggestion is the lr at the steepest descent of the smoothed loss
(most negative d loss / d log lr); none when the loss never fell by MIN_DROP.

``range_test_steps`` is the chunked generator; ``lr_range_job`` wraps it for ``Runner.submit`` and
``lr_range_test`` runs it to the end (CLI, tests). The live model is never written: the copy is a
deepcopy, and the copy's dropout draws from a private RNG state, not the training's.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from functools import partial
from typing import Callable, Iterator

import numpy as np

from playground.jobs import JobUpdate
from playground.optim import set_lr

START_LR, END_LR = 1e-6, 10.0
NUM_STEPS = 100  # mini-batches in the test
MAX_END_LR = 1e6  # 5 decades past RunConfig's largest lr (10): every optimizer here has diverged well before it
MAX_NUM_STEPS = 10_000  # 100x the default; spiral's default net runs them in ~3 s (each step is one mini-batch)
BETA = 0.9  # EMA decay: lag ~1/(1-beta) = 10 of 100 steps (fastai's 0.98 lags half the test)
DIVERGE = 4.0  # stop once smoothed loss > DIVERGE * best smoothed loss
SLOPE_DECADES = 0.25  # half-width of the slope's window, in decades of lr (4 points of a 100-step test)
MIN_DROP = 0.05  # no suggestion unless the smoothed loss fell at least this fraction below its start
CHUNK_SECONDS = 0.03  # work per job chunk (training waits at most this long between epochs)


class LRFinderError(ValueError):
    """The test cannot run (no training data, bad range)."""


def check_range(start_lr: float, end_lr: float, num_steps: int) -> None:
    """Raise LRFinderError naming the parameter, its value and its limit."""
    if not end_lr <= MAX_END_LR:  # also refuses inf and nan
        raise LRFinderError(f"end_lr == {end_lr:g}, must be a number <= {MAX_END_LR:g}")
    if not 0 < start_lr < end_lr:
        raise LRFinderError(f"start_lr == {start_lr:g}, must be > 0 and < end_lr == {end_lr:g}")
    if not 2 <= num_steps <= MAX_NUM_STEPS:  # before lr_schedule allocates (num_steps,) floats
        raise LRFinderError(f"num_steps == {num_steps}, must be in [2, {MAX_NUM_STEPS}]")


def lr_schedule(start_lr: float, end_lr: float, num_steps: int) -> np.ndarray:
    """(num_steps,) exponentially spaced learning rates from start_lr to end_lr."""
    check_range(start_lr, end_lr, num_steps)
    return np.geomspace(start_lr, end_lr, num_steps)


def steepest(lrs: np.ndarray, smoothed: np.ndarray, skip: int = 0, half_width: int = 1) -> float | None:
    """The lr where the smoothed loss falls fastest per log-lr, between ``skip`` and the minimum.

    The slope at i is a centred difference over i +- ``half_width`` points (clipped to the range):
    wider than one step, so batch noise left in the EMA does not pick a spot. ``skip``: the EMA's
    first steps still carry the first batches' weight (fastai skips 10 too); past the minimum the
    loss only rises. None when that leaves fewer than 3 points.
    """
    end = int(np.argmin(smoothed)) + 1
    if end - skip < 3:
        return None
    i = np.arange(skip, end)
    lo, hi = np.maximum(i - half_width, skip), np.minimum(i + half_width, end - 1)
    log_lr = np.log(lrs)
    slope = (smoothed[hi] - smoothed[lo]) / (log_lr[hi] - log_lr[lo])  # (end - skip,)
    return float(lrs[i[int(np.argmin(slope))]])


@dataclass(frozen=True)
class LRFinderResult:
    """One range test: the (lr, loss) curve and the suggestion read off it."""

    lrs: np.ndarray  # (n,) tested, n <= num_steps
    losses: np.ndarray  # (n,) raw batch losses
    smoothed: np.ndarray  # (n,) bias-corrected EMA
    suggested_lr: float | None  # steepest descent of the smoothed loss; None when it never fell by MIN_DROP
    drop: float  # how far the best smoothed loss fell below the first, as a fraction
    start_lr: float
    end_lr: float
    num_steps: int
    stopped_early: bool
    message: str
    from_initial: bool = True  # started from the setup's initial weights (else the run's current ones)
    epoch: int = 0  # the run's epoch when the test ran

    @property
    def suggested_loss(self) -> float | None:
        """The smoothed loss at the suggestion: where the plot marks it."""
        if self.suggested_lr is None:
            return None
        return float(self.smoothed[int(np.argmin(np.abs(np.log(self.lrs) - np.log(self.suggested_lr))))])


def range_test_steps(
    trainer, optimizer: str | None = None, knobs: dict | None = None, batch_size: int | None = None,
    start_lr: float = START_LR, end_lr: float = END_LR, num_steps: int = NUM_STEPS, beta: float = BETA,
    diverge: float = DIVERGE, initial: bool = True, budget: float = CHUNK_SECONDS,
) -> Iterator[JobUpdate]:  # fmt: skip
    """Yield a JobUpdate after each chunk of about ``budget`` seconds; the last one carries the result.

    Trains a copy of ``trainer``'s model through the Trainer's own step (class weights, L1, hand
    backprop), from the setup's initial weights unless ``initial`` is False: a run that one bad
    step has already damaged would tell nothing about the setup. ``optimizer`` / ``knobs`` /
    ``batch_size``: another setting than the run's (the page's current one); None keeps the run's.
    """
    import torch  # here: the page imports this module (the job's factory, its result type) before torch is loaded

    X, y = trainer.data["train"]
    if len(y) == 0:
        raise LRFinderError("no training data: the range test needs at least one training row")
    lrs = lr_schedule(start_lr, end_lr, num_steps)
    job = trainer.copy_for_job(initial=initial, optimizer=optimizer, knobs=knobs)
    seed = trainer.cfg.seed
    g = torch.Generator(device=X.device).manual_seed(seed)  # batch order
    rng_state = torch.Generator().manual_seed(seed).get_state()  # the copy's dropout RNG
    bs = trainer.batch_size if batch_size is None else (batch_size or len(y))  # 0: full batch
    bs = max(1, min(bs, len(y)))
    order = torch.randperm(len(y), device=X.device, generator=g)
    losses, smoothed, avg, best, stop = [], [], 0.0, math.inf, ""
    i, t0 = 0, time.perf_counter()
    while i < num_steps and not stop:
        start = (i * bs) % len(y)  # cycle through train, reshuffling at each pass
        if i > 0 and start < bs:
            order = torch.randperm(len(y), device=X.device, generator=g)
        idx = order[start : start + bs]
        set_lr(job.optimizer, float(lrs[i]))
        with torch.random.fork_rng(devices=[]):  # dropout in the copy must not move the training's RNG
            torch.set_rng_state(rng_state)
            loss, _ = job.step(X[idx], y[idx])
            rng_state = torch.get_rng_state()
        value = float(loss)
        losses.append(value)
        avg = beta * avg + (1 - beta) * value
        smooth = avg / (1 - beta ** (i + 1))  # bias correction: the EMA starts at 0
        smoothed.append(smooth)
        i += 1
        if not math.isfinite(smooth) or smooth > diverge * best:
            stop = f"stopped at lr {lrs[i - 1]:.3g}: the smoothed loss exceeded {diverge:g}x its best ({best:.4g})"
        best = min(best, smooth) if math.isfinite(smooth) else best
        if time.perf_counter() - t0 >= budget and i < num_steps and not stop:
            yield JobUpdate(i / num_steps)
            t0 = time.perf_counter()
    skip = min(round(1 / (1 - beta)), num_steps // 4)  # the EMA's warm-up
    half_width = max(1, round(SLOPE_DECADES * num_steps / np.log10(end_lr / start_lr)))  # points per SLOPE_DECADES
    result = _result(lrs[:i], losses, smoothed, start_lr, end_lr, num_steps, stop, (skip, half_width))
    yield JobUpdate(1.0, replace(result, from_initial=initial, epoch=trainer.epoch))


def _result(lrs, losses, smoothed, start_lr, end_lr, num_steps, stop, window) -> LRFinderResult:
    smoothed = np.asarray(smoothed)
    finite = np.isfinite(smoothed)
    drop = 1 - smoothed[finite].min() / smoothed[finite][0] if finite.any() and smoothed[0] > 0 else 0.0
    suggested = steepest(lrs[finite], smoothed[finite], *window) if drop >= MIN_DROP else None  # no descent: no steepest
    return LRFinderResult(
        lrs=np.asarray(lrs, dtype=np.float64), losses=np.asarray(losses, dtype=np.float64), smoothed=smoothed,
        suggested_lr=suggested, drop=float(drop), start_lr=start_lr, end_lr=end_lr, num_steps=num_steps,
        stopped_early=bool(stop), message=stop or f"ran all {num_steps} steps up to lr {end_lr:g}",
    )  # fmt: skip


def lr_range_job(**params) -> Callable:
    """A ``Runner.submit`` job; ``params`` as ``range_test_steps`` takes them (it pickles: a partial)."""
    return partial(range_test_steps, **params)


def lr_range_test(trainer, **params) -> LRFinderResult:
    """Run the whole test now (in the calling thread) and return its result."""
    update = None
    for update in range_test_steps(trainer, **params):
        pass
    return update.result
