"""Generalisation: a big network on few noisy points, and what keeps it honest."""
from __future__ import annotations


from playground.lessons.lesson import Lesson, Setup
from playground.lessons.measures import best_epoch, boundary_length, num, pct
from playground.lessons.results import Measured

# 200 noisy circle points, 40% held out for validation: 2 x 128 ReLU units (17k weights) memorise the 80 training points
NOISY = ("dataset=circles&n_samples=100&noise=0.8&val_split=0.4&batch_size=0&lr=0.01&epochs=200&val_every=1"
         "&layers=128:relu,128:relu")  # fmt: skip


def overfits(m: Measured) -> tuple[bool, str]:
    run = m["2 × 128 relu"]
    val = run.curve("val_loss")
    best = best_epoch(val)
    held = run.train.accuracy >= 0.95 and val[-1] >= 2 * val[best - 1] and best <= len(val) / 4
    return held, (
        f"train accuracy {pct(run.train.accuracy)}; validation loss fell to {num(val[best - 1])} at epoch {best}, "
        f"then rose to {num(val[-1])} by epoch {len(val)}"
    )


def early_stopping(m: Measured) -> tuple[bool, str]:
    full, stopped = m["no early stopping"], m["patience 20"]
    val = stopped.curve("val_loss")
    best = best_epoch(val)
    held = (stopped.status == "early_stopped" and stopped.restored_epoch == best
            and abs(stopped.val.loss - val[best - 1]) <= 1e-4 * max(1.0, val[best - 1]) and stopped.val.loss < val[-1])  # fmt: skip
    return held, (
        f"stopped at epoch {stopped.epochs_run} and restored epoch {stopped.restored_epoch}: validation loss "
        f"{num(stopped.val.loss)} (at the stop it was {num(val[-1])}); without early stopping it ended at "
        f"{num(full.val.loss)} after {full.epochs_run} epochs"
    )


def _gap(run) -> float:
    return run.train.accuracy - run.val.accuracy


def dropout_narrows(m: Measured) -> tuple[bool, str]:
    plain, drop = m["no dropout"], m["dropout 0.5"]
    held = _gap(drop) < _gap(plain) and drop.val.loss - drop.train.loss < plain.val.loss - plain.train.loss
    return held, (
        f"train - validation accuracy: {pct(_gap(plain))} without dropout ({pct(plain.train.accuracy)} vs "
        f"{pct(plain.val.accuracy)}), {pct(_gap(drop))} with dropout 0.5 ({pct(drop.train.accuracy)} vs "
        f"{pct(drop.val.accuracy)})"
    )


def weight_decay_smooths(m: Measured) -> tuple[bool, str]:
    plain, l2 = m["no weight decay"], m["weight decay 0.01"]
    a, b = boundary_length(plain.boundary), boundary_length(l2.boundary)
    return b < a and l2.val.loss < plain.val.loss, (
        f"boundary length (share of neighbouring grid cells of different class): {a:.3f} without weight decay, "
        f"{b:.3f} with 0.01 ({a / b:.1f}x shorter); validation loss {num(plain.val.loss)} vs {num(l2.val.loss)}"
    )


LESSONS = (
    Lesson(
        "overfitting", "Overfitting: memorising the noise", "generalisation",
        "A network with 17,000 weights learns 80 noisy points. Train accuracy climbs: does validation loss keep falling?",
        "No: after a few epochs the network starts memorising the training points' noise; train accuracy goes "
        "to ~100% while validation loss turns up and keeps rising.",
        "loss", overfits, (Setup("2 × 128 relu", NOISY),),
        measured="train accuracy 98-100%; validation loss lowest (0.58-0.64) at epoch 4-14, then 1.56-4.04 at epoch 200",
    ),
    Lesson(
        "early_stopping", "Early stopping keeps the best epoch", "generalisation",
        "If we stop when validation loss has not improved for 20 epochs, which weights do we keep?",
        "Those of the best validation epoch: early stopping restores them, so the model keeps its best "
        "validation loss instead of the overfitted end.",
        "loss", early_stopping,
        (Setup("no early stopping", NOISY), Setup("patience 20", f"{NOISY}&patience=20&restore_best=1")),
        measured="stopped at epoch 24-34, restored epoch 4-14 (validation loss 0.58-0.64); without it 1.56-4.04",
    ),
    Lesson(
        "dropout", "Dropout narrows the generalisation gap", "generalisation",
        "The overfitting network again, now dropping half its hidden units at random in every step. "
        "What happens to the gap between train and validation accuracy?",
        "It narrows: no unit can rely on another to memorise a point, so train accuracy falls and validation "
        "holds up.",
        "accuracy", dropout_narrows,
        (Setup("no dropout", NOISY), Setup("dropout 0.5", NOISY.replace("128:relu", "128:relu:0.5"))),
        measured="train - validation accuracy gap 26-45% without dropout, 12-30% with dropout 0.5",
    ),
    Lesson(
        "weight_decay", "L2 weight decay smooths the boundary", "generalisation",
        "The overfitting network draws islands around single noisy points. What does an L2 penalty on the "
        "weights do to its decision boundary?",
        "It smooths it: small weights cannot bend the boundary sharply around single points, so the islands "
        "go and the boundary gets shorter and simpler.",
        "boundary", weight_decay_smooths,
        (Setup("no weight decay", NOISY), Setup("weight decay 0.01", f"{NOISY}&weight_decay=0.01")),
        measured="boundary length 0.027-0.048 without weight decay, 0.014-0.019 with 0.01 (1.4-3.1x shorter); validation loss 1.56-4.04 vs 0.60-0.72",
    ),
)  # fmt: skip
