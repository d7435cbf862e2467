"""Widgets <-> race config for pages/race.py.

Every widget key starts with ``race_`` (session state is shared by all pages). Widget values live
in ``st.session_state``; presets and the comparable-footing button write into it from callbacks,
which run before the widgets are drawn, and ``apply_config`` (a preset's, or the URL's on the
page's first run: playground/ui/race_url.py) sets all of it. ``read_config`` turns the state into a
plain dict, which is the cache key of ``run_cached``, the thing compared with a preset and what
the URL encodes.

The race itself never runs here: ``run_cached`` sends the config to the server-wide race worker
process (playground/ui/workers.py) and caches the RaceRun it sends back, so no script thread runs
torch. Why a worker process and not the script thread, nor a process per session: see
playground/worker.py.
"""
from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from playground.optim import OPTIMIZERS
from playground.race import DEFAULT_WEIGHT_DECAY, PRESETS, OptimizerSettings, RaceResult, comparable_settings, summary
from playground.race_task import RaceRun, compute
from playground.surfaces import SURFACES, get_surface
from playground.ui.workers import server_worker
from playground.worker import WorkerClosed, WorkerCrashed, WorkerTimeout

DEFAULT_SURFACE = "rosenbrock"
DEFAULT_OPTIMIZERS = ["sgd", "momentum", "adam"]
DEFAULT_STEPS = 300
CONDITIONS = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]  # bowl: steep / shallow curvature
STEPS_RANGE = (10, 2000)  # the steps slider's limits (its step is 10)
KNOB_MAX = 0.999  # momentum / beta1 / beta2 / rho inputs: [0, KNOB_MAX]
KEEP = dict(persist_state="session")  # widget values survive a page switch
LOG = logging.getLogger(__name__)


def key(*parts: str) -> str:
    return "_".join(("race", *parts))


# ---------------------------------------------------------------- writing state (callbacks)


def _write_optimizer(name: str, s: OptimizerSettings) -> None:
    st.session_state[key("lr", name)] = float(s.lr)
    for knob in OPTIMIZERS[name].knobs:
        st.session_state[key(knob, name)] = float(s.knob(knob))
    st.session_state[key("wd", name)] = float(s.weight_decay)


def apply_comparable() -> None:
    """Comparable learning rates and default knobs, for every optimizer, on the current surface."""
    surface = current_surface()
    for name, s in comparable_settings(surface, list(OPTIMIZERS)).items():
        _write_optimizer(name, s)


def on_surface_change() -> None:
    """A new surface gets its own start point and comparable learning rates (ranges differ a lot)."""
    x, y = SURFACES[st.session_state[key("surface")]].start
    st.session_state[key("start", "x")], st.session_state[key("start", "y")] = float(x), float(y)
    apply_comparable()


def apply_config(config: dict) -> None:
    """Set every race widget to a config shaped like ``read_config``'s (a preset's, or the URL's)."""
    st.session_state[key("surface")] = config["surface"]
    st.session_state[key("condition")] = float(config["params"].get("condition", SURFACES["bowl"].params["condition"]))
    st.session_state[key("start", "x")], st.session_state[key("start", "y")] = map(float, config["start"])
    st.session_state[key("steps")] = int(config["steps"])
    st.session_state[key("optimizers")] = list(config["settings"])
    apply_comparable()  # optimizers outside the config get sensible values too
    for name, s in config["settings"].items():
        _write_optimizer(name, OptimizerSettings(s["lr"], dict(s["knobs"]), s["weight_decay"]))


def apply_preset(name: str) -> None:
    apply_config(preset_config(name))


def initialized() -> bool:
    """Whether this session has race state yet (later visits keep whatever the user set)."""
    return key("surface") in st.session_state


def current_surface():
    name = st.session_state[key("surface")]
    params = {"condition": st.session_state[key("condition")]} if "condition" in SURFACES[name].params else {}
    return get_surface(name, **params)


# ---------------------------------------------------------------- widgets


def preset_buttons() -> None:
    with st.container(horizontal=True, gap="small"):
        for name, preset in PRESETS.items():
            st.button(preset.title, key=key("preset", name), on_click=apply_preset, args=(name,), help=preset.claim,
                      icon=":material/school:")
        st.button("Comparable learning rates", key=key("comparable"), on_click=apply_comparable, icon=":material/balance:",
                  help="Per-surface learning rates that put every selected optimizer on a comparable footing.")


def surface_controls() -> None:
    st.selectbox("Surface", list(SURFACES), key=key("surface"), on_change=on_surface_change, **KEEP)
    surface = SURFACES[st.session_state[key("surface")]]
    st.caption(surface.description)
    if "condition" in surface.params:
        st.select_slider("Condition number", CONDITIONS, key=key("condition"), on_change=apply_comparable, **KEEP,
                         help="Steep / shallow curvature. Changing it rescales the SGD-family rates (lr ∝ 1/condition).")
    x0, y0 = st.columns(2)
    x0.slider("Start x", *map(float, surface.x_range), step=0.01, key=key("start", "x"), **KEEP)
    y0.slider("Start y", *map(float, surface.y_range), step=0.01, key=key("start", "y"), **KEEP)
    st.slider("Steps", *STEPS_RANGE, step=10, key=key("steps"), **KEEP)


def optimizer_controls() -> None:
    # wrap: directly in a column Streamlit keeps the chips on one row that scrolls sideways, so from four
    # optimizers on some chips were cut off ("ad..." for adam at 1280 px)
    st.multiselect("Optimizers", list(OPTIMIZERS), key=key("optimizers"), wrap=True, **KEEP)
    for name in st.session_state[key("optimizers")]:
        inputs = ["lr", *OPTIMIZERS[name].knobs, *(["wd"] if name in DEFAULT_WEIGHT_DECAY else [])]
        st.markdown(f"**{name}**")
        for row in range(0, len(inputs), 3):  # three to a row: adamw's weight decay starts a second one
            for col, field in zip(st.columns(3), inputs[row:row + 3]):
                if field == "lr":
                    col.number_input("lr", min_value=0.0, format="%g", step=0.001, key=key("lr", name), **KEEP)
                else:
                    col.number_input("weight decay" if field == "wd" else field, min_value=0.0,
                                     max_value=None if field == "wd" else KNOB_MAX, step=0.01, format="%g",
                                     key=key(field, name), **KEEP)


# ---------------------------------------------------------------- state -> run


def read_config() -> dict:
    """The whole race as plain data: hashable for st.cache_data and comparable with a preset."""
    s = st.session_state
    surface = current_surface()
    settings = {}
    for name in s[key("optimizers")]:
        knobs = {k: s[key(k, name)] for k in OPTIMIZERS[name].knobs}
        settings[name] = {"lr": s[key("lr", name)], "knobs": knobs, "weight_decay": s.get(key("wd", name), 0.0)}
    return {"surface": surface.name, "params": dict(surface.params), "settings": settings,
            "start": (s[key("start", "x")], s[key("start", "y")]), "steps": s[key("steps")]}


def preset_config(name: str) -> dict:
    p = PRESETS[name]
    settings = {n: {"lr": o.lr, "knobs": {k: o.knob(k) for k in OPTIMIZERS[n].knobs}, "weight_decay": o.weight_decay}
                for n, o in p.settings.items()}
    params = {**SURFACES[p.surface].params, **p.params}
    return {"surface": p.surface, "params": params, "settings": settings, "start": p.start, "steps": p.steps}


def active_preset(config: dict) -> str | None:
    """The preset whose settings the page currently shows, if any."""
    return next((n for n in PRESETS if preset_config(n) == config), None)


class RaceFailed(Exception):
    """The race worker raised something other than a bad setting, crashed or timed out; str() says which."""


@st.cache_data(max_entries=32, show_spinner=False)
def run_cached(config: dict) -> RaceRun:
    """The RaceRun for a config from read_config, computed in the race worker process.

    Raises ValueError naming a bad setting, and RaceFailed for anything else (failures are not cached:
    the next change tries again, in a fresh worker if the last one died).
    """
    try:
        return server_worker().call(compute, config)
    except ValueError:
        raise
    except (WorkerCrashed, WorkerTimeout, WorkerClosed) as err:  # the worker is gone; the next call spawns one
        LOG.error("race worker: %s", err)
        raise RaceFailed(f"{err}. Your next change tries again in a new worker process.") from err
    except Exception as err:  # raised by the race in the worker: the server log gets the worker's traceback
        LOG.error("the race failed in the worker", exc_info=err)
        raise RaceFailed(f"{type(err).__name__}: {err}") from err


def results_table(result: RaceResult) -> None:
    """One row per optimizer: where it ended, how far it walked, whether it diverged.

    The optimizer column holds the bare name ("diverged at" has the step): the charts' longer
    label "sgd (diverged at step 34)" was cut in the table's narrow first column.
    """
    rows = summary(result)["optimizers"]
    table = pd.DataFrame({
        "optimizer": list(rows),
        "lr": [r["lr"] for r in rows.values()],
        "final x": [r["final_point"][0] for r in rows.values()],
        "final y": [r["final_point"][1] for r in rows.values()],
        "final loss": [r["final_loss"] for r in rows.values()],
        "path length": [r["path_length"] for r in rows.values()],
        "diverged at": [r["diverged_at"] for r in rows.values()],
    })
    numbers = {c: st.column_config.NumberColumn(format="%.4g") for c in ("lr", "final x", "final y", "final loss", "path length")}
    st.dataframe(table, hide_index=True, column_config=numbers, key=key("table"))
