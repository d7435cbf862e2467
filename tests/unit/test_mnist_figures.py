"""MNIST figure builders: tiles, labels and probability bars where the numbers say (validated by plotly)."""
import numpy as np
import plotly.graph_objects as go

from playground.figures.mnist import (OTHER, RIGHT, WRONG, digit_proba_figure, drawn_digit_figure, gallery_figure,
                                      weight_images_figure)
from playground.mnist_views import TestDigits, top_units

NAMES = [str(d) for d in range(10)]


def validated(fig: go.Figure) -> go.Figure:
    """``fig`` after plotly's validation of a copy (it rejects a misspelt property); the lean figure keeps arrays."""
    go.Figure(dict(data=[t.to_plotly_json() for t in fig.data], layout=fig.layout.to_plotly_json()))
    return fig


def test_weight_images_one_tile_per_unit_each_scaled_to_its_own_max():
    w = np.random.default_rng(0).normal(size=(40, 784)).astype(np.float32)
    w[5] *= 100
    fig = validated(weight_images_figure(top_units(w)))
    z = np.asarray(fig.data[0].z, dtype=float)
    assert len(fig.layout.annotations) == 32 and fig.layout.annotations[0].text == "unit 5"
    assert np.nanmax(np.abs(z)) == 1.0 and np.sum(np.abs(z) == 1.0) == 32  # each tile's largest |w| at +-1
    assert np.isfinite(z).sum() == 32 * 784


def test_gallery_tiles_labels_and_bars():
    proba = np.full((3, 10), 0.01, dtype=np.float32)
    proba[0, 9], proba[1, 1], proba[2, 7] = 0.91, 0.91, 0.91
    digits = TestDigits(np.full((3, 28, 28), 255, np.uint8), np.array([4, 1, 7]), proba, 3)
    fig = validated(gallery_figure(digits, np.array([0, 1]), NAMES))
    assert [a.text for a in fig.layout.annotations] == ["pred 9 · true 4", "pred 1 · true 1"]
    assert fig.layout.annotations[0].font.color == WRONG
    bars = fig.data[1]
    assert len(bars.x) == 20  # 10 classes under each of the 2 digits
    colours = list(bars.marker.color)
    assert colours[9] == WRONG and colours[4] == RIGHT and colours[0] == OTHER  # digit 0: predicted 9, true 4
    assert colours[10 + 1] == RIGHT and colours.count(WRONG) == 1
    assert np.isfinite(np.asarray(fig.data[0].z, dtype=float)).sum() == 2 * 784


def test_drawn_digit_and_its_probabilities():
    row = np.zeros(784, dtype=np.float32)
    row[14 * 28 + 14] = 1.0
    assert np.asarray(validated(drawn_digit_figure(row)).data[0].z).shape == (28, 28)
    proba = np.full(10, 0.02)
    proba[7] = 0.82
    fig = validated(digit_proba_figure(proba, NAMES))
    assert fig.layout.title.text == "It reads a 7 (82%)"
    assert list(fig.data[0].marker.color).index(RIGHT) == 7
