"""The Sweeps page's Streamlit parts: the setup form, the running sweep's progress and Stop, a study's plots and trials.

The sweep itself runs in worker processes (playground/sweep/runner.py: all torch work is there);
this module creates the study, holds the session's SweepRunner in a session-scoped resource (so
the session's end stops its workers), and reads studies from the storage: Optuna's tables in the
run store's database, so sweeps started from the CLI or other machines are listed too.
"""
from __future__ import annotations

import os
import time
from urllib.parse import urlencode

import streamlit as st

from playground.config import DATASET_NAMES, FIELDS, MAX_EPOCHS, ConfigError, from_query, to_query
from playground.figures.sweep import KINDS, NotApplicable, study_figure
from playground.store import Location, StoreUnavailable
from playground.sweep import PRUNERS, SAMPLERS, SweepProgress, SweepRunner, SweepSettings, create_sweep, parse_space
from playground.sweep.base import parse_base
from playground.sweep.report import as_flags, best_config, trial_rows
from playground.sweep.study import make_storage, open_study, study_names
from playground.ui.charts import chart

DEFAULT_SPACE = "lr=1e-4:1:log\nbatch_size=16,32,128\noptimizer=sgd,momentum,adam"
SETUP_FIELDS = ("dataset", "epochs")  # widgets of their own; the text holds the other base fields
POLL = 1.0  # s between progress refreshes while a sweep runs
SEEN = "_sweep_seen"  # session_state: (finished trials, workers done) when the page last redrew


class SweepSlot:
    """The session's sweep: a SweepRunner while one runs (or has run), closed with the session."""

    def __init__(self) -> None:
        self.runner: SweepRunner | None = None

    def close(self) -> None:
        if self.runner is not None:
            self.runner.close()


@st.cache_resource(scope="session", on_release=lambda slot: slot.close(), show_spinner=False)
def session_sweep() -> SweepSlot:
    return SweepSlot()


@st.cache_resource(show_spinner=False, on_release=lambda storage: storage.engine.dispose())
def _storage(url: str):
    return make_storage(url)


def storage():
    """Optuna's storage on the run store's database (server-wide), or None with the reason shown."""
    try:
        return _storage(Location.from_env().url)
    except StoreUnavailable as err:
        st.error(f"Sweeps need the run store, and it cannot be opened: {err}", icon=":material/cloud_off:")
        return None


# ---------------------------------------------------------------- setup


def _playground_base() -> tuple[str, dict]:
    """The base fields of the Playground's URL config, if this page was opened with one: (query text, setup fields)."""
    params = {k: v for k, v in st.query_params.to_dict().items() if k in FIELDS}
    cfg, _ = from_query(params)
    query = to_query(cfg)
    return urlencode({k: v for k, v in query.items() if k not in SETUP_FIELDS}), {k: getattr(cfg, k) for k in SETUP_FIELDS}


def setup_form(running: bool) -> tuple[SweepSettings, int] | None:
    """The new-sweep widgets; (settings, jobs) when Start was pressed with a valid setup, else None.
    A bad base or space is said plainly under its widget and disables Start."""
    query, setup = _playground_base()
    left, right = st.columns(2)
    dataset = left.selectbox("Dataset", DATASET_NAMES, index=DATASET_NAMES.index(setup["dataset"]), key="sweep_dataset")
    epochs = right.number_input("Epochs", 1, MAX_EPOCHS, int(setup["epochs"]), key="sweep_epochs")
    base_text = st.text_input("Other base fields", query, key="sweep_base", placeholder="URL query or train flags",
                              help="The fields the sweep does not vary, as a Playground link's query "
                                   "(layers=64%3Arelu&lr=0.01) or as train flags (--layers 64:relu --lr 0.01).")  # fmt: skip
    base = space = None
    try:
        base = parse_base(base_text).replace(dataset=dataset, epochs=int(epochs))
    except ConfigError as err:
        st.error(f"Base config: {err}", icon=":material/error:")
    space_text = st.text_area("Search space", DEFAULT_SPACE, key="sweep_space", height=112,
                              help="One field=spec a line: lr=1e-4:1:log (range, log scale), epochs=10:50 (int range), "
                                   "batch_size=16,32,128 or layers=16:relu|64:relu,64:relu (choices; | when values "
                                   "hold commas).")  # fmt: skip
    if base is not None:
        try:
            space = parse_space(space_text, base)
        except ConfigError as err:
            st.error(f"Search space: {err}", icon=":material/error:")
    a, b = st.columns(2)
    trials = a.number_input("Trials", 1, 10_000, 20, key="sweep_trials")
    jobs = b.number_input("Parallel jobs", 1, 4 * (os.cpu_count() or 1), os.cpu_count() or 1, key="sweep_jobs",
                          help="Worker processes, one torch thread each (default: one per core).")  # fmt: skip
    sampler = a.selectbox("Sampler", SAMPLERS, index=SAMPLERS.index("tpe"), key="sweep_sampler")
    pruner = b.selectbox("Pruner", PRUNERS, index=PRUNERS.index("median"), key="sweep_pruner",
                         help="Stops trials whose validation loss lags the others' at the same epoch.")  # fmt: skip
    named, go = st.columns([3, 2], vertical_alignment="bottom")
    name = named.text_input("Study name", st.session_state.setdefault("_sweep_default_name", time.strftime("sweep-%m%d-%H%M%S")),
                            key="sweep_name")  # fmt: skip
    settings = None
    if space is not None:
        n = int(trials)
        if sampler == "grid" and n > space.grid_size():
            st.caption(f"The grid has {space.grid_size()} points: {space.grid_size()} trials.")
            n = space.grid_size()
        try:
            settings = SweepSettings(name.strip(), base, space, n, sampler, pruner)
        except ConfigError as err:
            st.error(str(err), icon=":material/error:")
    pressed = go.button("Start", key="sweep_start", type="primary", icon=":material/play_arrow:",
                        disabled=settings is None or running, width="stretch")  # fmt: skip
    return (settings, int(jobs)) if pressed and settings is not None else None


def start(settings: SweepSettings, jobs: int) -> bool:
    """Create the study and start its workers; False (with the reason shown) when the study cannot be made."""
    slot = session_sweep()
    try:
        create_sweep(settings)
        runner = SweepRunner(settings.name, jobs=jobs)
    except (ConfigError, StoreUnavailable) as err:
        st.error(str(err), icon=":material/error:")
        return False
    slot.close()
    runner.start()
    slot.runner = runner
    st.session_state["sweep_study"] = settings.name  # the picker shows the new study
    st.session_state.pop("_sweep_default_name", None)  # the next sweep gets a new default name,
    st.session_state.pop("sweep_name", None)  # shown in the name field (this one is taken now)
    st.session_state[SEEN] = None
    return True


# ---------------------------------------------------------------- progress


def describe(p: SweepProgress) -> str:
    best = "no complete trial yet" if p.best_value is None else f"best val loss {p.best_value:.4f} (trial {p.best_trial})"
    parts = [f"{p.done}/{p.total} trials", f"{p.complete} complete · {p.pruned} pruned · {p.failed} failed", best]
    if p.finished:
        parts.append(("stopped" if p.stopping else "done") + f" in {p.elapsed:.0f} s")
    elif p.stopping:
        parts.append("stopping…")
    else:
        parts.append(f"{p.running} running" + ("" if p.eta is None else f" · ETA {p.eta:.0f} s"))
    return " · ".join(parts)


def progress_panel() -> None:
    """The session's sweep: a progress bar and Stop, refreshed every POLL s while it runs."""
    runner = session_sweep().runner
    if runner is None:
        return
    running = not runner.progress().finished
    (st.fragment(run_every=POLL)(_progress) if running else _progress)()


def _progress() -> None:
    runner = session_sweep().runner
    p = runner.progress()
    bar, stop = st.columns([5, 1], vertical_alignment="bottom")
    bar.progress(p.fraction, text=f"**{p.study}** · {describe(p)}")
    if stop.button("Stop", key="sweep_stop", icon=":material/stop:", disabled=p.finished,
                   help="Ends the running trials at their next epoch; finished trials are kept.", width="stretch"):  # fmt: skip
        runner.stop()
        st.rerun(scope="app")
    seen = (p.done, p.finished)
    if seen != st.session_state.get(SEEN):  # a trial ended, or the workers did: redraw the study and the form
        st.session_state[SEEN] = seen
        st.rerun(scope="app")


# ---------------------------------------------------------------- a study


def study_picker(storage) -> str | None:
    names = study_names(storage)
    if not names:
        st.info("No sweeps in the store yet: set one up on the left and press Start.", icon=":material/tune:")
        return None
    if st.session_state.get("sweep_study") not in names:
        st.session_state["sweep_study"] = names[0]
    return st.selectbox("Study", names, key="sweep_study", help="Every study in the run store, newest first: "
                        "from this page, the CLI (sweep) or workers on other machines.")  # fmt: skip


@st.cache_data(show_spinner=False, max_entries=32)
def _figure_json(url: str, name: str, kind: str, n_finished: int) -> str:
    """A plot's JSON, cached until the study has another finished trial (importances take ~1-2 s)."""
    _, study = open_study(name, _storage(url))
    try:
        return study_figure(study, kind).to_json()
    except NotApplicable as err:
        return "!" + str(err)


def show_study(storage, name: str) -> None:
    import plotly.io as pio

    try:
        settings, study = open_study(name, storage)
    except ConfigError as err:  # made by another playground version, or by hand
        st.error(f"Study {name!r} cannot be shown: {err}", icon=":material/error:")
        return
    rows = trial_rows(study)
    n_finished = sum(r.state in ("COMPLETE", "PRUNED", "FAIL") for r in rows)
    st.caption(f"{len(rows)} of {settings.trials} trials · {settings.sampler} sampler · {settings.pruner} pruner · "
               f"space `{'  '.join(settings.space.specs())}`",
               help=f"Base config: `{urlencode(to_query(settings.base)) or 'the defaults'}`. Each trial's objective is "
                    "its final validation loss (lower is better); pruned trials show the last one reported.")  # fmt: skip
    found = best_config(settings, study)
    if found is not None:
        trial, cfg = found
        query = urlencode(to_query(cfg))
        line, config = st.columns([5, 1], vertical_alignment="center")
        line.markdown(f"**Best:** trial {trial.number} · val loss {trial.value:.4f} · [open in the Playground](/?{query})")
        with config.popover("Its config", icon=":material/content_copy:", width="stretch"):
            st.caption("As train flags (CLI) and as the Playground's URL query:")
            st.code(as_flags(cfg) or "(the defaults)", language="bash", wrap_lines=True)
            st.code(query or "(the defaults)", language=None, wrap_lines=True)
    tabs = st.tabs([*KINDS.values(), "Trials"], key="sweep_view", on_change="rerun")
    url = Location.from_env().url
    for (kind, _), tab in zip(KINDS.items(), tabs):
        if tab.open:
            spec = _figure_json(url, name, kind, n_finished)
            if spec.startswith("!"):
                tab.caption(spec[1:])
            else:
                with tab:
                    chart(pio.from_json(spec), key=f"sweep_chart_{kind}")
    if tabs[-1].open:
        with tabs[-1]:
            trials_table(rows)


def trials_table(rows) -> None:
    names = sorted({k for r in rows for k in r.params})
    data = [{"#": r.number, "state": r.state, "val loss": r.value, **{n: _cell(r.params.get(n)) for n in names},
             "run": r.run_id, "run status": r.status} for r in rows]  # fmt: skip
    st.dataframe(data, key="sweep_trials_table", hide_index=True, height=min(420, 38 + 35 * max(1, len(data))),
                 column_config={"val loss": st.column_config.NumberColumn(format="%.4f")})  # fmt: skip


def _cell(value):
    return str(value) if value is not None and not isinstance(value, (int, float)) else value
