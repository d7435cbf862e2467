"""Optimisation: optimizers, learning rates, gradient flow, normalisation and batch size."""
from __future__ import annotations

import numpy as np

from playground.lessons.lesson import Lesson, Setup
from playground.lessons.measures import epochs_text, first_epoch, num, pct, upward_share
from playground.lessons.results import Measured

SPIRAL = "dataset=spiral&n_samples=200&batch_size=0"  # 600 points, 3 arms, full batch


def _stack(layer: str, depth: int) -> str:
    return ",".join([layer] * depth)


# The Playground page's vanishing-gradient presets (playground/ui/diagnostics.py PRESETS), as layer tokens
GRADIENT_PRESETS = {"8× sigmoid": _stack("32:sigmoid", 8), "8× relu": _stack("32:relu", 8),
                    "8× sigmoid + batchnorm": _stack("32:sigmoid:0:bn", 8)}  # fmt: skip


def adam_beats_sgd(m: Measured) -> tuple[bool, str]:
    adam, sgd = m["adam"].curve("loss"), m["sgd"].curve("loss")
    caught = first_epoch(adam, sgd[-1])
    return adam[-1] <= sgd[-1] / 3 and caught is not None and caught <= len(sgd) / 4, (
        f"after {len(sgd)} epochs at lr 0.01: adam train loss {num(adam[-1])}, sgd {num(sgd[-1])}; "
        f"adam got below sgd's final loss at epoch {caught}"
    )


def vanishing(m: Measured) -> tuple[bool, str]:
    ratios = {label: m[label].grad_ratio_start for label in GRADIENT_PRESETS}
    sigmoid = ratios["8× sigmoid"]
    fixed = all(r >= 100 * sigmoid for label, r in ratios.items() if label != "8× sigmoid")
    parts = "; ".join(f"{label} {r:.1e}" for label, r in ratios.items())
    return sigmoid < 1e-4 and fixed, f"first layer's gradient / output layer's, at the initial weights: {parts}"


def learning_rates(m: Measured) -> tuple[bool, str]:
    big, small, found = m["too large"], m["too small"], m["range test"]
    s = small.curve("loss")
    f = found.curve("loss")
    lr = found.lr_finder.suggested_lr if found.lr_finder is not None else float("nan")
    held = big.status == "diverged" and s[-1] >= 0.95 * s[0] and f[-1] <= 0.5 * f[0] and found.test.accuracy >= 0.8
    big_text = f"diverged at epoch {big.epochs_run}" if big.status == "diverged" else f"ended at loss {num(big.train.loss)}"
    return held, (
        f"lr 10: {big_text}; lr 0.0001: loss {num(s[0])} -> {num(s[-1])} in {len(s)} epochs; the range test's "
        f"lr {lr:.2g}: loss {num(f[0])} -> {num(f[-1])}, {pct(found.test.accuracy)} test accuracy"
    )


def momentum_ravine(m: Measured) -> tuple[bool, str]:
    tracks = m.race.tracks
    sgd, mom = tracks["sgd"].final_loss, tracks["momentum"].final_loss
    return mom <= sgd / 100, (
        f"after {m.race.steps} steps at lr {m.race.settings['sgd'].lr:g}: sgd loss {sgd:.2g}, momentum {mom:.2g} "
        f"({sgd / mom:,.0f}x lower)"
    )


def batchnorm_faster(m: Measured) -> tuple[bool, str]:
    plain, bn = m["6 × 32 relu"], m["6 × 32 relu + batchnorm"]
    p, b = first_epoch(-plain.curve("accuracy"), -0.9), first_epoch(-bn.curve("accuracy"), -0.9)
    held = b is not None and (p is None or p >= 2 * b)
    return held, (
        f"90% train accuracy: with batchnorm at {epochs_text(b, bn.epochs_run)}, without at "
        f"{epochs_text(p, plain.epochs_run)}"
    )


def batch_sizes(m: Measured) -> tuple[bool, str]:
    small, full = m["batch 8"], m["full batch"]
    noisy, smooth = upward_share(small.curve("loss")), upward_share(full.curve("loss"))
    speed_small = float(np.nanmedian(small.curve("samples_per_second")))
    speed_full = float(np.nanmedian(full.curve("samples_per_second")))
    e_small, e_full = first_epoch(small.curve("loss"), 0.3), first_epoch(full.curve("loss"), 0.3)
    held = (noisy >= smooth + 0.1 and speed_full >= 5 * speed_small and e_small is not None
            and (e_full is None or e_full >= 3 * e_small))  # fmt: skip
    return held, (
        f"loss went up on {pct(noisy)} of epochs with batch 8, {pct(smooth)} at full batch; "
        f"{speed_small:,.0f} vs {speed_full:,.0f} samples/s; loss 0.3 reached at {epochs_text(e_small, small.epochs_run)} "
        f"with batch 8, {epochs_text(e_full, full.epochs_run)} at full batch"
    )


def lr_step_down(m: Measured) -> tuple[bool, str]:
    step, const = m["lr 0.1 -> 0.01 after epoch 30"], m["lr 0.1 throughout"]
    at = 30
    before = float(np.mean(step.curve("loss")[at - 5 : at]))
    after, control = float(np.mean(step.curve("loss")[-5:])), float(np.mean(const.curve("loss")[-5:]))
    return after <= 0.8 * before and after < control, (
        f"mean train loss of the 5 epochs before the change {num(before)}, of the last 5 after it {num(after)}; "
        f"without the change {num(control)}"
    )


LESSONS = (
    Lesson(
        "adam_vs_sgd", "Adam gets there sooner than SGD", "optimisation",
        "Same network, same learning rate (0.01): which optimizer reaches a low loss first, plain SGD or Adam?",
        "Adam: it scales each weight's step by its recent gradient size, so small gradients still move it. "
        "At the same lr Adam passes SGD's final loss within a few epochs.",
        "loss", adam_beats_sgd,
        (Setup("sgd", f"{SPIRAL}&layers=100:relu&optimizer=sgd&lr=0.01&epochs=100"),
         Setup("adam", f"{SPIRAL}&layers=100:relu&optimizer=adam&lr=0.01&epochs=100")),
        measured="train loss after 100 epochs: adam 0.093-0.106, sgd 0.785-0.816; adam below sgd's final loss at epoch 5 on every seed",
    ),
    Lesson(
        "vanishing_gradients", "Deep sigmoid networks have vanishing gradients", "optimisation",
        "Eight hidden layers of 32 sigmoid units: how much of the output layer's gradient reaches the first layer?",
        "Almost none: sigmoid's slope is at most 1/4, so the gradient shrinks layer by layer on its way back. "
        "ReLU passes it through, and BatchNorm keeps sigmoid's inputs in its steep middle.",
        "gradflow", vanishing,
        tuple(Setup(label, f"{SPIRAL}&layers={layers}&lr=0.01&epochs=50") for label, layers in GRADIENT_PRESETS.items()),
        measured="first/output gradient ratio at init: 8× sigmoid 7.1e-08-5.9e-07, 8× relu 2.0e-03-5.6e-02, 8× sigmoid + batchnorm 0.27-3.9",
    ),
    Lesson(
        "learning_rate", "Too large diverges, too small crawls", "optimisation",
        "Plain SGD with lr 10, lr 0.0001, or the lr the range test picks: which trains?",
        "lr 10 overshoots until the loss is NaN; lr 0.0001 barely moves in 100 epochs; the LR range test's "
        "suggestion (the steepest descent of the loss as the lr grows) trains well.",
        "lr_finder", learning_rates,
        (Setup("too large", f"{SPIRAL}&layers=100:relu,100:relu&optimizer=sgd&lr=10&epochs=100"),
         Setup("too small", f"{SPIRAL}&layers=100:relu,100:relu&optimizer=sgd&lr=0.0001&epochs=100"),
         Setup("range test", f"{SPIRAL}&layers=100:relu,100:relu&optimizer=sgd&lr=0.01&epochs=100",
               lr_from_finder=True)),
        measured="lr 10 diverged at epoch 9-10; lr 0.0001 lowered the loss by < 0.5% in 100 epochs; range test picked lr 1-1.4, loss 1.1-1.15 -> 0.045-0.48, 88-98% test accuracy",
    ),
    Lesson(
        "momentum_ravine", "Momentum crosses the ravine", "optimisation",
        "In a narrow ravine (a bowl 100 times steeper across than along), does SGD or momentum reach the bottom first?",
        "Momentum: SGD zigzags across the ravine and crawls along its floor, while momentum's velocity builds up "
        "along the floor.",
        "race", momentum_ravine, race="ravine",
        measured="deterministic (no seed): sgd loss 0.019, momentum 7.5e-06 after 150 steps (2,581x lower)",
    ),
    Lesson(
        "batchnorm", "BatchNorm trains a deep network faster", "optimisation",
        "Six hidden ReLU layers: does adding BatchNorm to each change how fast it learns?",
        "Yes: normalising each layer's inputs keeps every layer's gradients well scaled, so the BatchNorm network "
        "reaches 90% train accuracy in a fraction of the epochs.",
        "accuracy", batchnorm_faster,
        (Setup("6 × 32 relu", f"{SPIRAL}&layers={_stack('32:relu', 6)}&lr=0.01&epochs=60"),
         Setup("6 × 32 relu + batchnorm", f"{SPIRAL}&layers={_stack('32:relu:0:bn', 6)}&lr=0.01&epochs=60")),
        measured="90% train accuracy at epoch 3-6 with batchnorm, 23-29 without",
    ),
    Lesson(
        "batch_size", "Small batches: noisy but fewer epochs", "optimisation",
        "Batch of 8 or the full batch: which gives the smoother loss curve, the faster epochs, and which needs "
        "fewer epochs?",
        "Small batches take many noisy steps per epoch: a jagged curve and fewer samples per second, but few "
        "epochs. The full batch takes one smooth step per epoch, so it needs many more epochs.",
        "loss", batch_sizes,
        (Setup("batch 8", "dataset=spiral&n_samples=100&layers=100:relu&lr=0.01&batch_size=8&epochs=100"),
         Setup("full batch", "dataset=spiral&n_samples=100&layers=100:relu&lr=0.01&batch_size=0&epochs=100")),
        measured="loss went up on 26-35% of epochs at batch 8, 0% at full batch; 29k-42k vs 780k-830k samples/s (loaded machine); loss 0.3 at epoch 6 vs 37-44",
    ),
    Lesson(
        "lr_step_down", "Lower the learning rate, lower the loss", "optimisation",
        "A run at a high learning rate has levelled off. What happens if we lower the lr mid-run?",
        "The loss drops again: big steps bounce around the bottom of the valley, smaller ones settle into it.",
        "loss", lr_step_down,
        (Setup("lr 0.1 -> 0.01 after epoch 30", "dataset=spiral&n_samples=200&lr=0.1&batch_size=16&epochs=40",
               lr_change=(30, 0.01)),
         Setup("lr 0.1 throughout", "dataset=spiral&n_samples=200&lr=0.1&batch_size=16&epochs=40")),
        measured="mean loss of the 5 epochs before the change 0.026-0.040, last 5 after it 0.015-0.028; without the change 0.026-0.157",
    ),
)  # fmt: skip
