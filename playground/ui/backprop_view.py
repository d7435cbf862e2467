"""The backprop walk-through's controls and stage view: the net's settings, Back / Next / Restart, the
graph with the current stage highlighted beside the stage's arithmetic.

The step is computed in the server worker process (backprop_walk.walk: torch), cached per settings,
so this script thread runs no torch. The stage index lives in session state.
"""
from __future__ import annotations

import logging

import streamlit as st

from playground.backprop_walk import ACTIVATION_CHOICES, EXAMPLES, HIDDEN_CHOICES, STAGES, Walk, WalkSettings, walk
from playground.figures.backprop_walk import stage_figure, stage_lines
from playground.ui import presenter
from playground.ui.charts import chart
from playground.ui.workers import server_worker
from playground.worker import WorkerClosed, WorkerCrashed, WorkerTimeout

LOG = logging.getLogger(__name__)
STAGE = "bp_stage"  # session_state: index into STAGES


class WalkFailed(Exception):
    """The worker crashed, timed out or raised; str() says which."""


@st.cache_data(max_entries=64, show_spinner=False)
def computed(settings: WalkSettings) -> Walk:
    """``walk(settings)`` in the server worker process (failures are not cached)."""
    try:
        return server_worker().call(walk, settings)
    except ValueError:
        raise
    except (WorkerCrashed, WorkerTimeout, WorkerClosed) as err:
        LOG.error("backprop walk worker: %s", err)
        raise WalkFailed(f"{err}. Your next change tries again in a new worker process.") from err
    except Exception as err:
        LOG.error("the backprop walk failed in the worker", exc_info=err)
        raise WalkFailed(f"{type(err).__name__}: {err}") from err


def settings_row() -> WalkSettings:
    """One row of widgets: hidden units, activation, learning rate, example, seed."""
    hidden, act, lr, example, seed = st.columns([1, 1.2, 1.2, 1, 1])
    return WalkSettings(
        hidden=hidden.segmented_control("Hidden units", HIDDEN_CHOICES, default=HIDDEN_CHOICES[0], key="bp_hidden")
        or HIDDEN_CHOICES[0],
        activation=act.selectbox("Activation", ACTIVATION_CHOICES, key="bp_activation"),
        lr=lr.number_input("Learning rate", 0.001, 10.0, 0.5, step=0.1, format="%.3f", key="bp_lr"),
        example=example.number_input("Example", 0, EXAMPLES - 1, 0, key="bp_example",
                                     help=f"Which of {EXAMPLES} XOR points the step trains on"),
        seed=seed.number_input("Seed", 0, 10_000, 0, key="bp_seed", help="The initial weights and the XOR points"),
    )  # fmt: skip


def _go(delta: int | None) -> None:
    """Button callback: move ``delta`` stages (clamped); None: back to the first."""
    now = st.session_state.get(STAGE, 0)
    st.session_state[STAGE] = 0 if delta is None else min(max(now + delta, 0), len(STAGES) - 1)


def stage_buttons() -> int:
    """Back, Next, Restart and where the walk is; returns the stage index."""
    stage = st.session_state.get(STAGE, 0)
    back, nxt, again, where = st.columns([1, 1, 1, 4], vertical_alignment="center")
    back.button("Back", key="bp_back", icon=":material/arrow_back:", on_click=_go, args=(-1,), disabled=stage == 0,
                use_container_width=True)  # fmt: skip
    nxt.button("Next", key="bp_next", icon=":material/arrow_forward:", type="primary", on_click=_go, args=(1,),
               disabled=stage == len(STAGES) - 1, use_container_width=True)  # fmt: skip
    again.button("Restart", key="bp_restart", icon=":material/replay:", on_click=_go, args=(None,),
                 use_container_width=True)  # fmt: skip
    where.progress((stage + 1) / len(STAGES), text=f"Stage {stage + 1} of {len(STAGES)}")
    return stage


def stage_view(w: Walk, stage: int) -> None:
    """The graph at this stage (left) and its arithmetic (right)."""
    graph, text = st.columns([6, 5], gap="medium")
    with graph:
        chart(stage_figure(w, stage, height=400), key="bp_graph")
    with text:
        title, *lines = stage_lines(w, stage)
        st.markdown(title)
        st.markdown("  \n".join(lines))  # one block: line breaks, not paragraphs
        if not presenter.active():
            st.caption(f"XOR example {w.settings.example}: x = ({w.x[0]:+.3f}, {w.x[1]:+.3f}), label {w.y}. "
                       "Orange edges are positive weights, blue negative; gold marks where the step is.")  # fmt: skip
