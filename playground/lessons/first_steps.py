"""First steps: what a hidden layer buys, and how a network must start."""
from __future__ import annotations

from playground.lessons.lesson import Lesson, Setup
from playground.lessons.measures import num, pct
from playground.lessons.results import Measured

SPIRAL = "dataset=spiral&n_samples=200&batch_size=0&lr=0.01"  # 600 points, 3 arms; full batch keeps runs ~0.1 s
CIRCLES = "dataset=circles&n_samples=200&batch_size=0&lr=0.03&epochs=200"  # 400 points: a disc inside a ring


def linear_vs_hidden(m: Measured) -> tuple[bool, str]:
    line, hidden = m["no hidden layer"].test.accuracy, m["one ReLU layer of 100"].test.accuracy
    return line <= 0.6 and hidden >= 0.9, f"no hidden layer: {pct(line)} test accuracy; one ReLU layer of 100: {pct(hidden)}"


def xor_needs_hidden(m: Measured) -> tuple[bool, str]:
    line, hidden = m["no hidden layer"].test.accuracy, m["16 ReLU units"].test.accuracy
    return line <= 0.7 and hidden >= 0.85, f"no hidden layer: {pct(line)} test accuracy; 16 ReLU units: {pct(hidden)}"


def crosses_make_a_circle(m: Measured) -> tuple[bool, str]:
    line, crossed = m["no hidden layer"].test.accuracy, m["with x1² and x2²"].test.accuracy
    return line <= 0.7 and crossed >= 0.97, (
        f"no hidden layer: {pct(line)} test accuracy; the same network with x1² and x2² as inputs: {pct(crossed)}")


def deeper_fits_faster(m: Measured) -> tuple[bool, str]:
    wide, deep = m["one layer of 107"], m["three layers of 16"]
    w, d = wide.curve("loss")[-1], deep.curve("loss")[-1]
    return d <= w / 2, (
        f"about 645 parameters each, after {deep.epochs_run} epochs: three layers of 16 train loss {num(d)} "
        f"({pct(deep.test.accuracy)} test accuracy); one layer of 107 {num(w)} ({pct(wide.test.accuracy)})"
    )


def zero_init_stalls(m: Measured) -> tuple[bool, str]:
    zeros, default = m["all-zero init"], m["default init"]
    chance = 1 / len(zeros.train.recall)
    stuck = zeros.status == "stalled" or zeros.train.accuracy <= chance + 0.05
    ended = f"stalled at epoch {zeros.epochs_run}" if zeros.status == "stalled" else f"after {zeros.epochs_run} epochs"
    return stuck and default.test.accuracy >= 0.9, (
        f"all-zero init: {ended} with {pct(zeros.train.accuracy)} train accuracy (chance is {pct(chance)}); "
        f"default init: {pct(default.test.accuracy)} test accuracy"
    )


LESSONS = (
    Lesson(
        "linear_vs_hidden", "A line cannot separate the spiral", "first steps",
        "Can a network with no hidden layer separate three interleaved spiral arms?",
        "No: without a hidden layer the boundaries are straight lines, so about half the points stay on the "
        "wrong side. One hidden layer of 100 ReLU units bends them around the arms.",
        "boundary", linear_vs_hidden,
        (Setup("no hidden layer", f"{SPIRAL}&layers=0&epochs=300"),
         Setup("one ReLU layer of 100", f"{SPIRAL}&layers=100:relu&epochs=300")),
        measured="no hidden layer 48-54% test accuracy; one ReLU layer of 100: 96-100%",
    ),
    Lesson(
        "xor", "XOR needs a hidden layer", "first steps",
        "Points are labelled by the sign of x1*x2 (XOR). Can one straight line tell the classes apart?",
        "No line separates opposite quadrants, so a network without a hidden layer stays near chance; "
        "a hidden layer of 16 ReLU units solves it (the noise flips some points, so not quite 100%).",
        "boundary", xor_needs_hidden,
        (Setup("no hidden layer", "dataset=xor&n_samples=200&batch_size=0&lr=0.03&epochs=200&layers=0"),
         Setup("16 ReLU units", "dataset=xor&n_samples=200&batch_size=0&lr=0.03&epochs=200&layers=16:relu")),
        measured="no hidden layer 36-59% test accuracy; 16 ReLU units 92-96%",
    ),
    Lesson(
        "feature_crosses", "Feature crosses: a line becomes a circle", "first steps",
        "A network with no hidden layer draws one straight line. Can it separate a disc from the ring around it "
        "if it also gets x1² and x2² as inputs?",
        "Yes: w1·x1² + w2·x2² + b = 0 is a circle (an ellipse) in the x1-x2 plane, so the same single layer that "
        "stays near chance on x1 and x2 alone separates the disc from the ring once it sees their squares. "
        "Choosing good inputs can do a hidden layer's work.",
        "boundary", crosses_make_a_circle,
        (Setup("no hidden layer", f"{CIRCLES}&layers=0"),
         Setup("with x1² and x2²", f"{CIRCLES}&layers=0&x1_squared=1&x2_squared=1")),
        measured="no hidden layer 38-55% test accuracy; with x1² and x2² 99-100%",
    ),
    Lesson(
        "wide_or_deep", "Wider or deeper?", "first steps",
        "With the same number of weights (~645), which fits the spiral faster: one wide layer of 107 units or "
        "three narrow layers of 16?",
        "Depth: three layers of 16 compose their folds, and reach a train loss several times lower than one "
        "layer of 107 in the same 100 epochs; both end with similar test accuracy.",
        "loss", deeper_fits_faster,
        (Setup("one layer of 107", f"{SPIRAL}&layers=107:relu&epochs=100"),
         Setup("three layers of 16", f"{SPIRAL}&layers=16:relu,16:relu,16:relu&epochs=100")),
        measured="train loss at epoch 100: three layers of 16 0.019-0.029, one layer of 107 0.084-0.11; test accuracy 98-100% vs 95-99%",
    ),
    Lesson(
        "zero_init", "All-zero weights never learn", "first steps",
        "What happens if every weight starts at zero?",
        "Every hidden unit computes the same thing and gets the same gradient, so they never differ; with ReLU "
        "they are dead from the start. The run stalls at chance while the default random init trains.",
        "loss", zero_init_stalls,
        (Setup("all-zero init", f"{SPIRAL}&layers=100:relu&init=zeros&epochs=200"),
         Setup("default init", f"{SPIRAL}&layers=100:relu&epochs=200")),
        measured="all-zero init stalled at epoch 10 with 33% train accuracy on every seed; default init 96-100% test accuracy",
    ),
)  # fmt: skip
