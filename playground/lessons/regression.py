"""Regression (issue 13): predict a number, and judge it against the model that learned nothing."""
from __future__ import annotations

from playground.lessons.lesson import Lesson, Setup
from playground.lessons.results import Measured

# 1,599 red wines, quality 3-8 as a number; MAE is the loss and the score, in quality points (no target scaling)
WINE = "dataset=wine_quality&task=regression&loss=mae&layers=64:relu&lr=0.003&batch_size=64&epochs=60"
BEATS_BY = 0.15  # the claim: test MAE at least 15% below the mean predictor's


def beats_the_mean(m: Measured) -> tuple[bool, str]:
    test = m["64:relu, MAE loss"].test  # RegressionMetrics
    share = 1 - test.mae / test.baseline_mae
    return share >= BEATS_BY, (
        f"test MAE {test.mae:.2f} quality points against {test.baseline_mae:.2f} from always predicting the training "
        f"mean: {share:.0%} lower; R² {test.r2:.2f}, Pearson r {test.pearson_r:.2f}"
    )


LESSONS = (
    Lesson(
        "wine_regression", "Wine quality by regression", "real data",
        "Predict a red wine's quality score (3-8) from 11 measurements, judged by mean absolute error. Always "
        "guessing the average wine is off by about 0.65 points. How much better does a network do?",
        "Better, but not by a mile: about 0.45-0.5 points, a quarter below the mean predictor. R² stays near 0.3: "
        "quality is a taster's judgement, and the measurements explain only part of it. Always compare an error "
        "with what predicting the mean would score.",
        "loss", beats_the_mean,
        (Setup("64:relu, MAE loss", WINE),),
        measured="test MAE 0.45-0.50 against the mean predictor's 0.64-0.69 (22-32% lower); R² 0.22-0.38, Pearson r 0.54-0.63",
    ),
)  # fmt: skip
