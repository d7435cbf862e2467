"""Which settings tell runs apart: the columns of a runs table and the names in a comparison legend.

    fields = differing_fields([cfg_a, cfg_b])      # ("optimizer",)
    describe(cfg_a, fields)                       # "optimizer=sgd"

A field counts only where it matters: a dataset's own field (``classes``, ``pima_missing``...) is
compared as "not used" for a dataset that ignores it, so spiral vs circles differs in ``dataset``
and not also in ``classes``. Torch-free, like playground.config.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from playground.config import DATA_FIELDS, FIELDS, RunConfig, dataset_uses, format_value

UNUSED = "–"  # shown for a field the run's dataset ignores


def effective_value(cfg: RunConfig, name: str) -> str:
    """``name``'s value as the URL writes it, or UNUSED when ``cfg.dataset`` ignores that field."""
    if name in DATA_FIELDS and FIELDS[name].metadata["datasets"] is not None and name != "dataset":
        if name not in dataset_uses(cfg.dataset):
            return UNUSED
    return format_value(name, getattr(cfg, name))


def differing_fields(configs: Iterable[RunConfig]) -> tuple[str, ...]:
    """The fields (in RunConfig order) whose effective values are not all equal; () for fewer than two configs."""
    configs = list(configs)
    if len(configs) < 2:
        return ()
    return tuple(name for name in FIELDS if len({effective_value(c, name) for c in configs}) > 1)


def describe(cfg: RunConfig, fields: Sequence[str], limit: int = 3) -> str:
    """``"optimizer=sgd, lr=0.01"``: ``cfg``'s values of the first ``limit`` ``fields`` (then "…"), for a legend."""
    shown = [f"{name}={effective_value(cfg, name)}" for name in fields[:limit]]
    return ", ".join(shown) + (", …" if len(fields) > limit else "")
