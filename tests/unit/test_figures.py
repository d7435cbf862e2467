"""Figure builders on small numpy inputs: trace counts, shapes, and agreement with reference computations."""
import base64
import io
import json
from dataclasses import replace

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
import torch
from PIL import Image
from sklearn.metrics import confusion_matrix

from playground import metrics
from playground.config import RunConfig
from playground.datasets import prepare
from playground.snapshot import BoundaryGrid, PlanePoints
from playground.figures.boundary import boundary_figure, shade_rgb
from playground.figures.data import class_balance_figure, image_grid
from playground.figures.evaluation import confusion_figure, normalise_rows, recall_figure
from playground.figures.theme import class_colours_rgb
from playground.figures.training import MAX_POINTS, accuracy_figure, downsample, loss_figure, progress_text

NAMES3 = ["a", "b", "c"]


def _history(epochs: int) -> dict:
    e = np.arange(1, epochs + 1, dtype=np.float64)
    return {"epoch": e, "loss": 1 / e, "val_loss": 1.1 / e, "accuracy": 1 - 1 / (e + 1), "val_accuracy": 1 - 1.2 / (e + 2)}


def _boundary(resolution: int = 100, n_classes: int = 3, seed: int = 0) -> BoundaryGrid:
    """A smooth plane like the runner's: class c wins around angle 2πc/C."""
    rng = np.random.default_rng(seed)
    xs = ys = np.linspace(-1.5, 1.5, resolution)
    gx, gy = np.meshgrid(xs, ys)  # (R, R), row = y
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    logits = 3 * (gx[..., None] * np.cos(angles) + gy[..., None] * np.sin(angles))  # (R, R, C)
    proba = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    train = (rng.normal(size=(300, 2)).astype(np.float32), rng.integers(0, n_classes, 300))
    test = (rng.normal(size=(100, 2)).astype(np.float32), rng.integers(0, n_classes, 100))
    return BoundaryGrid(xs, ys, proba.astype(np.float32), PlanePoints(train, test))


# ---------------------------------------------------------------- lean (unvalidated) builds


def _lean_cases():
    hist = _history(50)
    cm = np.array([[5, 1, 0], [2, 7, 1], [0, 0, 9]])
    return {
        "loss": loss_figure(hist, lr_changes=((10, 0.01),)),
        "accuracy": accuracy_figure(hist),
        "boundary": boundary_figure(_boundary(resolution=20), NAMES3),
        "confusion": confusion_figure(cm, NAMES3, normalise=True),
        "recall": recall_figure(metrics.recall_per_class(cm), NAMES3, balanced_accuracy=0.8),
    }


@pytest.mark.parametrize("name", list(_lean_cases()))
def test_lean_figures_equal_the_validated_build(name):
    """lean_figure skips plotly's validation: a validated rebuild must accept every property and give the same JSON."""
    fig = _lean_cases()[name]
    validated = go.Figure(fig.to_dict())  # raises ValueError on an invalid property
    assert json.loads(pio.to_json(fig, validate=False)) == json.loads(pio.to_json(validated, validate=False))


# ---------------------------------------------------------------- training curves


def test_loss_figure_has_train_and_val_curves():
    fig = loss_figure(_history(20))
    assert isinstance(fig, go.Figure)
    assert [t.name for t in fig.data] == ["train", "validation"]
    np.testing.assert_allclose(fig.data[0].y, 1 / np.arange(1, 21))


def test_lr_changes_become_lines_and_labels():
    fig = loss_figure(_history(30), lr_changes=((10, 0.1), (20, 0.001)))
    assert [s.x0 for s in fig.layout.shapes] == [9.5, 19.5]  # just before the first epoch with the new lr
    assert [a.text.strip() for a in fig.layout.annotations] == ["lr → 0.1", "lr → 0.001"]


def test_loss_switches_to_log_axis_when_it_blows_up():
    h = _history(10)
    assert fig_axis_type(loss_figure(h)) in (None, "linear", "-")
    h["loss"] = np.array([1.0, 5.0, 1e3, 1e9, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan])
    assert fig_axis_type(loss_figure(h)) == "log"


def fig_axis_type(fig: go.Figure):
    return fig.layout.yaxis.type


def test_long_histories_are_downsampled_keeping_the_ends():
    idx = downsample(100_000, limit=1500)
    assert len(idx) <= 1500 and idx[0] == 0 and idx[-1] == 99_999
    fig = accuracy_figure(_history(100_000))
    assert len(fig.data[0].x) <= MAX_POINTS and fig.data[0].x[0] == 1 and fig.data[0].x[-1] == 100_000


def test_accuracy_figure_range_and_empty_history():
    fig = accuracy_figure(_history(5))
    low, high = fig.layout.yaxis.range
    assert low == 0 and high >= 1  # the whole 0-100% scale, whatever the run's accuracies
    assert len(loss_figure({}).data) == 0  # before the first epoch: an empty chart, not an error


def test_progress_text():
    assert progress_text(12, 200, 3.44, 25_400.4) == "epoch 12 / 200 · 3.4 s · 25,400 samples/s"
    assert "– samples/s" in progress_text(0, 200, 0.0, float("nan"))


# ---------------------------------------------------------------- boundary


def _decode_png(uri: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))


def test_boundary_traces_shading_points_and_legend():
    b = _boundary(resolution=50)
    fig = boundary_figure(b, NAMES3)
    assert [t.type for t in fig.data] == ["image", "image", "scatter", "scatter", "scatter", "scatter"]
    assert [t.name for t in fig.data[2:]] == [*NAMES3, "test"]  # legend-only entries
    assert all(t.x == (None,) for t in fig.data[2:]) and fig.data[5].marker.symbol == "circle-open"
    image = _decode_png(fig.data[0].source)
    assert image.shape == (50, 50, 3)
    np.testing.assert_array_equal(image, shade_rgb(b.proba))  # row 0 = ys[0], drawn at y0 (bottom)
    assert fig.data[0].x0 == pytest.approx(b.xs[0]) and fig.data[0].y0 == pytest.approx(b.ys[0])
    assert fig.layout.yaxis.scaleanchor == "x"  # equal units on both axes


def _pixel(layer, x: float, y: float) -> np.ndarray:
    """RGBA of the points layer at data coordinates (x, y); its row 0 is drawn at y0 (the bottom)."""
    rgba = _decode_png(layer.source)
    col = int(round((x - layer.x0) / layer.dx))
    row = int(round((y - layer.y0) / layer.dy))
    return rgba[row, col]


def test_points_are_drawn_into_a_transparent_layer_over_the_plot():
    lone = np.array([[1.2, -0.9]], dtype=np.float32)  # one train point of class 2, one test point elsewhere
    points = PlanePoints(train=(lone, np.array([2])), test=(np.array([[-1.0, 1.0]], dtype=np.float32), np.array([0])))
    b = replace(_boundary(resolution=50), points=points)
    fig = boundary_figure(b, NAMES3)
    layer = fig.data[1]
    rgba = _decode_png(layer.source)
    assert rgba.shape[2] == 4
    # the layer covers exactly the plot's ranges, in square pixels
    for axis, start, step, n in (("x", layer.x0, layer.dx, rgba.shape[1]), ("y", layer.y0, layer.dy, rgba.shape[0])):
        low, high = getattr(fig.layout, f"{axis}axis").range
        assert start - step / 2 == pytest.approx(low) and step * n == pytest.approx(high - low), axis
    assert layer.dx == pytest.approx(layer.dy, rel=0.01)
    colours = class_colours_rgb(3).astype(np.uint8)
    centre = _pixel(layer, 1.2, -0.9)
    np.testing.assert_array_equal(centre, [*colours[2], 255])  # class 2's colour, opaque
    ring_centre = _pixel(layer, -1.0, 1.0)
    assert ring_centre[3] == 0  # a test point is a hollow ring...
    row = rgba[int(round((1.0 - layer.y0) / layer.dy))]  # the layer's row through the ring's centre
    col = int(round((-1.0 - layer.x0) / layer.dx))
    edges = []
    for side in (row[col:], row[: col + 1][::-1]):  # outwards from the centre, right and left
        opaque = np.flatnonzero(side[:, 3] == 255)
        assert len(opaque), "no ring"
        np.testing.assert_array_equal(side[opaque[0], :3], colours[0])  # ...in class 0's colour
        edges.append(opaque[0])
    assert abs(edges[0] - edges[1]) <= 1 and edges[0] > 1  # ...centred on the point, with a hole
    assert (rgba[..., 3] > 0).mean() < 0.01  # everything else stays transparent: the shading shows through


def test_the_points_layer_is_drawn_once_per_run():
    b = _boundary(resolution=100)
    first = boundary_figure(b, NAMES3).data[1].source
    b = replace(b, proba=b.proba[..., ::-1].copy())  # the net learned something; the points did not move
    assert boundary_figure(b, NAMES3).data[1].source is first


def test_boundary_shading_follows_the_winning_class():
    b = _boundary(resolution=40)
    rgb = shade_rgb(b.proba).astype(int)
    # Class 0 wins at angle 0 (right edge, middle row), class 1 at 120°: their pixels differ and match their colours.
    right, upper_left = rgb[20, -1], rgb[-1, 0]
    assert np.abs(right - upper_left).sum() > 60


def test_boundary_nan_probabilities_are_grey_not_black():
    b = _boundary(resolution=10)
    b.proba[:] = np.nan
    rgb = shade_rgb(b.proba)
    assert len(np.unique(rgb)) == 1  # one colour, with equal channels: a grey
    assert rgb.min() > 127  # light, not black


def _sequences(obj, path=""):
    """(path, length) of every list or array inside a figure's dict."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _sequences(value, f"{path}.{key}")
    elif isinstance(obj, (list, tuple, np.ndarray)):
        yield path, len(obj)
        for i, value in enumerate(obj):
            yield from _sequences(value, f"{path}[{i}]")


@pytest.mark.parametrize("n_points", [40, 4000])
def test_the_boundary_ships_as_images_not_as_numbers_per_cell_or_point(n_points):
    """What keeps a live 100x100 boundary cheap to build, send and redraw: the shading and the points are
    two PNGs, so the figure holds no array that grows with the grid or the number of points."""
    rng = np.random.default_rng(0)
    b = _boundary(resolution=100)
    train = (rng.normal(size=(n_points, 2)).astype(np.float32), rng.integers(0, 3, n_points))
    b = replace(b, points=PlanePoints(train, b.points.test))
    fig = boundary_figure(b, NAMES3)
    assert [t["type"] for t in fig.to_dict()["data"][:2]] == ["image", "image"]
    assert _decode_png(fig.data[0].source).shape[:2] == b.proba.shape[:2]  # one pixel per grid cell
    arrays = [(path, n) for path, n in _sequences(fig.to_dict()) if path != ".data"]
    assert max(n for _, n in arrays) < len(fig.data), arrays  # the longest array is shorter than the list of traces


# ---------------------------------------------------------------- evaluation


def test_confusion_z_equals_sklearn():
    rng = np.random.default_rng(1)
    y_true, y_pred = rng.integers(0, 3, 200), rng.integers(0, 3, 200)
    cm = metrics.confusion(torch.as_tensor(y_true), torch.as_tensor(y_pred), 3)
    fig = confusion_figure(cm, NAMES3)
    np.testing.assert_array_equal(np.asarray(fig.data[0].z), confusion_matrix(y_true, y_pred, labels=[0, 1, 2]))
    assert list(fig.data[0].x) == NAMES3 and list(fig.data[0].y) == NAMES3
    assert fig.layout.yaxis.autorange == "reversed"  # true class 0 on top, as in a printed matrix


def test_confusion_normalised_rows_sum_to_one():
    cm = np.array([[5, 5, 0], [0, 0, 0], [1, 2, 7]])
    z = np.asarray(confusion_figure(cm, NAMES3, normalise=True).data[0].z)
    np.testing.assert_allclose(z.sum(axis=1), [1, 0, 1])  # an empty row stays 0, not NaN
    np.testing.assert_allclose(normalise_rows(cm)[0], [0.5, 0.5, 0])


def test_numeric_class_names_stay_categories():
    names = [str(d) for d in range(10)]
    fig = confusion_figure(np.eye(10, dtype=int), names)
    assert fig.layout.xaxis.type == "category" and fig.layout.yaxis.type == "category"


def test_recall_figure_bars_and_balanced_accuracy_line():
    fig = recall_figure(np.array([1.0, np.nan, 0.5]), NAMES3, balanced_accuracy=0.75)
    np.testing.assert_allclose(fig.data[0].x, [1.0, 0.0, 0.5])
    assert list(fig.data[0].text) == ["100%", "n/a", "50%"]
    assert fig.layout.shapes[0].x0 == 0.75 and "75.0%" in fig.layout.title.text


# ---------------------------------------------------------------- data previews


def test_the_preview_draws_the_points_the_live_boundary_draws():
    # the idle page's preview and the first boundary of a run share one points image: Start adds the shading only
    from playground.boundary import plane_of, plane_points
    from playground.figures.boundary import points_figure

    splits = prepare(RunConfig(n_samples=60))
    plane = plane_of(splits)
    points = plane_points(splits, plane)
    grid = BoundaryGrid(xs=plane.xs, ys=plane.ys, proba=np.full((len(plane.ys), len(plane.xs), 3), 1 / 3), points=points)
    preview, live = points_figure(points, plane.xs, plane.ys, NAMES3), boundary_figure(grid, NAMES3)
    images = lambda fig: [t.source for t in fig.data if t.type == "image"]  # noqa: E731
    assert len(images(preview)) == 1 and images(live)[1:] == images(preview)  # live: the shading, then the same points
    assert preview.layout.xaxis.range == live.layout.xaxis.range and preview.layout.yaxis.range == live.layout.yaxis.range
    assert [t.name for t in preview.data[1:]] == [t.name for t in live.data[2:]] == [*NAMES3, "test"]  # the legend


def test_image_grid_montage_shape():
    X = np.random.default_rng(0).random((40, 28 * 28)).astype(np.float32)
    y = np.repeat(np.arange(10), 4)
    fig = image_grid(X, y, (28, 28), per_class=3, gap=2)
    z = np.asarray(fig.data[0].z)
    assert z.shape == (3 * 30 + 2, 10 * 30 + 2, 3)
    assert list(fig.layout.xaxis.ticktext) == [str(d) for d in range(10)]
    np.testing.assert_array_equal(z[2:30, 2:30, 0], ((1 - X[0].reshape(28, 28)) * 255).astype(np.uint8))


def test_class_balance_labels_counts_and_shares():
    fig = class_balance_figure(np.array([500, 268]), ["no diabetes", "diabetes"])
    assert list(fig.data[0].x) == [500, 268]
    assert list(fig.data[0].text) == ["500 (65%)", "268 (35%)"]


