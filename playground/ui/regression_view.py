"""The Playground's views of a regression run (issue 13): what replaces the class charts.

Live: the prediction surface (2-D planes; the PCA plane of tabular data) beside the loss and MAE
curves. Ended: the test metrics beside the mean-predictor baseline, predicted vs actual and the
residual histogram. Reads the snapshot only, as ``live`` does.
"""
from __future__ import annotations

import math

import numpy as np
import streamlit as st

from playground.datasets import Splits
from playground.figures.regression import (mae_figure, predicted_actual_figure, residual_figure, surface_figure,
                                           target_histogram, target_scatter)  # fmt: skip
from playground.snapshot import Snapshot
from playground.ui import reference
from playground.ui.charts import chart

LOSS_NAMES = {"mse": "MSE", "mae": "MAE", "huber": "Huber"}


def training_charts(snap: Snapshot) -> None:
    """The prediction surface beside the loss (in the run's loss: mse | mae | huber) and MAE curves."""
    left, right = st.columns([6, 5])
    with left:
        if snap.boundary is not None:
            chart(surface_figure(snap.boundary, height=430), key="surface_chart")
            if snap.boundary.note:
                st.caption(snap.boundary.note)
    with right:
        reference.loss_chart(snap)
        chart(mae_figure(snap.history, height=230), key="mae_chart")
        scaled = snap.config.target_scaling == "minmax"
        st.caption(f"Loss: {LOSS_NAMES[snap.config.loss]}{' on the target scaled to [0, 1]' if scaled else ''}; "
                   "MAE on the original scale.")


def _num(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}f}" if math.isfinite(x) else "n/a"


def test_results(snap: Snapshot) -> None:
    """Shown once the run has ended: MAE against the mean predictor, RMSE, R², Pearson r, and two charts."""
    t = snap.test
    if t is None:
        return
    st.subheader("Test set", divider="gray", help="Held out from training and validation; evaluated once, at the end.")
    cols = st.columns(5)
    gain = 1 - t.mae / t.baseline_mae if t.baseline_mae > 0 and math.isfinite(t.mae) else math.nan
    cols[0].metric("Test MAE", _num(t.mae), delta=f"{-gain:.0%} vs mean" if math.isfinite(gain) else None,
                   delta_color="inverse", help="Mean absolute error on the original scale; the change is "
                                               "against always predicting the training mean.")  # fmt: skip
    cols[1].metric("Mean-predictor MAE", _num(t.baseline_mae), help="Always predicting the training set's mean: "
                                                                   "what a model that learned nothing scores.")  # fmt: skip
    cols[2].metric("Test RMSE", _num(t.rmse), help="Root mean squared error: large errors weigh more.")
    cols[3].metric("Test R²", _num(t.r2), help="1 - (squared error / variance of the target): 1 is perfect, "
                                               "0 is no better than the test set's own mean.")  # fmt: skip
    cols[4].metric("Pearson r", _num(t.pearson_r), help="Linear correlation of predictions with targets.")
    if t.target_scale != 1.0:  # target_scaling minmax: the course's number, the MAE on the [0, 1] scale
        st.caption(f"Trained on the target scaled to [0, 1] (training range {t.target_scale:g}); the metrics above "
                   f"are on the original scale. On the [0, 1] scale the test MAE is {t.mae / t.target_scale:.3f}, "
                   f"the mean predictor's {t.baseline_mae / t.target_scale:.3f}.")
    left, right = st.columns(2)
    with left:
        chart(predicted_actual_figure(t.y_true, t.y_pred, title="Test: predicted vs actual"), key="test_scatter_chart")
    with right:
        chart(residual_figure(t.y_true, t.y_pred, title="Test residuals (predicted - actual)"), key="test_residual_chart")


def preview(splits: Splits, titles: tuple[str, str]) -> None:
    """Before a run: a 2-D set's points coloured by their target; otherwise nothing (the caller shows the table)."""
    X = np.concatenate([splits.X_train, splits.X_val, splits.X_test])
    y = np.concatenate([splits.y_train, splits.y_val, splits.y_test])
    chart(target_scatter(X, y, titles, height=480), key="preview")


def target_summary(splits: Splits) -> None:
    """For the Data tab: the target's distribution in place of the class balance."""
    y = splits.dataset.y
    st.markdown(f"Regression: the target ranges {y.min():.3g} to {y.max():.3g} (mean {y.mean():.3g})")
    chart(target_histogram(y, title="Target values"), key="class_balance")
