"""What the chosen dataset looks like: size, features, class balance, and a preview (scatter, digits or table)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from playground.boundary import plane_of, plane_points
from playground.datasets import DATASETS, Splits
from playground.datasets.mnist import IMAGE_SHAPE
from playground.figures.boundary import points_figure
from playground.figures.data import class_balance_figure, image_grid
from playground.ui import regression_view
from playground.ui.charts import chart

TABLE_ROWS = 8


def summary(splits: Splits) -> None:
    """For the Data tab: one line of sizes, the class balance, and the preparation notes."""
    ds = splits.dataset
    st.caption(DATASETS[ds.name].about)
    features = f"{ds.X.shape[1]} pixels ({IMAGE_SHAPE[0]}×{IMAGE_SHAPE[1]})" if ds.kind == "image" else f"{ds.X.shape[1]} features"
    if splits.crosses:  # a 2-D set's feature crosses: more inputs to the model, the same points
        features += " + crosses " + ", ".join(splits.feature_names[ds.X.shape[1]:])
    st.markdown(
        f"**{len(ds.y):,} rows** · {features} · {'a number to predict' if ds.regression else f'{ds.n_classes} classes'}  \n"
        f"train {len(splits.y_train):,} · validation {len(splits.y_val):,} · test {len(splits.y_test):,}"
    )
    if ds.regression:
        regression_view.target_summary(splits)
    else:
        chart(class_balance_figure(ds.class_counts, ds.class_names), key="class_balance")
    for note in splits.notes:
        st.caption(note)


def table_head(splits: Splits, rows: int = TABLE_ROWS) -> pd.DataFrame:
    """The first rows as read (before scaling; NaN = missing), with the label as text."""
    ds = splits.dataset
    frame = pd.DataFrame(ds.X[:rows], columns=ds.feature_names)
    frame["label"] = ds.y[:rows] if ds.regression else np.asarray(ds.class_names, dtype=object)[ds.y[:rows]]
    return frame


def scaled_titles(names: list[str], scaling: str) -> tuple[str, str]:
    """Axis titles that say which units the model sees: ``x1 (standardised)``."""
    suffix = {"standard": " (standardised)", "minmax": " (scaled to [0, 1])"}.get(scaling, "")
    return names[0] + suffix, names[1] + suffix


def preview(splits: Splits, scaling: str, queued: bool = False) -> None:
    """For the main column before a run (or while its Start waits in line): the data itself, as large as
    the charts that replace it.

    A 2-D set is drawn as the model sees it (scaled, all three splits), in the units the live
    decision boundary uses, so the picture does not jump when training starts."""
    st.caption("Meanwhile, the data your run will train on." if queued else
               "Press **Start** to train, or **Step** to train one epoch at a time.")  # fmt: skip
    ds = splits.dataset
    if ds.kind == "2d" and ds.regression:
        regression_view.preview(splits, scaled_titles(ds.feature_names, scaling))
    elif ds.kind == "2d":  # the live boundary's plane and points, unshaded: Start only adds the shading
        plane = plane_of(splits)
        points = plane_points(splits, plane)
        chart(points_figure(points, plane.xs, plane.ys, ds.class_names, height=480,
                            axis_titles=scaled_titles(ds.feature_names, scaling)), key="preview")  # fmt: skip
        shown, total = len(points.train[1]) + len(points.test[1]), len(splits.y_train) + len(splits.y_test)
        st.caption("Filled: training points · rings: test points, as the boundary will show them." if shown == total else
                   f"Showing a random {shown:,} of the {total:,} training and test points, as the boundary will.")
    elif ds.kind == "image":
        chart(image_grid(ds.X, ds.y, IMAGE_SHAPE, per_class=4), key="preview")
    else:
        st.dataframe(table_head(splits), hide_index=True)
        st.caption(f"First {TABLE_ROWS} of {len(ds.y):,} rows, before scaling (None = missing).")
