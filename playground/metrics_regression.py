"""Regression metrics (issue 13): MAE, RMSE, R^2 and Pearson r beside the mean-predictor baseline.

scikit-learn computes MAE, RMSE and R^2 and scipy Pearson r; tests/unit/test_regression.py checks
them against those libraries. All scores are on the target's original scale, whatever
``target_scaling`` the network trained on.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RegressionMetrics:
    """A regression model's scores on one split (``Trainer.evaluate`` when the task is regression)."""

    loss: float  # mean training loss (mse | mae | huber) on the training scale
    mae: float  # mean absolute error, original scale
    rmse: float  # root mean squared error
    r2: float  # coefficient of determination: 1 - SSE / SST of this split (0 = the split's own mean)
    pearson_r: float  # linear correlation of prediction and target; NaN when either is constant
    baseline_mae: float  # MAE of always predicting the training mean: what "learned nothing" scores
    y_true: np.ndarray  # (n,) float32 targets, for the predicted-vs-actual and residual charts
    y_pred: np.ndarray  # (n,) float32 predictions
    target_scale: float = 1.0  # target_scaling minmax: the training range; mae / target_scale is the [0, 1]-scale MAE


def regression_scores(y_true: np.ndarray, y_pred: np.ndarray, train_mean: float) -> dict:
    """mae, rmse, r2, pearson_r and baseline_mae of predictions (n,) against targets (n,)."""
    from scipy.stats import pearsonr
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if not np.isfinite(y_pred).all():  # a diverged network: no score is meaningful (sklearn would raise)
        scores = dict(mae=math.nan, rmse=math.nan, r2=math.nan, pearson_r=math.nan)
    else:
        constant = np.ptp(y_true) == 0 or np.ptp(y_pred) == 0  # pearsonr warns and returns NaN then
        scores = dict(
            mae=float(mean_absolute_error(y_true, y_pred)),
            rmse=float(math.sqrt(mean_squared_error(y_true, y_pred))),
            r2=float(r2_score(y_true, y_pred)) if len(y_true) > 1 else math.nan,
            pearson_r=math.nan if constant or len(y_true) < 2 else float(pearsonr(y_true, y_pred)[0]),
        )
    scores["baseline_mae"] = float(np.abs(y_true - train_mean).mean())
    return scores
