"""A sweep's Optuna study, kept in the run store's own database (issue 10 §5).

    settings = SweepSettings("lr-sweep", RunConfig(dataset="spiral"), parse_space(["lr=1e-4:1:log"]), trials=20)
    create_sweep(settings)            # the study, with the settings in its user attrs
    load_settings("lr-sweep")         # what a worker on another machine reads: only the name and PLAYGROUND_DB

The storage URL is the run store's (``Location.from_env()``: PLAYGROUND_DB, else the SQLite file under
PLAYGROUND_HOME), so Optuna's tables sit beside the ``playground_*`` ones, and every machine that
can reach the store can join the study. The study minimizes the trials' final validation loss.
"""
from __future__ import annotations

import itertools
import logging
import random
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from playground.config import ConfigError, RunConfig, from_query, to_query
from playground.store.location import Location
from playground.sweep.space import Space, parse_space

if TYPE_CHECKING:
    import optuna

SAMPLERS = ("grid", "random", "tpe")
PRUNERS = ("none", "median", "hyperband")
ATTR = "playground"  # the study user attr holding the settings
SQLITE_TIMEOUT = 60.0  # s a SQLite writer waits for another worker's write (Optuna's default is 5)
HEARTBEAT = 10  # s between a running trial's heartbeats; a worker silent for GRACE s has its trial failed
GRACE = 60
MEDIAN_STARTUP = 5  # trials the median pruner lets finish before it prunes any (Optuna's default)
MEDIAN_WARMUP = 0.2  # of the epochs: no trial is judged before it has trained this share of them


@dataclass(frozen=True)
class SweepSettings:
    """Everything a worker needs to run a study's trials."""

    name: str  # the study name
    base: RunConfig  # the fields the space does not vary
    space: Space
    trials: int  # the study's total, shared by every worker
    sampler: str = "tpe"  # grid | random | tpe
    pruner: str = "none"  # none | median | hyperband (on the per-epoch validation loss)
    seed: int = 0  # the samplers' seed (each trial's sampler is seeded from it and the trial's slot)

    def __post_init__(self) -> None:
        if not self.name.strip() or len(self.name) > 200:
            raise ConfigError(f"study == {self.name!r}, must be 1 to 200 characters")
        if self.sampler not in SAMPLERS:
            raise ConfigError(f"sampler == {self.sampler!r}, must be one of {list(SAMPLERS)}")
        if self.pruner not in PRUNERS:
            raise ConfigError(f"pruner == {self.pruner!r}, must be one of {list(PRUNERS)}")
        if not 1 <= self.trials <= 10_000:
            raise ConfigError(f"trials == {self.trials}, must be in [1, 10000]")
        if self.sampler == "grid" and self.trials > self.space.grid_size():
            raise ConfigError(f"trials == {self.trials}, must be <= {self.space.grid_size()} (the grid's points) "
                              "with the grid sampler")  # fmt: skip
        if self.seed < 0:
            raise ConfigError(f"sampler seed == {self.seed}, must be >= 0")

    def to_attr(self) -> dict[str, Any]:
        return {"base": urlencode(to_query(self.base)), "space": self.space.specs(), "trials": self.trials,
                "sampler": self.sampler, "pruner": self.pruner, "seed": self.seed}  # fmt: skip

    @classmethod
    def from_attr(cls, name: str, attr: dict[str, Any]) -> "SweepSettings":
        base, warnings = from_query(dict(parse_qsl(attr["base"])))
        if warnings:
            raise ConfigError(f"study {name!r} has a base config this playground rejects: {warnings[0]}")
        space = parse_space(list(attr["space"]), base)
        return cls(name, base, space, int(attr["trials"]), attr["sampler"], attr["pruner"], int(attr["seed"]))

    def max_epochs(self) -> int:
        """The most epochs a trial can run (Hyperband's resource): the base's, or the space's top."""
        for p in self.space.params:
            if p.name == "epochs":
                return int(max(p.ends()))
        return self.base.epochs


def storage_url(url: str | None = None) -> str:
    """The run store's URL (``url``, else the environment's), as Optuna's SQLAlchemy storage takes it."""
    url = url or Location.from_env().url
    if url.startswith("postgresql://"):  # SQLAlchemy's plain postgresql:// means psycopg 2; we ship psycopg 3
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_storage(url: str | None = None, heartbeat: bool = False) -> "optuna.storages.RDBStorage":
    """Optuna's RDB storage on the store's database. The run store is opened first, so a SQLite file is
    in WAL mode (readers never block writers) and a bad URL fails with the store's plain message."""
    import optuna

    from playground.store import open_store

    optuna.logging.set_verbosity(logging.WARNING)  # not a line per created study / finished trial on stderr
    open_store(url).close()  # StoreUnavailable names what is wrong (and where the URL came from)
    url = storage_url(url)
    engine_kwargs = {"connect_args": {"timeout": SQLITE_TIMEOUT}} if url.startswith("sqlite") else {"pool_pre_ping": True}
    beat = dict(heartbeat_interval=HEARTBEAT, grace_period=GRACE) if heartbeat else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)  # the heartbeat: experimental since 2.9
        return optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs, **beat)


def make_sampler(settings: SweepSettings, slot: int = 0) -> "optuna.samplers.BaseSampler":
    """The sampler for the trial in ``slot``: seeded from the sweep's seed and the slot, so workers
    started alike do not draw the same configs, and a one-job sweep draws the same trials every time.
    A grid trial's parameters are all fixed to the slot's ``grid_point``."""
    import optuna

    seed = (settings.seed * 1_000_003 + slot) % 2**32
    if settings.sampler == "grid":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)  # stable in use since Optuna 2.4
            return optuna.samplers.PartialFixedSampler(grid_point(settings, slot), optuna.samplers.RandomSampler(seed=seed))
    if settings.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed)


def grid_point(settings: SweepSettings, slot: int) -> dict[str, Any]:
    """The grid sweep's point for ``slot``: the full grid (every parameter's ``grid()`` values, crossed)
    in an order shuffled by the seed. Slots are claimed once each, so each point is tried once however
    many workers share the study. (Optuna's GridSampler may hand two workers the same point, and
    ``enqueue_trial`` lets two SQLite workers pop the same waiting trial: its FOR UPDATE is a no-op there.)"""
    names, values = zip(*settings.space.grid().items())
    points = list(itertools.product(*values))
    random.Random(settings.seed).shuffle(points)
    return dict(zip(names, points[slot % len(points)]))


def make_pruner(settings: SweepSettings) -> "optuna.pruners.BasePruner":
    import optuna

    if settings.pruner == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=MEDIAN_STARTUP, n_warmup_steps=max(1, int(settings.base.epochs * MEDIAN_WARMUP)))
    if settings.pruner == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=settings.max_epochs(), reduction_factor=3)
    return optuna.pruners.NopPruner()


def create_sweep(settings: SweepSettings, url: str | None = None) -> "optuna.Study":
    """A new study named ``settings.name`` holding the settings; ConfigError if the name is taken."""
    import optuna

    from playground.sweep import slots

    storage = make_storage(url)
    try:
        study = optuna.create_study(storage=storage, study_name=settings.name, direction="minimize",
                                    sampler=make_sampler(settings), pruner=make_pruner(settings))  # fmt: skip
    except optuna.exceptions.DuplicatedStudyError:
        raise ConfigError(f"study == {settings.name!r} already exists in this store, must be a new name "
                          f"(join it with: python -m playground sweep-worker --study {settings.name})") from None  # fmt: skip
    study.set_user_attr(ATTR, settings.to_attr())
    slots.ensure_table(storage.engine)
    return study


def load_settings(name: str, storage: "optuna.storages.BaseStorage") -> SweepSettings:
    """The settings a study was created with; ConfigError when there is no such playground study."""
    try:
        study_id = storage.get_study_id_from_name(name)
    except KeyError:
        raise ConfigError(f"study == {name!r} is not in this store, must be one of {study_names(storage)}") from None
    attr = storage.get_study_user_attrs(study_id).get(ATTR)
    if attr is None:
        raise ConfigError(f"study == {name!r} was not made by the playground (it has no {ATTR!r} user attr)")
    return SweepSettings.from_attr(name, attr)


def open_study(name: str, storage: "optuna.storages.BaseStorage") -> tuple[SweepSettings, "optuna.Study"]:
    import optuna

    settings = load_settings(name, storage)
    study = optuna.load_study(study_name=name, storage=storage, sampler=make_sampler(settings), pruner=make_pruner(settings))
    return settings, study


def study_names(storage: "optuna.storages.BaseStorage") -> list[str]:
    """The playground studies in the storage, newest first."""
    studies = storage.get_all_studies()
    return [s.study_name for s in sorted(studies, key=lambda s: -s._study_id) if ATTR in s.user_attrs]
