"""A drawn digit -> the 784-pixel row MNIST's own preprocessing would have made of it (numpy only).

    row = digit_row(ink)   # ink (H, W) in [0, 1], 1 = stroke; row (784,) float32 in [0, 1], or None if empty

MNIST (LeCun et al.): each digit was cropped, fitted into a 20x20 box keeping its aspect ratio
(anti-aliased, hence grey edges), and placed in a 28x28 field with its centre of mass at the centre.
The dataset's 5k subset has its mass centre at (13.99, 14.01) +- 0.29 in scipy's index coordinates
and 97% of its ink inside the central 20x20 box; the result here is scaled like the training rows
(pixels / 255, so [0, 1], the stroke's core at 1), and the run's fitted Scaler does the rest.
"""
from __future__ import annotations

import numpy as np

SIDE = 28  # the field
BOX = 20  # the longer side of the fitted digit
CENTRE = 14.0  # where the mass centre goes (index coordinates, as the dataset has it)
INK = 0.05  # a pixel darker than this counts as ink when cropping
MIN_INK_PIXELS = 20  # fewer inked canvas pixels than this is an empty (or nearly empty) canvas
CANVAS_SIDE = 280  # px: the page's drawing canvas (10x the field)
PEN_WIDTH = 24  # px on that canvas: a digit drawn ~200 px tall gets MNIST's ~2.5 px strokes once fitted


def ink_of_rgba(image: np.ndarray) -> np.ndarray:
    """(H, W, 4) uint8 canvas (a light stroke on a dark or transparent background) -> (H, W) ink in [0, 1]."""
    image = np.asarray(image, dtype=np.float32) / 255.0
    return image[..., :3].mean(axis=-1) * image[..., 3]  # transparent pixels are no ink


def area_matrix(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in): each output cell the average of the input cells it covers (fractions at its edges),
    so shrinking is anti-aliased like MNIST's grey-level normalisation rather than sampled."""
    edges = np.linspace(0.0, n_in, n_out + 1)  # output cell o covers [edges[o], edges[o + 1]) of the input
    lo, hi = edges[:-1, None], edges[1:, None]
    cells = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(hi, cells + 1) - np.maximum(lo, cells), 0.0, None)  # (n_out, n_in)
    return overlap / overlap.sum(axis=1, keepdims=True)


def fit_in_box(crop: np.ndarray, box: int = BOX) -> np.ndarray:
    """(h, w) -> (h', w') with max(h', w') == box and the aspect ratio kept (the shorter side at least 1)."""
    h, w = crop.shape
    scale = box / max(h, w)
    out_h, out_w = max(1, round(h * scale)), max(1, round(w * scale))
    return area_matrix(h, out_h) @ crop @ area_matrix(w, out_w).T


def mass_centre(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of the ink's centre of mass, in index coordinates (as scipy.ndimage.center_of_mass;
    numpy here: scipy.ndimage took ~1 s to import, on the page's path)."""
    total = image.sum()
    rows, cols = image.sum(axis=1), image.sum(axis=0)
    return float(rows @ np.arange(len(rows)) / total), float(cols @ np.arange(len(cols)) / total)


def centre_by_mass(digit: np.ndarray, side: int = SIDE) -> np.ndarray:
    """Place (h, w) (each <= side) in a (side, side) field so that its centre of mass lands on CENTRE."""
    cy, cx = mass_centre(digit)
    h, w = digit.shape
    top = int(np.clip(round(CENTRE - cy), 0, side - h))  # whole-pixel shift, kept inside the field
    left = int(np.clip(round(CENTRE - cx), 0, side - w))
    field = np.zeros((side, side), dtype=np.float32)
    field[top:top + h, left:left + w] = digit
    return field


def digit_row(ink: np.ndarray) -> np.ndarray | None:
    """(H, W) ink in [0, 1] -> (784,) float32 in [0, 1] (row-major 28x28, as the dataset's rows); None if empty."""
    ink = np.asarray(ink, dtype=np.float64)
    inked = ink > INK
    if inked.sum() < MIN_INK_PIXELS:
        return None
    rows, cols = np.flatnonzero(inked.any(axis=1)), np.flatnonzero(inked.any(axis=0))
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]  # the ink's bounding box
    digit = fit_in_box(crop)
    digit = digit / digit.max()  # the stroke's core at 1, like the dataset's 255 / 255
    return centre_by_mass(digit).reshape(-1).astype(np.float32)
