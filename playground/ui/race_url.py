"""URL <-> race setup: the query string holds what differs from the defaults, so a link reproduces a race.

    /race?surface=beale&opt=sgd+adam&sgd.lr=0.001&adam.lr=0.02&steps=500&x=-1.5&y=2

    surface     SURFACES key                      condition   the bowl's condition number (bowl only)
    x, y        start point (the sliders' range)  steps       10 .. 2000
    opt         the optimizers, in race order: space (``+`` in a URL) or comma separated
    <opt>.lr    learning rate of a selected optimizer; also <opt>.momentum / .beta1 / .beta2 / .rho
                (only the knobs that optimizer reads) and <opt>.wd (adamw's weight decay)

``SETUP`` and ``PER_OPTIMIZER`` are the one table of these keys: parsing, checking and writing
all read it. The defaults depend on the surface, as the page's do when a surface is chosen: its
start point, its comparable learning rates (``playground.race.comparable_settings``, scaled by the
bowl's condition) and the default knobs; so ``?surface=beale`` alone is the race the page shows
after choosing Beale. Unknown keys are ignored; a bad value keeps the default and gives a warning naming
the parameter, the value and why.

The keys are chosen so that Streamlit's URL encoding leaves them readable (letters, digits, ``.``
and ``-``; ``+`` for the spaces between optimizers) and none is a Playground key: the race page
writes and deletes only its own keys, so a key of another page in the query string is left alone
(``st.query_params`` is one per session; page switches start from the new page's own URL).
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from playground.optim import DEFAULT_KNOBS, OPTIMIZERS
from playground.race import DEFAULT_WEIGHT_DECAY, comparable_settings
from playground.surfaces import SURFACES, get_surface
from playground.ui import race_controls as ui

LOADED = "race_url_loaded"  # session_state: (config read from the URL, its warnings)
BOWL_CONDITION = float(SURFACES["bowl"].params["condition"])


class BadValue(ValueError):
    """A URL value that does not parse or is out of range; str() says why."""


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Param:
    parse: Callable[[str], Any]  # URL text -> value; raises ValueError / BadValue
    check: Callable[[Any, str], str | None]  # (value, surface name) -> why it is out of range, or None
    format: Callable[[Any], str]  # value -> URL text


def _number(value: float) -> str:
    return format(value, ".12g")  # 0.001, -1.5, 2, 1e-05: shortest for what the widgets hold


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadValue("must be a finite number")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise BadValue("must be an integer") from None


def _names(text: str) -> tuple[str, ...]:
    names = [n for n in re.split(r"[\s,+]+", text.strip()) if n]
    unknown = [n for n in names if n not in OPTIMIZERS]
    if unknown:
        raise BadValue(f"{', '.join(map(repr, unknown))} not among {', '.join(OPTIMIZERS)}")
    return tuple(dict.fromkeys(names))  # in order, once each


def _one_of(options) -> Callable[[Any, str], str | None]:
    return lambda value, _: None if value in options else f"must be one of {', '.join(map(_text, options))}"


def _between(low: float, high: float) -> Callable[[Any, str], str | None]:
    return lambda value, _: None if low <= value <= high else f"must be in [{_text(low)}, {_text(high)}]"


def _in_window(axis: str) -> Callable[[float, str], str | None]:
    """Inside the surface's plot window: the start sliders' limits."""
    def check(value: float, surface: str) -> str | None:
        low, high = getattr(SURFACES[surface], f"{axis}_range")
        return None if low <= value <= high else f"must be in [{_text(low)}, {_text(high)}] on {surface}"
    return check


def _positive(value: float, _: str) -> str | None:
    return None if value > 0 else "must be > 0"


def _non_negative(value: float, _: str) -> str | None:
    return None if value >= 0 else "must be >= 0"


def _text(value: Any) -> str:
    return _number(value) if isinstance(value, float) else str(value)


def _anything(_: Any, __: str) -> None:
    return None


SETUP: dict[str, Param] = {  # in the order a link lists them
    "surface": Param(str, _one_of(tuple(SURFACES)), str),
    "condition": Param(_float, _one_of(tuple(ui.CONDITIONS)), _number),
    "x": Param(_float, _in_window("x"), _number),
    "y": Param(_float, _in_window("y"), _number),
    "steps": Param(_int, _between(*ui.STEPS_RANGE), str),
    "opt": Param(_names, _anything, " ".join),  # urlencode writes the spaces as "+"
}
PER_OPTIMIZER: dict[str, Param] = {  # "<optimizer>.<name>"; knobs only for the optimizers that read them
    "lr": Param(_float, _positive, _number),
    **{knob: Param(_float, _between(0.0, ui.KNOB_MAX), _number) for knob in DEFAULT_KNOBS},
    "wd": Param(_float, _non_negative, _number),
}


def _nesterov_momentum(value: float, _: str) -> str | None:
    """Nesterov's look-ahead needs momentum: torch refuses 0 (the race would stop with that error)."""
    return None if 0.0 < value <= ui.KNOB_MAX else f"must be in (0, {_number(ui.KNOB_MAX)}] for nesterov"


NESTEROV_MOMENTUM = Param(_float, _nesterov_momentum, _number)


def _settings_of(name: str) -> tuple[str, ...]:
    """The per-optimizer keys ``name`` has: lr, the knobs it reads, wd if the page shows it."""
    return ("lr", *OPTIMIZERS[name].knobs, *(("wd",) if name in DEFAULT_WEIGHT_DECAY else ()))


def param(key: str) -> Param | None:
    """The table row for a URL key (``steps``, ``adam.beta1``), or None for a key the race does not own."""
    if key in SETUP:
        return SETUP[key]
    name, _, setting = key.partition(".")
    if (name, setting) == ("nesterov", "momentum"):
        return NESTEROV_MOMENTUM
    return PER_OPTIMIZER[setting] if name in OPTIMIZERS and setting in _settings_of(name) else None


def owns(key: str) -> bool:
    return param(key) is not None


# ---------------------------------------------------------------- config <-> flat values


def defaults(surface: str = ui.DEFAULT_SURFACE, condition: float = BOWL_CONDITION) -> dict[str, Any]:
    """Every key's default on ``surface`` (condition only for the bowl): what the page shows after choosing it."""
    s = get_surface(surface, condition=condition) if "condition" in SURFACES[surface].params else get_surface(surface)
    flat = {"surface": surface, **({"condition": float(condition)} if "condition" in s.params else {}),
            "x": float(s.start[0]), "y": float(s.start[1]), "steps": ui.DEFAULT_STEPS, "opt": tuple(ui.DEFAULT_OPTIMIZERS)}
    for name, settings in comparable_settings(s, list(OPTIMIZERS)).items():
        flat.update(_flat_optimizer(name, settings.lr, {k: settings.knob(k) for k in OPTIMIZERS[name].knobs},
                                    settings.weight_decay))
    return flat


def _flat_optimizer(name: str, lr: float, knobs: dict[str, float], weight_decay: float) -> dict[str, float]:
    values = {"lr": lr, **knobs, "wd": weight_decay}
    return {f"{name}.{k}": float(values[k]) for k in _settings_of(name)}


def flatten(config: dict) -> dict[str, Any]:
    """A config from ``race_controls.read_config`` as URL keys -> values (only the selected optimizers' settings)."""
    flat = {"surface": config["surface"], **{k: float(v) for k, v in config["params"].items()},
            "x": float(config["start"][0]), "y": float(config["start"][1]), "steps": config["steps"],
            "opt": tuple(config["settings"])}
    for name, s in config["settings"].items():
        flat.update(_flat_optimizer(name, s["lr"], s["knobs"], s["weight_decay"]))
    return flat


def unflatten(flat: dict[str, Any]) -> dict:
    """URL keys -> values (every key, as from ``defaults``) back to a ``read_config`` config."""
    settings = {}
    for name in flat["opt"]:
        settings[name] = {"lr": flat[f"{name}.lr"], "knobs": {k: flat[f"{name}.{k}"] for k in OPTIMIZERS[name].knobs},
                          "weight_decay": flat.get(f"{name}.wd", 0.0)}
    params = {"condition": flat["condition"]} if "condition" in flat else {}
    return {"surface": flat["surface"], "params": params, "settings": settings, "start": (flat["x"], flat["y"]),
            "steps": flat["steps"]}


# ---------------------------------------------------------------- the codec


def to_query(config: dict) -> dict[str, str]:
    """The keys whose values differ from the defaults on the config's surface, as URL text (short links)."""
    flat = flatten(config)
    base = defaults(flat["surface"], flat.get("condition", BOWL_CONDITION))  # the rest depends on these two:
    base |= {"surface": ui.DEFAULT_SURFACE, "condition": BOWL_CONDITION}  # they differ from the page's defaults
    return {k: param(k).format(v) for k, v in flat.items() if v != base[k]}


def from_query(params: dict[str, str | list[str]]) -> tuple[dict, list[str]]:
    """A ``read_config`` config from query parameters, and one warning per rejected parameter.

    Keys the race does not own are ignored; a bad value keeps the default. The surface (and the
    bowl's condition) come first, since the other defaults and limits depend on them; then the
    optimizers, since only the selected ones' settings are read.
    """
    texts = {k: (v[-1] if isinstance(v, list) else v) for k, v in params.items() if owns(k)}
    flat, warnings = defaults(), []

    def read(key: str) -> None:
        if key not in texts:
            return
        text = texts[key]
        try:
            value = param(key).parse(text)
            why = param(key).check(value, flat["surface"])
            shown = _text(value) if isinstance(value, (int, float)) else repr(text)
        except ValueError as err:  # BadValue says why; float("abc") says "could not convert ..."
            why, shown = (str(err) if isinstance(err, BadValue) else "must be a number"), repr(text)
        if why is None:
            flat[key] = value
        else:
            warnings.append(f"URL parameter {key}={text!r} ignored ({key} == {shown}, {why}); "
                            f"using {param(key).format(flat[key])!r}.")

    read("surface")
    flat = defaults(flat["surface"])
    if "condition" in flat:  # the bowl
        read("condition")
        flat = defaults(flat["surface"], flat["condition"])
    read("opt")
    for key, text in texts.items():
        name, dot, _ = key.partition(".")
        if not dot:
            if key not in ("surface", "condition", "opt"):
                read(key)
        elif name in flat["opt"]:
            read(key)
        else:
            warnings.append(f"URL parameter {key}={text!r} ignored ({name} is not among the optimizers "
                            f"opt={' '.join(flat['opt'])!r}).")
    return unflatten(flat), warnings


# ---------------------------------------------------------------- the page


def load_once() -> None:
    """On the race page's first run in a session, set every race widget from the URL (bad values keep the default)."""
    if ui.initialized():
        return
    config, warnings = from_query(st.query_params.to_dict())
    ui.apply_config(config)
    st.session_state[LOADED] = (config, warnings)


def show_warnings(config: dict) -> None:
    """The URL's rejected parameters, until the user changes the race they describe."""
    loaded, warnings = st.session_state.get(LOADED, (None, []))
    if config == loaded:
        for message in warnings:
            st.warning(message, icon=":material/link_off:")


def sync(config: dict) -> None:
    """Rewrite the race's keys in the query string to match ``config``; other keys stay as they are.

    Writes only when something differs (each write is a message to the browser).
    """
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    query = to_query(config)
    wanted = {k: v for k, v in current.items() if not owns(k)} | {k: [v] for k, v in query.items()}
    if wanted != current:
        st.query_params.from_dict({k: v[0] if len(v) == 1 else v for k, v in wanted.items()})
