"""Generic job panels: submit a Runner job from a button, show its progress, then its result.

Nothing here runs torch: jobs run in the session's runner (playground/jobs.py), and these panels
only submit them and draw ``snapshot.jobs[name]`` (a JobState). A panel whose job is running polls
itself every JOB_POLL_SECONDS and reruns the app once the job ends (polling off).
"""
from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from playground.jobs import Job, JobState, JobStatus
from playground.runner_protocol import TrainingRunner
from playground.snapshot import Snapshot

JOB_POLL_SECONDS = 1.0  # a progress bar needs no more; every rerun costs the trainer (shared GIL, browser redraws)
HEARTBEAT_POLL_SECONDS = 2.0  # keeps a run alive from another page (session.HEARTBEAT_TIMEOUT is 30 s)


def job_state(runner: TrainingRunner, name: str) -> JobState | None:
    """The job's state, or None (never submitted in this run)."""
    return runner.snapshot().jobs.get(name)


def running(runner: TrainingRunner, name: str) -> bool:
    job = job_state(runner, name)
    return job is not None and job.running


def job_panel(runner: TrainingRunner, name: str, draw_result: Callable[[Any], None], busy_text: str) -> None:
    """Progress while job ``name`` runs, its error, or ``draw_result(result)`` once done."""
    polling = running(runner, name)
    st.fragment(run_every=JOB_POLL_SECONDS if polling else None, key=f"job_{name}")(_job_body)(
        runner, name, polling, draw_result, busy_text
    )


def _job_body(runner: TrainingRunner, name: str, polling: bool, draw_result: Callable[[Any], None],
              busy_text: str) -> None:  # fmt: skip
    runner.heartbeat()
    job = job_state(runner, name)
    if job is None:
        return
    if job.running:
        st.progress(job.progress, text=f"{busy_text} {job.progress:.0%}")
    elif job.status is JobStatus.FAILED:
        st.error(job.message or "the job failed", icon=":material/error:")
    elif job.result is not None:
        draw_result(job.result)
    if polling and not job.running:
        st.rerun()  # the job just ended: a full rerun turns polling off


def run_heartbeat(runner: TrainingRunner, draw: Callable[[Snapshot], None]) -> None:
    """``draw(snapshot)`` and keep the run alive (its heartbeat) while it is active: for pages other than the Playground."""
    active = runner.snapshot().active
    st.fragment(run_every=HEARTBEAT_POLL_SECONDS if active else None, key="run_heartbeat")(_heartbeat_body)(runner, draw, active)


def _heartbeat_body(runner: TrainingRunner, draw: Callable[[Snapshot], None], polling: bool) -> None:
    runner.heartbeat()
    snap = runner.snapshot()
    draw(snap)
    if polling and not snap.active:
        st.rerun()


def submit_button(runner: TrainingRunner, name: str, label: str, make_job: Callable[[], Job],
                  check: Callable[[], None] = lambda: None, **button) -> None:  # fmt: skip
    """A button that submits ``make_job()`` as job ``name``; ``check()`` may raise ValueError with the message to show."""
    if not st.button(label, key=name, disabled=running(runner, name), **button):
        return
    try:
        check()
    except ValueError as err:
        st.error(f"Refused: {err}", icon=":material/block:")
        return
    if not runner.submit(name, make_job()):
        st.warning("There is no model yet: train one on the Playground page first.")
