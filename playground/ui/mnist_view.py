"""MNIST views on the Playground: first-layer weight images (live), the test-digit gallery, Draw a digit.

All drawn from the snapshot (``first_layer``, ``test_digits``: computed in the training process) except
Draw a digit's prediction, which the server worker computes from the run's stored weights
(playground/digit_predict.py): no torch in this script thread.

The gallery's filter is the ``gallery_filter`` selectbox: a click on a cell of the test confusion
matrix puts that cell into it (the chart's ``on_select``), the same pattern as the network graph's
unit pick (playground/ui/network_view.py), because a chart's selection does not outlive its figure.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from playground.digit_predict import predict_digit
from playground.digit_preprocess import CANVAS_SIDE, PEN_WIDTH, digit_row, ink_of_rgba
from playground.figures.evaluation import confusion_figure
from playground.figures.mnist import digit_proba_figure, drawn_digit_figure, gallery_figure, weight_images_figure
from playground.mnist_views import TestDigits, gallery_order
from playground.reopen import NoWeights
from playground.snapshot import Snapshot
from playground.ui import presenter, run_store
from playground.ui.charts import CONFIG, chart
from playground.ui.workers import server_worker

FILTER = "gallery_filter"  # session_state: "all", "wrong" or a (true, predicted) cell
CONFUSION_KEY = "test_confusion_chart"
SHOWN = 24  # digits in the gallery (3 rows of 8)


def clickable_confusion(confusion: np.ndarray, names: list[str]) -> None:
    """The test confusion matrix; a click on a cell filters the gallery to it. Plotly heatmaps take no
    selection, so an invisible square marker sits on every cell to be clicked."""
    fig = confusion_figure(confusion, names, title="Test confusion · click a cell to see its digits")
    n = len(names)
    t, p = np.divmod(np.arange(n * n), n)  # every cell: row t (true), column p (predicted)
    fig.add_trace(dict(type="scatter", x=[names[i] for i in p], y=[names[i] for i in t], mode="markers",
                       customdata=[[int(a), int(b)] for a, b in zip(t, p)], showlegend=False,  # lists: arrays
                       # would reach on_select as plotly's typed-array dicts
                       marker=dict(symbol="square", size=26, color="#e8a800", opacity=0),
                       selected=dict(marker=dict(opacity=0.35)), unselected=dict(marker=dict(opacity=0)),
                       hovertemplate="true %{y}, predicted %{x}: click to show them<extra></extra>"))  # fmt: skip
    st.plotly_chart(presenter.figure(fig), key=CONFUSION_KEY, theme=None, config=CONFIG,
                    on_select=_keep_cell, selection_mode="points")  # fmt: skip


def _keep_cell() -> None:
    """on_select: the clicked cell into the gallery's selectbox (if it has digits)."""
    for point in st.session_state[CONFUSION_KEY].selection.points:
        custom = point.get("customdata")
        if custom is not None and len(custom) == 2:
            st.session_state[FILTER] = (int(custom[0]), int(custom[1]))
            return


def filter_options(digits: TestDigits) -> list:
    """"all", "wrong", then every non-empty cell: mistakes by count, then the diagonal."""
    n = digits.proba.shape[1]
    counts = np.zeros((n, n), dtype=np.int64)
    np.add.at(counts, (digits.y_true, digits.y_pred), 1)
    cells = [(t, p) for t in range(n) for p in range(n) if counts[t, p]]
    cells.sort(key=lambda c: (c[0] == c[1], -counts[c]))
    return ["all", "wrong"] + cells


def _label(option, names: list[str], digits: TestDigits) -> str:
    if option == "all":
        return "All test digits, misclassified first"
    if option == "wrong":
        return "Misclassified only"
    t, p = option
    count = int(((digits.y_true == t) & (digits.y_pred == p)).sum())
    return f"True {names[t]}, predicted {names[p]} ({count})"


def gallery(digits: TestDigits, names: list[str]) -> None:
    options = filter_options(digits)
    if st.session_state.get(FILTER) not in options:  # another run, or a cell with no digits
        st.session_state[FILTER] = "all"
    choice = st.selectbox("Show", options, key=FILTER, format_func=lambda o: _label(o, names, digits))
    order = gallery_order(digits, cell=choice if isinstance(choice, tuple) else None)
    if choice == "wrong":
        order = order[digits.y_true[order] != digits.y_pred[order]]
    if not len(order):
        st.caption("No test digit is misclassified.")
        return
    chart(gallery_figure(digits, order[:SHOWN], names), key="gallery_chart")
    kept = "" if len(digits.y_true) == digits.n_test else f" (the gallery keeps {len(digits.y_true):,} of {digits.n_test:,})"
    st.caption(f"{min(len(order), SHOWN)} of {len(order):,} digits{kept}. Under each digit its predicted probabilities "
               "for 0 to 9, left to right: green is the true class, red a wrong prediction.")  # fmt: skip


def draw_a_digit(snap: Snapshot, names: list[str]) -> None:
    """A canvas; each finished stroke goes through MNIST's preprocessing and the run's model."""
    from streamlit_drawable_canvas import st_canvas  # the component registers itself on import

    left, middle, right = st.columns([4.3, 2.2, 3.5], vertical_alignment="top")  # the canvas needs 280 px
    with left:
        drawn = st_canvas(stroke_width=PEN_WIDTH, stroke_color="#ffffff", background_color="#000000",
                          width=CANVAS_SIDE, height=CANVAS_SIDE, drawing_mode="freedraw",
                          return_image_data=True, key="digit_canvas")  # fmt: skip
    image = drawn.image_data
    row = digit_row(ink_of_rgba(image)) if image is not None else None
    with middle:
        if row is None:
            st.info("Draw a digit", icon=":material/draw:")
            st.caption("on the black square, about as tall as the square; the bin icon clears it.")
            return
        chart(drawn_digit_figure(row), key="drawn_digit_chart")
    with right:
        proba, why = _predict(snap, row)
        if proba is None:
            st.caption(why)
        else:
            chart(digit_proba_figure(proba, names), key="digit_proba_chart")


def _predict(snap: Snapshot, row: np.ndarray) -> tuple[np.ndarray | None, str]:
    store = run_store.get()
    if store is None:
        return None, "Runs are not being saved here, so there is no model to ask."
    try:
        return server_worker().call(predict_digit, store.location.url, snap.run_id, row), ""
    except NoWeights:  # the training process writes them as the run ends
        return None, "The run's weights are still being saved; draw another stroke in a moment."


def mnist_views(snap: Snapshot, names: list[str]) -> None:
    """Under the live charts on image sets: weights while training; the gallery and the canvas once it has ended."""
    if snap.first_layer is not None:
        first = snap.first_layer
        st.subheader("First-layer weights", divider="gray", anchor=False,
                     help="Each unit's weight on every pixel: orange positive, blue negative, each image scaled "
                          "to its own largest weight. The units with the largest weights first. Pixels that are "
                          "blank in every training digit (the border) never get a gradient, so their weights keep "
                          "their random start: the noise around the edges.")  # fmt: skip
        st.caption(f"The {len(first.units)} of {first.n_units} units with the largest weight norm, updated as the net trains.")
        chart(weight_images_figure(first), key="first_layer_chart")
    if snap.test_digits is not None:
        st.subheader("Test digits", divider="gray", anchor=False)
        gallery(snap.test_digits, names)
        st.subheader("Draw a digit", divider="gray", anchor=False,
                     help="Your drawing is cropped, fitted into 20x20 pixels keeping its shape, centred by its "
                          "mass in 28x28, and scaled like the training digits, as MNIST's digits were.")  # fmt: skip
        draw_a_digit(snap, names)
