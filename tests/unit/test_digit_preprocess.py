"""Drawn strokes through MNIST's preprocessing, checked against the 5k subset's own statistics."""
import numpy as np
import pytest
from scipy import ndimage

from playground.datasets.mnist import mnist_subset
from playground.digit_preprocess import (CANVAS_SIDE as CANVAS, PEN_WIDTH, area_matrix, digit_row, fit_in_box, ink_of_rgba,
                                         mass_centre)


def stroke(points: np.ndarray, width: float = PEN_WIDTH, side: int = CANVAS) -> np.ndarray:
    """(side, side) ink of a pen of ``width`` px dragged through ``points`` (M, 2) as (x, y)."""
    yy, xx = np.mgrid[0:side, 0:side]
    ink = np.zeros((side, side))
    dense = np.concatenate([np.linspace(a, b, 40) for a, b in zip(points[:-1], points[1:])])
    for x, y in dense:
        ink[(xx - x) ** 2 + (yy - y) ** 2 <= (width / 2) ** 2] = 1.0
    return ink


def drawn_one() -> np.ndarray:  # a slightly slanted bar, drawn left of centre
    return stroke(np.array([[100.0, 40.0], [85.0, 230.0]]))


def drawn_zero() -> np.ndarray:  # an ellipse in the lower right
    t = np.linspace(0, 2 * np.pi, 60)
    return stroke(np.stack([190 + 45 * np.cos(t), 170 + 70 * np.sin(t)], axis=1))


@pytest.fixture(scope="module")
def dataset():
    X, y, _, _ = mnist_subset()
    return X.reshape(-1, 28, 28), y


@pytest.mark.parametrize("ink, digit", [(drawn_one(), 1), (drawn_zero(), 0)], ids=["one", "zero"])
def test_drawn_digit_looks_like_the_dataset(dataset, ink, digit):
    images, labels = dataset
    row = digit_row(ink)
    assert row.shape == (784,) and row.dtype == np.float32
    img = row.reshape(28, 28)
    # the dataset's scaling: pixels / 255, so [0, 1] with the stroke's core at 1
    assert img.min() == 0.0 and img.max() == pytest.approx(1.0)
    # mass centred like the dataset's (13.99, 14.01) +- 0.29, within a pixel
    cy, cx = ndimage.center_of_mass(img)
    ref = np.array([ndimage.center_of_mass(i) for i in images[:300]]).mean(axis=0)
    assert abs(cy - ref[0]) < 1.0 and abs(cx - ref[1]) < 1.0
    # the longer side is 20 pixels, and the ink sits inside the central 20x20 box... as the dataset's mostly does
    rows, cols = np.flatnonzero(img.any(axis=1)), np.flatnonzero(img.any(axis=0))
    assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 == 20
    outside = 1 - img[4:24, 4:24].sum() / img.sum()
    assert outside < 0.10
    # ink share and stroke darkness within the range of the same digit's images
    same = images[labels == digit]
    share, dark = (img > 0.1).mean(), (img > 0.5).sum() / max((img > 0.1).sum(), 1)
    shares = (same > 0.1).mean(axis=(1, 2))
    assert np.quantile(shares, 0.02) <= share <= np.quantile(shares, 0.98)
    darks = (same > 0.5).sum(axis=(1, 2)) / (same > 0.1).sum(axis=(1, 2))
    assert np.quantile(darks, 0.02) <= dark <= 1.0
    # and it is nearer its own digit's mean image than the other digit's
    other = 1 - digit if digit in (0, 1) else 0
    assert np.abs(img - same.mean(0)).sum() < np.abs(img - images[labels == other].mean(0)).sum()


def test_mass_centre_equals_scipys():
    rng = np.random.default_rng(0)
    for shape in ((28, 28), (7, 19), (20, 3)):
        image = rng.random(shape) * (rng.random(shape) > 0.6)
        np.testing.assert_allclose(mass_centre(image), ndimage.center_of_mass(image), rtol=1e-12)


def test_a_one_keeps_its_aspect():
    img = digit_row(drawn_one()).reshape(28, 28)
    cols = np.flatnonzero(img.any(axis=0))
    assert cols[-1] - cols[0] + 1 < 10  # a thin bar is not stretched to a 20x20 blob


def test_empty_and_speck_canvases_are_empty():
    assert digit_row(np.zeros((CANVAS, CANVAS))) is None
    speck = np.zeros((CANVAS, CANVAS))
    speck[100:103, 100:103] = 1.0
    assert digit_row(speck) is None


def test_area_matrix_averages():
    m = area_matrix(10, 4)
    assert m.shape == (4, 10) and np.allclose(m.sum(axis=1), 1.0)
    assert np.allclose(fit_in_box(np.ones((200, 100))), 1.0)  # a full box stays full, at (20, 10)
    assert fit_in_box(np.ones((200, 100))).shape == (20, 10)


def test_ink_of_rgba_white_on_black_and_transparent():
    rgba = np.zeros((4, 4, 4), dtype=np.uint8)
    rgba[..., 3] = 255  # opaque black
    rgba[1, 1] = (255, 255, 255, 255)
    rgba[2, 2] = (255, 255, 255, 0)  # transparent: no ink
    ink = ink_of_rgba(rgba)
    assert ink[1, 1] == 1.0 and ink[2, 2] == 0.0 and ink[0, 0] == 0.0
