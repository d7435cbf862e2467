"""Real data: an imbalanced medical table and handwritten digits."""
from __future__ import annotations

from playground.lessons.lesson import Lesson, Setup
from playground.lessons.measures import pct
from playground.lessons.results import Measured

PIMA = "dataset=pima&layers=8:relu&lr=0.01&batch_size=0&epochs=100"  # 768 patients, 500 without / 268 with diabetes
DIABETES = 1  # class index of "diabetes"


def class_weights_help(m: Measured) -> tuple[bool, str]:
    plain, weighted = m["unweighted"].test, m["balanced class weights"].test
    p_rec, w_rec = plain.recall[DIABETES], weighted.recall[DIABETES]
    held = p_rec <= plain.accuracy - 0.05 and w_rec >= p_rec + 0.05 and weighted.balanced_accuracy > plain.balanced_accuracy
    return held, (
        f"unweighted: {pct(plain.accuracy)} test accuracy but diabetic recall {pct(p_rec)} (balanced accuracy "
        f"{pct(plain.balanced_accuracy)}); balanced class weights: recall {pct(w_rec)}, balanced accuracy "
        f"{pct(weighted.balanced_accuracy)}, accuracy {pct(weighted.accuracy)}"
    )


def mnist_keras(m: Measured) -> tuple[bool, str]:
    run = m["784-512-10 rmsprop"]
    return run.test.accuracy >= 0.88, (
        f"after {run.epochs_run} epochs: {pct(run.test.accuracy)} test accuracy, {pct(run.train.accuracy)} train "
        f"({run.seconds:.1f} s of training)"
    )


LESSONS = (
    Lesson(
        "imbalanced_pima", "Accuracy hides the minority class", "real data",
        "On Pima diabetes (500 without, 268 with), a network scores ~75% accuracy. How many diabetic patients "
        "does it find?",
        "Far fewer than the accuracy suggests: predicting 'no diabetes' is usually right, so the diabetic class's "
        "recall lags. Balanced class weights make each diabetic patient count more: recall and balanced "
        "accuracy rise.",
        "confusion", class_weights_help,
        (Setup("unweighted", PIMA), Setup("balanced class weights", f"{PIMA}&class_weights=balanced")),
        measured="unweighted: accuracy 71-77%, diabetic recall 50-61%, balanced accuracy 67-73%; balanced weights: recall 65-87%, balanced accuracy 70-77%",
    ),
    Lesson(
        "mnist_keras", "The classic Keras MNIST network", "real data",
        "784 pixels -> 512 ReLU units -> 10 digits, RMSprop, batch 128: how good is it after 5 epochs on 5,000 "
        "digits?",
        "About 90% test accuracy from 3,000 training images in a few seconds, while train accuracy nears 100%.",
        "confusion", mnist_keras,
        (Setup("784-512-10 rmsprop", "dataset=mnist&layers=512:relu&optimizer=rmsprop&lr=0.001&batch_size=128&epochs=5"),),
        measured="test accuracy 91-93%, train 98-100%; 0.3-4.3 s of training (the machine was shared)",
    ),
)  # fmt: skip
