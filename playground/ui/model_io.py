"""The Playground's "Model file" panel: download the last run's model, export a script, load a file.

Download: the run store keeps every finished run's weights (playground/store/); the server worker turns
them, the config and the feature scaling into one safetensors file (playground/stored_model.py), when the
button is clicked. Export: ``export_script`` of the current settings (text, no torch). Load: an upload is
read here with numpy only (playground/model_file.py) and refused, naming why, with nothing changed; a good
file can be inspected (boundary and scores on its own data, computed in the server worker) or trained on,
with its whole setup or with its network on the data chosen now.
"""
from __future__ import annotations

import dataclasses
import hashlib
import time
from urllib.parse import urlencode

import streamlit as st

from playground.config import ConfigError, format_layers, to_query
from playground.export_script import ExportUnavailable, export_script
from playground.figures.boundary import boundary_figure
from playground.figures.evaluation import confusion_figure
from playground.model_file import MAX_BYTES, BadModelFile, check_fits, expected_shapes, read
from playground.reopen import NoWeights, Reopened
from playground.runner_protocol import TrainingRunner
from playground.stored_model import inspect_model_file, stored_model_file
from playground.ui import model_init, run_store, session, state
from playground.ui.charts import chart
from playground.ui.setup import Setup
from playground.ui.workers import server_worker
from playground.worker import WorkerClosed, WorkerCrashed, WorkerTimeout

UPLOAD = "model_upload"  # widget keys
MESSAGE = "_model_file_message"  # session_state: a refusal from a button's callback, shown once
INSPECTED = "_model_file_inspected"  # session_state: sha256 of the upload whose boundary is shown


def model_panel(runner: TrainingRunner, setup: Setup) -> None:
    with st.expander("Model file: download, export, load", icon=":material/save:", expanded=model_init.loaded() is not None):
        left, right = st.columns(2, gap="medium")
        with left:
            downloads(runner, setup)
        with right:
            data = upload(setup)
        if data is not None and st.session_state.get(INSPECTED) == _digest(data):
            inspected_view(data)


def loaded_note() -> None:
    """One line over the live view while a loaded file waits for the next Start."""
    file = model_init.loaded()
    if file is None:
        return
    note, forget = st.columns([5, 1], vertical_alignment="center")
    note.info(f"The next Start begins from the weights of **{file.name}** (frozen layers keep them).",
              icon=":material/save:")  # fmt: skip
    forget.button("Forget", key="model_forget", icon=":material/close:", on_click=model_init.forget,
                  help="Start from freshly initialised weights again")  # fmt: skip


# ------------------------------------------------------------------ download and export


def downloads(runner: TrainingRunner, setup: Setup) -> None:
    snap = runner.snapshot()
    store = run_store.get()
    ready = store is not None and snap.status.has_model and bool(snap.run_id)
    name = f"{snap.config.dataset if snap.config else 'model'}-{snap.run_id}.safetensors"
    st.download_button(
        "Download the last run's model", key="model_download", icon=":material/download:", on_click="ignore",
        data=(lambda: _stored_file(store.location.url, snap.run_id)) if ready else b"", file_name=name,
        mime="application/octet-stream", disabled=not ready, width="stretch",
        help="One safetensors file: the config, the weights and the feature scaling. Load it back here or with "
             "python -m playground train --init-from FILE",
    )  # fmt: skip
    if not ready:
        st.caption("Runs are not being saved, so there is no model to download." if store is None
                   else "Finish or stop a run to download its model.")  # fmt: skip
    script, why = _script(setup)
    st.download_button(
        "Export the settings as a script", key="script_download", icon=":material/code:", on_click="ignore",
        data=script or "", file_name=f"playground_{setup.cfg.dataset if setup.cfg else 'run'}.py", mime="text/x-python",
        disabled=script is None, width="stretch",
        help=why or "A .py that rebuilds the data, the network and a plain training loop with torch, numpy and "
                    "scikit-learn only, and prints its metrics",
    )  # fmt: skip


def run_download(store, run) -> None:
    """The Runs table's "Model" button: the selected run's model file (one run with stored weights)."""
    ready = run is not None and run.has_weights
    st.download_button(
        "Model", key="run_model", icon=":material/download:", on_click="ignore", disabled=not ready,
        data=(lambda: _stored_file(store.location.url, run.id)) if ready else b"",
        file_name=f"{run.id if ready else 'model'}.safetensors", mime="application/octet-stream",
        help="The selected run's model file: config, weights and feature scaling",
    )  # fmt: skip


def _script(setup: Setup) -> tuple[str | None, str | None]:
    if setup.cfg is None:
        return None, "Fix the settings first"
    try:
        return export_script(setup.cfg, urlencode(to_query(setup.cfg))), None
    except ExportUnavailable as err:
        return None, str(err)


def _stored_file(url: str, run_id: str) -> bytes:
    """The run's model file, from the server worker. The training process writes the weights as the run ends,
    so a click right at the end may come first: a few short retries."""
    for _ in range(4):
        try:
            return server_worker().call(stored_model_file, url, run_id)
        except NoWeights:
            time.sleep(0.5)
    return server_worker().call(stored_model_file, url, run_id)  # NoWeights now means it kept none


# ------------------------------------------------------------------ load


def upload(setup: Setup) -> bytes | None:
    """The uploader and, for a good file, its summary and actions. Returns the good file's bytes, else None."""
    file = st.file_uploader(
        "Load a model file", key=UPLOAD, help=f"A model file from this page or from train --save "
                                              f"(at most {MAX_BYTES // 2**20} MB): inspect it, or train from its weights",
    )  # fmt: skip
    message = st.session_state.pop(MESSAGE, None)
    if message:
        st.error(message, icon=":material/block:")
    if file is None:
        return None
    data = file.getvalue()
    try:
        mf = read(data)
    except BadModelFile as err:
        st.error(f"Not loaded: {err}. Nothing was changed.", icon=":material/block:")
        return None
    n_weights = sum(a.size for a in mf.state.values())
    st.caption(f"**{file.name}**: {mf.cfg.dataset}, layers {format_layers(mf.cfg.layers) or '(none)'}, "
               f"{mf.n_features} inputs, {n_weights:,} weights")  # fmt: skip
    for warning in mf.warnings:
        st.caption(warning)
    dims = (setup.splits.n_features, setup.splits.n_classes) if setup.splits is not None else None
    with st.container(horizontal=True, gap="small"):
        st.button("Inspect", key="model_inspect", icon=":material/visibility:", on_click=_inspect, args=(data,),
                  help="Its boundary and scores on its own data, from its weights (no training)")  # fmt: skip
        st.button("Train on its data", key="model_train_own", icon=":material/model_training:", on_click=_train_own,
                  args=(file.name, data), help="Its whole setup into the settings; the next Start begins from its weights")  # fmt: skip
        st.button("Train on my data", key="model_train_mine", icon=":material/swap_horiz:", on_click=_train_mine,
                  args=(file.name, data, dims), disabled=dims is None,
                  help="Its network into the settings (your 'frozen' ticks kept), your data kept; refused when its "
                       "shapes don't fit your data")  # fmt: skip
    return data


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _inspect(data: bytes) -> None:
    st.session_state[INSPECTED] = _digest(data)


def _train_own(name: str, data: bytes) -> None:
    mf = read(data)
    state.restore(mf.cfg)
    model_init.load(model_init.Loaded(name, data, mf))


def _train_mine(name: str, data: bytes, dims: tuple[int, int] | None) -> None:
    """Its network over the current settings, if its shapes fit the chosen data; else a refusal, nothing changed."""
    mf = read(data)
    try:
        current = state.config()
        cfg = current.replace(layers=_keep_frozen(mf.cfg.layers, current.layers), init=mf.cfg.init,
                              binary_loss=mf.cfg.binary_loss)
        n_features, n_classes = dims
        check_fits(mf, expected_shapes(n_features, cfg.layers, cfg.n_outputs(n_classes)), cfg, n_features, n_classes)
    except (ConfigError, BadModelFile, TypeError) as err:
        st.session_state[MESSAGE] = f"Not loaded: {err}. Nothing was changed."
        return
    state.restore(cfg)
    model_init.load(model_init.Loaded(name, data, mf))


def _keep_frozen(layers: tuple, current: tuple) -> tuple:
    """The file's layers with the frozen ticks of the current settings' layers at the same places: tick
    "frozen" first, then load the file to train only the rest."""
    ticks = [spec.frozen for spec in current] + [False] * len(layers)
    return tuple(dataclasses.replace(spec, frozen=spec.frozen or tick) for spec, tick in zip(layers, ticks))


@st.cache_data(max_entries=2, show_spinner="Computing the model's boundary and scores...")
def _inspected(data: bytes) -> Reopened:
    """In the server worker (no torch in this thread); a failure is not cached."""
    try:
        return server_worker().call(inspect_model_file, data)
    except (WorkerCrashed, WorkerTimeout, WorkerClosed) as err:
        raise RuntimeError(f"{err}; try again") from err


def inspected_view(data: bytes) -> None:
    with st.container(border=True, key="model_inspected"):
        head, close = st.columns([5, 1], vertical_alignment="center")
        head.markdown("**Inspected:** the uploaded file's weights on its own data (no training)")
        close.button("Close", key="model_inspect_close", icon=":material/close:", on_click=st.session_state.pop,
                     args=(INSPECTED, None))  # fmt: skip
        try:
            done = _inspected(data)
        except (BadModelFile, RuntimeError, OSError) as err:  # data missing, worker crash
            st.error(f"Could not inspect this file: {err}", icon=":material/error:")
            return
        mf = read(data)
        one, two, three = st.columns(3)
        if hasattr(done.test, "mae"):  # a regression model: its scores against the mean predictor
            one.metric("Test MAE", f"{done.test.mae:.3g}")
            two.metric("Mean-predictor MAE", f"{done.test.baseline_mae:.3g}")
            three.metric("Test R²", f"{done.test.r2:.2f}")
            st.caption("Its prediction surface and residuals show when you train from it.")
            return
        splits_names = _class_names(mf)
        one.metric("Test accuracy", f"{done.test.accuracy:.1%}")
        two.metric("Test balanced accuracy", f"{done.test.balanced_accuracy:.1%}")
        three.metric("Validation accuracy", f"{done.val.accuracy:.1%}")
        left, right = st.columns([6, 5])
        with left:
            chart(boundary_figure(done.boundary, splits_names, height=400), key="model_inspected_boundary")
            if done.boundary.note:
                st.caption(done.boundary.note)
        with right:
            chart(confusion_figure(done.test.confusion, splits_names, title="Test confusion"),
                  key="model_inspected_confusion")  # fmt: skip


def _class_names(mf) -> list[str]:
    return session.class_names(mf.cfg)
