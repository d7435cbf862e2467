"""The MLP's shape as plain data: the page's layer table and the parameter count, without torch.

``config.check_against_data`` caps the parameter count before any tensor exists, and the page draws
the table in its own threads, which must not run torch. tests/unit/test_model.py checks the counts
against ``build_mlp``'s real parameters.
"""
from __future__ import annotations

from typing import Sequence


def layer_table(n_in: int, layers: Sequence, n_out: int) -> list[dict]:
    """Rows for the page's layer table: input, one per hidden layer, output (logits).

    Parameter counts: Linear has in*out + out; BatchNorm1d has 2*units (running stats are buffers).
    """
    rows, width = [], n_in
    rows.append({"layer": "input", "units": n_in, "activation": "", "dropout": 0.0, "batchnorm": False, "frozen": False,
                 "params": 0})
    for i, spec in enumerate(layers, 1):
        params = width * spec.units + spec.units + (2 * spec.units if spec.batchnorm else 0)
        rows.append(
            {
                "layer": f"hidden {i}",
                "units": spec.units,
                "activation": spec.activation,
                "dropout": spec.dropout,
                "batchnorm": spec.batchnorm,
                "frozen": bool(getattr(spec, "frozen", False)),  # its params never reach the optimizer
                "params": params,
            }
        )
        width = spec.units
    rows.append({"layer": "output", "units": n_out, "activation": "logits", "dropout": 0.0, "batchnorm": False,
                 "frozen": False, "params": width * n_out + n_out})
    return rows


def count_params(n_in: int, layers: Sequence, n_out: int) -> int:
    return sum(row["params"] for row in layer_table(n_in, layers, n_out))
