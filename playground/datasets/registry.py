"""DATASETS registry: name -> DatasetInfo. The page's dataset picker lists these keys.

The keys are ``names.DATASET_NAMES`` (config validates against those); which config fields change
a set (``uses``) is read from RunConfig's field metadata, so a new field is declared in config.py alone.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from playground.config import RunConfig, dataset_uses
from playground.datasets import mnist, planes, tabular, toy
from playground.names import DATASET_NAMES


@dataclass(frozen=True)
class DatasetInfo:
    title: str  # shown in the picker
    kind: str  # "2d" (generated plane) | "tabular" | "image"
    load: Callable[[RunConfig], tuple]  # cfg -> (X, y, feature_names, class_names); regression: y float32, no classes
    about: str  # one line for the page
    uses: tuple[str, ...] = ()  # config fields that change this set (the page shows only these): config.dataset_uses


def _toy(fn):
    return lambda cfg: (*fn(cfg.n_samples, cfg.classes, cfg.noise, np.random.default_rng(cfg.seed)), ["x1", "x2"], None)


def _wine_quality(cfg: RunConfig) -> tuple:
    return tabular.wine_quality_score() if cfg.regression else tabular.wine_quality()


_SETS: dict[str, DatasetInfo] = {  # without uses: the registry below reads them from RunConfig
    "spiral": DatasetInfo("Spiral", "2d", _toy(toy.spiral),
                          "Interleaved spiral arms, one per class: needs a non-linear boundary."),
    "circles": DatasetInfo("Circles", "2d", _toy(toy.circles),
                           "A disc inside a ring: separable by radius, not by any line."),
    "xor": DatasetInfo("XOR", "2d", _toy(toy.xor),
                       "Quadrants labelled by the sign of x1*x2: the classic problem a single layer cannot solve."),
    "blobs": DatasetInfo("Gaussian blobs", "2d", _toy(toy.blobs),
                         "Gaussian clusters on a circle: nearly linear, a good first run."),
    "plane": DatasetInfo("Tilted plane (regression)", "2d", _toy(planes.plane),
                         "Regression: the target is (x1 + x2) / 2, a tilted plane; one linear unit fits it."),
    "gaussians": DatasetInfo("Sum of Gaussians (regression)", "2d", _toy(planes.gaussians),
                             "Regression: six bumps of alternating sign; the network must learn a wavy surface."),
    "wine": DatasetInfo("Wine", "tabular", lambda cfg: tabular.wine(),
                        "178 wines, 13 chemical measurements, 3 cultivars (scikit-learn)."),
    "pima": DatasetInfo("Pima Indians diabetes", "tabular", lambda cfg: tabular.pima(cfg.pima_missing),
                        "768 patients, 8 measurements, diabetes yes/no (500/268); zeros mean 'not measured'."),
    "wine_quality": DatasetInfo("Red wine quality", "tabular", _wine_quality,
                                "1,599 red wines, 11 measurements, quality 3-8: heavily unbalanced classes, "
                                "or a number to predict (task regression)."),
    "ionosphere": DatasetInfo("Ionosphere", "tabular", lambda cfg: tabular.ionosphere(),
                              "351 radar returns, 34 features, good/bad."),
    "mnist": DatasetInfo("MNIST (5k subset)", "image", lambda cfg: mnist.mnist_subset(),
                         "5,000 handwritten digits, 28x28 pixels, 10 classes; bundled, works offline."),
    "mnist_full": DatasetInfo("MNIST (70k)", "image", lambda cfg: mnist.mnist_full(),
                              "All 70,000 digits; downloaded from OpenML once, then cached."),
}

# in names.DATASET_NAMES order; a name without a set fails here, at import
DATASETS: dict[str, DatasetInfo] = {name: replace(_SETS[name], uses=dataset_uses(name)) for name in DATASET_NAMES}
