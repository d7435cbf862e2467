"""A sweep's search space: one ``field=spec`` per RunConfig field, checked before anything runs.

    lr=1e-4:1:log                   float range, sampled on a log scale
    epochs=10:50                    int range (any int field; ``:log`` works too)
    batch_size=16,32,128            categorical: comma-separated values
    layers=16:relu|64:relu,64:relu  categorical with ``|`` between choices (values holding commas)
    optimizer=sgd,momentum,adam     categorical

Values use the URL/CLI syntax (``config.parse_value``). A range needs a numeric field and two
numbers; anything else is a list of choices. ``check`` proves every config the space can produce
passes RunConfig validation: each choice and each range end on the base config, then every
corner of the space together (for cross-field limits such as val_split + test_split), so a bad
space fails here, naming the field, the value and the limit, not in trial 17.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

from playground.config import FIELDS, ConfigError, RunConfig, format_value, parse_value

if TYPE_CHECKING:
    import optuna

NUMERIC = ("int", "float")
GRID_POINTS = 5  # a float range's points in a grid sweep (geometric with :log)
MAX_CORNERS = 4096  # combinations checked together; past this, each parameter is checked alone


@dataclass(frozen=True)
class Range:
    """``low:high[:log]`` of an int or float field; both ends included."""

    name: str
    low: float
    high: float
    log: bool = False
    is_int: bool = False

    def suggest(self, trial: "optuna.Trial") -> Any:
        if self.is_int:
            return trial.suggest_int(self.name, int(self.low), int(self.high), log=self.log)
        return trial.suggest_float(self.name, self.low, self.high, log=self.log)

    def grid(self) -> list:
        """The values a grid sweep tries: every int (up to GRID_POINTS spread), or GRID_POINTS floats."""
        if self.is_int and self.high - self.low + 1 <= GRID_POINTS:
            return list(range(int(self.low), int(self.high) + 1))
        lo, hi = (math.log(self.low), math.log(self.high)) if self.log else (self.low, self.high)
        points = [lo + (hi - lo) * i / (GRID_POINTS - 1) for i in range(GRID_POINTS)]
        values = [math.exp(p) for p in points] if self.log else points
        values[0], values[-1] = self.low, self.high  # exact ends, no exp(log(x)) drift
        return sorted({round(v) for v in values}) if self.is_int else [float(f"{v:.6g}") for v in values]

    def ends(self) -> list:
        return [self.low, self.high]

    def spec(self) -> str:
        ends = f"{format_value(self.name, self._typed(self.low))}:{format_value(self.name, self._typed(self.high))}"
        return f"{self.name}={ends}{':log' if self.log else ''}"

    def _typed(self, v: float) -> Any:
        return int(v) if self.is_int else float(v)

    def to_config_value(self, value: Any) -> Any:
        return int(value) if self.is_int else float(value)


@dataclass(frozen=True)
class Choice:
    """A list of values of any field, kept as their text (Optuna stores str/int/float choices; a layers
    tuple is not one), so the same text is the trial's parameter, the URL value and the flag value."""

    name: str
    texts: tuple[str, ...]

    def suggest(self, trial: "optuna.Trial") -> Any:
        return trial.suggest_categorical(self.name, self.grid())

    def grid(self) -> list:
        """Ints and floats as numbers (so plots put them on an axis), everything else as its text."""
        return [parse_value(self.name, t) if FIELDS[self.name].type in NUMERIC else t for t in self.texts]

    def ends(self) -> list:
        return [parse_value(self.name, t) for t in self.texts]

    def spec(self) -> str:
        sep = "|" if any("," in t for t in self.texts) else ","
        return f"{self.name}={sep.join(self.texts)}"

    def to_config_value(self, value: Any) -> Any:
        return parse_value(self.name, value) if isinstance(value, str) else value


Param = Union[Range, Choice]


@dataclass(frozen=True)
class Space:
    """The parameters of a sweep, in the order given; ``specs()`` round-trips through ``parse_space``."""

    params: tuple[Param, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def specs(self) -> list[str]:
        return [p.spec() for p in self.params]

    def suggest(self, trial: "optuna.Trial", base: RunConfig) -> RunConfig:
        """The trial's config: ``base`` with each parameter as the trial's sampler picks it."""
        return self.config(base, {p.name: p.suggest(trial) for p in self.params})

    def config(self, base: RunConfig, params: dict[str, Any]) -> RunConfig:
        """``base`` with the given trial parameters (Optuna's values: numbers or choice texts)."""
        by_name = {p.name: p for p in self.params}
        return base.replace(**{n: by_name[n].to_config_value(v) for n, v in params.items() if n in by_name})

    def grid(self) -> dict[str, list]:
        """GridSampler's search space: every parameter's values."""
        return {p.name: p.grid() for p in self.params}

    def grid_size(self) -> int:
        return math.prod(len(values) for values in self.grid().values())


# ---------------------------------------------------------------- parsing


def parse_space(specs: list[str] | str, base: RunConfig | None = None) -> Space:
    """Parse ``field=spec`` items (a list, or text with one per line; blank lines and ``#`` comments
    skipped) and ``check`` them against ``base``. Raises ConfigError naming the field, value and limit."""
    if isinstance(specs, str):
        specs = [line.strip() for line in specs.splitlines()]
    params = [parse_param(s) for s in specs if s.strip() and not s.strip().startswith("#")]
    if not params:
        raise ConfigError("search space is empty, must have at least one field=spec (e.g. lr=1e-4:1:log)")
    seen = set()
    for p in params:
        if p.name in seen:
            raise ConfigError(f"field {p.name!r} appears twice in the search space, must appear once")
        seen.add(p.name)
    space = Space(tuple(params))
    check(space, base or RunConfig())
    return space


def parse_param(spec: str) -> Param:
    """One ``field=spec``: a range for an int/float field given ``low:high[:log]``, else a choice list."""
    name, sep, body = spec.strip().partition("=")
    name, body = name.strip().replace("-", "_"), body.strip()
    if not sep or not name:
        raise ConfigError(f"search space item {spec!r}, must be field=values like lr=1e-4:1:log or optimizer=sgd,adam")
    if name not in FIELDS:
        raise ConfigError(f"search space field == {name!r}, must be a RunConfig field (one of {list(FIELDS)})")
    if not body:
        raise ConfigError(f"{name} == '', must have a range low:high[:log] or values a,b,c")
    kind = FIELDS[name].type
    parts = body.split(":")
    if kind in NUMERIC and "," not in body and "|" not in body and len(parts) in (2, 3):
        return _range(name, parts, kind == "int")
    texts = tuple(t.strip() for t in body.split("|" if "|" in body else ","))
    if any(not t for t in texts):
        raise ConfigError(f"{name} == {body!r} has an empty value, must list values like a,b,c (or a|b|c)")
    for t in texts:
        parse_value(name, t)  # "batch_size == 'x', must be an integer"
    canonical = tuple(format_value(name, parse_value(name, t)) for t in texts)
    if len(set(canonical)) != len(canonical):
        raise ConfigError(f"{name} == {body!r} repeats a value, must list each value once")
    return Choice(name, canonical)


def _range(name: str, parts: list[str], is_int: bool) -> Range:
    low_text, high_text, *scale = (p.strip() for p in parts)
    if scale and scale[0].lower() != "log":
        raise ConfigError(f"{name} scale == {scale[0]!r}, must be 'log' or nothing (low:high or low:high:log)")
    low, high = parse_value(name, low_text), parse_value(name, high_text)
    if not low < high:
        raise ConfigError(f"{name} range low == {low_text}, must be < high ({high_text})")
    log = bool(scale)
    if log and low <= 0:
        raise ConfigError(f"{name} range low == {low_text} with log scale, must be > 0")
    return Range(name, low, high, log, is_int)


# ---------------------------------------------------------------- checking


def check(space: Space, base: RunConfig) -> None:
    """Every config the space can produce passes RunConfig validation, else ConfigError naming the field.

    The limits are intervals, so checking a range's two ends checks every value between them; the
    corners of the whole space (every end and choice together) catch cross-field limits."""
    for p in space.params:
        for value in p.ends():
            _try(base, {p.name: value}, p.name, value)
    options = [[(p.name, v) for v in p.ends()] for p in space.params]
    if math.prod(len(o) for o in options) > MAX_CORNERS:
        return
    for corner in itertools.product(*options):
        _try(base, dict(corner), None, None)


def _try(base: RunConfig, values: dict[str, Any], name: str | None, value: Any) -> None:
    try:
        base.replace(**values)
    except ConfigError as err:
        shown = ", ".join(f"{n}={format_value(n, v)}" for n, v in values.items())
        if name is not None and str(err).startswith(f"{name} =="):
            raise  # already names this field, its value and its limit
        raise ConfigError(f"{err} (search space value {shown})") from None
