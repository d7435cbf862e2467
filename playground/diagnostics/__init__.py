"""Diagnostics attached to every run: gradient flow (live) and the weight trajectory (for the landscape)."""
from __future__ import annotations

from playground.diagnostics.gradflow import GradientFlow
from playground.diagnostics.trajectory import TrajectoryRecorder, find_recorder
from playground.trainer import Callback


def diagnostic_callbacks(cfg) -> list[Callback]:
    """What the runner adds to every run; both publish only small summaries (see snapshot_key)."""
    return [GradientFlow(), TrajectoryRecorder()]


__all__ = ["GradientFlow", "TrajectoryRecorder", "diagnostic_callbacks", "find_recorder"]
