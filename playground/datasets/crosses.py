"""Feature crosses for the 2-D sets, TensorFlow Playground's extra inputs: x1², x2², x1·x2, sin x1, sin x2.

    X = with_crosses(X2, ("x1_squared", "x2_squared"))   # (n, 2) scaled points -> (n, 4) model inputs

Each cross is a RunConfig bool field of the same name (``RunConfig.crosses`` lists those turned on, for
a 2-D set only). The columns are computed from the scaled coordinates, the x1 and x2 the model sees, so
a point's inputs are the same whether it is a training row, a boundary grid point or a unit map's pixel.
Every path from 2-D points to a model goes through ``with_crosses``: the splits (prepare.py), the boundary
plane (boundary.py) and the exported script (which copies this function's source). numpy only.
"""
from __future__ import annotations

import numpy as np

NAMES = {  # RunConfig field -> the input's name (graph nodes, labels), in column order after x1, x2
    "x1_squared": "x1²",
    "x2_squared": "x2²",
    "x1_times_x2": "x1·x2",
    "sin_x1": "sin x1",
    "sin_x2": "sin x2",
}


def with_crosses(X, crosses):
    """(n, 2) points -> (n, 2 + len(crosses)) float32: x1, x2, then one column per cross, in ``crosses`` order."""
    X = np.asarray(X, dtype=np.float32)
    if not crosses:
        return X
    x1, x2 = X[:, 0], X[:, 1]
    column = {"x1_squared": lambda: x1 * x1, "x2_squared": lambda: x2 * x2, "x1_times_x2": lambda: x1 * x2,
              "sin_x1": lambda: np.sin(x1), "sin_x2": lambda: np.sin(x2)}  # fmt: skip
    return np.column_stack([X, *(column[c]() for c in crosses)]).astype(np.float32)


def cross_names(crosses: tuple[str, ...]) -> list[str]:
    """The inputs' names of ``crosses`` (field names): ``["x1²", "x2²"]``."""
    return [NAMES[c] for c in crosses]
