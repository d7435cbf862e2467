"""What an image network has learned, as numbers the page draws: first-layer weight images, the test gallery.

    first = first_layer_images(trainer)   # FirstLayerImages: up to 32 units' weights as 28x28, largest norm first
    digits = test_digits(trainer)         # TestDigits: test images, true labels, predicted probabilities
    order = gallery_order(digits, cell=(4, 9))   # indices of the true-4-predicted-9 digits, most confident first

Computed in the training process (playground/stream.py publishes them on image datasets), so the
page does no torch work. Both pickle: they cross the training process's pipe in the snapshot.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from playground.datasets.mnist import IMAGE_SHAPE

if TYPE_CHECKING:  # the page imports this module's dataclasses (through snapshot) before torch is loaded
    from torch import nn

TOP_UNITS = 32  # first-layer units drawn as images
MAX_GALLERY = 2000  # test digits sent to the page: every mistake, then correct ones up to this (MNIST 70k: 14k tests)


@dataclass(frozen=True)
class FirstLayerImages:
    """The first linear layer's weight rows of its largest-norm units, as images over the input pixels."""

    images: np.ndarray  # (K, 28, 28) float32: unit units[k]'s weight on each (scaled) input pixel
    units: np.ndarray  # (K,) int64: their unit indices in the layer, largest L2 norm first
    norms: np.ndarray  # (K,) float32: their weight rows' L2 norms
    n_units: int  # the layer's width (K <= min(n_units, TOP_UNITS))


@dataclass(frozen=True)
class TestDigits:
    """Test digits with the finished model's predictions (all of them, or every mistake plus correct ones)."""

    images: np.ndarray  # (N, 28, 28) uint8 raw pixels (the scaling undone)
    y_true: np.ndarray  # (N,) int64
    proba: np.ndarray  # (N, C) float32 predicted class probabilities
    n_test: int  # test rows in the split (N < n_test when the split is larger than MAX_GALLERY)

    @property
    def y_pred(self) -> np.ndarray:
        return self.proba.argmax(axis=1)


def top_units(weight: np.ndarray, k: int = TOP_UNITS) -> FirstLayerImages:
    """weight (H, 784) -> the ``k`` rows of largest L2 norm as images (ties: the lower unit first)."""
    norms = np.linalg.norm(weight, axis=1)
    units = np.argsort(-norms, kind="stable")[:k]
    images = weight[units].reshape(len(units), *IMAGE_SHAPE).astype(np.float32)
    return FirstLayerImages(images, units.astype(np.int64), norms[units].astype(np.float32), weight.shape[0])


def first_linear_weight(model: nn.Module) -> np.ndarray:
    """(H, d_in) copy of the first nn.Linear's weight (the output layer's when there is no hidden layer)."""
    import torch
    from torch import nn

    layer = next(m for m in model.modules() if isinstance(m, nn.Linear))
    with torch.no_grad():
        return layer.weight.detach().cpu().numpy().copy()


def first_layer_images(trainer) -> FirstLayerImages | None:
    """The trainer's first-layer images, or None when its inputs are not 28x28 images."""
    if trainer.splits.n_features != IMAGE_SHAPE[0] * IMAGE_SHAPE[1]:
        return None
    return top_units(first_linear_weight(trainer.model))


def raw_pixels(X: np.ndarray, scaler) -> np.ndarray:
    """(N, 784) scaled model inputs -> (N, 28, 28) uint8, the fitted scaling undone (rows were pixels / 255)."""
    raw = X if scaler is None else (X - scaler.offset) / scaler.scale
    return np.clip(np.rint(raw * 255.0), 0, 255).astype(np.uint8).reshape(len(X), *IMAGE_SHAPE)


def test_digits(trainer, limit: int = MAX_GALLERY) -> TestDigits | None:
    """The finished model's predictions on the test split (call from the trainer's thread); None unless image rows."""
    splits = trainer.splits
    if splits.n_features != IMAGE_SHAPE[0] * IMAGE_SHAPE[1] or splits.regression:
        return None
    proba = trainer.predict_proba(splits.X_test).astype(np.float32)  # (n_test, C)
    keep = kept_rows(splits.y_test, proba.argmax(axis=1), limit)
    return TestDigits(raw_pixels(splits.X_test[keep], splits.scaler), splits.y_test[keep].astype(np.int64),
                      proba[keep], len(splits.y_test))  # fmt: skip


def kept_rows(y_true: np.ndarray, y_pred: np.ndarray, limit: int) -> np.ndarray:
    """Row indices, in split order: all of them if there are at most ``limit``, else every mistake
    (so a confusion cell off the diagonal lists all its digits) and the first correct rows up to ``limit``."""
    if len(y_true) <= limit:
        return np.arange(len(y_true))
    wrong = y_true != y_pred
    room = max(limit - int(wrong.sum()), 0)
    keep = wrong | (np.cumsum(~wrong) <= room) & ~wrong
    return np.flatnonzero(keep)


def gallery_order(digits: TestDigits, cell: tuple[int, int] | None = None) -> np.ndarray:
    """Indices into ``digits`` to show: misclassified first (most confident mistake first), then correct
    ones (least confident first: the near misses). ``cell`` = (true, predicted) keeps that confusion cell only."""
    y_pred = digits.y_pred
    confidence = digits.proba[np.arange(len(y_pred)), y_pred]
    wrong = digits.y_true != y_pred
    # lexsort: last key first. Wrong before right; among wrong high confidence first, among right low first.
    order = np.lexsort((np.where(wrong, -confidence, confidence), ~wrong))
    if cell is not None:
        order = order[(digits.y_true[order] == cell[0]) & (y_pred[order] == cell[1])]
    return order
