"""From widget values to a runnable setup: the data, the config, and what stops a Start."""
from __future__ import annotations

from dataclasses import dataclass, field

from playground.config import DATA_FIELDS, ConfigError, RunConfig, check_against_data
from playground.datasets import DatasetUnavailable, Splits
from playground.ui import model_init, session, state


@dataclass
class Setup:
    cfg: RunConfig | None  # None while some value is outside its limits
    splits: Splits | None  # None while the data is unavailable or its fields are invalid
    problems: list[str] = field(default_factory=list)  # each names a field; any problem disables Start
    notes: list[str] = field(default_factory=list)  # harmless adjustments, e.g. batch size clamped

    @property
    def startable(self) -> bool:
        return self.cfg is not None and self.splits is not None and not self.problems


def load_data() -> tuple[Splits | None, str | None]:
    """Splits for the data fields alone (the rest of the form may be mid-edit), or the message to show."""
    try:
        return session.load_splits(state.config(DATA_FIELDS)), None
    except (ConfigError, DatasetUnavailable) as err:
        return None, str(err)


def resolve(splits: Splits | None) -> Setup:
    """Validate every field, then the checks that need the data (parameter cap, weights per class)."""
    try:
        cfg = state.config()
    except ConfigError as err:
        return Setup(None, splits, [str(err)])
    if splits is None:
        return Setup(cfg, None)
    try:
        _, notes = check_against_data(cfg, splits.n_features, splits.n_classes, len(splits.y_train))
    except ConfigError as err:
        return Setup(cfg, splits, [str(err)])
    problem = model_init.problem(cfg, splits)  # a loaded model file whose shapes this network does not have
    return Setup(cfg, splits, [problem] if problem else [], notes=notes)
