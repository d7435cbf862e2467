"""DATASETS registry: name -> DatasetInfo. The page's dataset picker lists these keys."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np

from playground.datasets import mnist, tabular, toy

if TYPE_CHECKING:
    from playground.config import RunConfig


@dataclass(frozen=True)
class DatasetInfo:
    title: str  # shown in the picker
    kind: str  # "2d" (generated plane) | "tabular" | "image"
    load: Callable[["RunConfig"], tuple]  # cfg -> (X, y, feature_names, class_names)
    uses: tuple[str, ...]  # config fields that change this set (the page shows only these)
    about: str  # one line for the page


def _toy(fn):
    return lambda cfg: (*fn(cfg.n_samples, cfg.classes, cfg.noise, np.random.default_rng(cfg.seed)), ["x1", "x2"], None)


DATASETS: dict[str, DatasetInfo] = {
    "spiral": DatasetInfo("Spiral", "2d", _toy(toy.spiral), ("n_samples", "classes", "noise"),
                          "Interleaved spiral arms, one per class: needs a non-linear boundary."),
    "circles": DatasetInfo("Circles", "2d", _toy(toy.circles), ("n_samples", "noise"),
                           "A disc inside a ring: separable by radius, not by any line."),
    "xor": DatasetInfo("XOR", "2d", _toy(toy.xor), ("n_samples", "noise"),
                       "Quadrants labelled by the sign of x1*x2: the classic problem a single layer cannot solve."),
    "blobs": DatasetInfo("Gaussian blobs", "2d", _toy(toy.blobs), ("n_samples", "classes", "noise"),
                         "Gaussian clusters on a circle: nearly linear, a good first run."),
    "wine": DatasetInfo("Wine", "tabular", lambda cfg: tabular.wine(), (),
                        "178 wines, 13 chemical measurements, 3 cultivars (scikit-learn)."),
    "pima": DatasetInfo("Pima Indians diabetes", "tabular", lambda cfg: tabular.pima(cfg.pima_missing), ("pima_missing",),
                        "768 patients, 8 measurements, diabetes yes/no (500/268); zeros mean 'not measured'."),
    "wine_quality": DatasetInfo("Red wine quality", "tabular", lambda cfg: tabular.wine_quality(), (),
                                "1,599 red wines, 11 measurements, quality 3-8: heavily unbalanced classes."),
    "ionosphere": DatasetInfo("Ionosphere", "tabular", lambda cfg: tabular.ionosphere(), (),
                              "351 radar returns, 34 features, good/bad."),
    "mnist": DatasetInfo("MNIST (5k subset)", "image", lambda cfg: mnist.mnist_subset(), (),
                         "5,000 handwritten digits, 28x28 pixels, 10 classes; bundled, works offline."),
    "mnist_full": DatasetInfo("MNIST (70k)", "image", lambda cfg: mnist.mnist_full(), (),
                              "All 70,000 digits; downloaded from OpenML once, then cached."),
}
