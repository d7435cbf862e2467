"""A study's Optuna visualisations in the app's look, or the reason one does not apply.

    fig = study_figure(study, "parallel")   # go.Figure, or raises NotApplicable("needs ...")

Optuna draws them (``optuna.visualization``); here they get the playground's template, font,
margins and height, and lose Optuna's titles (the page's tabs name them). Pure: a study in, a figure
out. Which apply: every plot needs a complete trial; the contour needs two parameters and two
complete trials; parameter importances need two complete trials and more than one parameter.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go

from playground.figures.theme import CLASS_COLOURS, FONT, LEAN_TEMPLATE

if TYPE_CHECKING:
    import optuna

KINDS = {"parallel": "Parallel coordinates", "contour": "Contour", "slice": "Slice", "importance": "Parameter importances"}
OBJECTIVE = "final val loss"
HEIGHT = 340  # with the page's header, the whole chart fits a 1280x720 projector
# light (low loss, the good end) to dark: one hue of the app's palette, readable on a projector
LOSS_SCALE = [[0.0, "#dbe6f1"], [1.0, CLASS_COLOURS[0]]]


class NotApplicable(ValueError):
    """The plot needs more than the study has; the message says what."""


def reason_not_applicable(kind: str, n_complete: int, n_params: int) -> str | None:
    """Why ``kind`` cannot be drawn for a study with these counts, or None when it can."""
    if n_complete < 1:
        return "No complete trial yet: the plots appear once a trial finishes (pruned and failed trials have no final loss)."
    if kind == "contour" and (n_params < 2 or n_complete < 2):
        return "The contour needs two varied parameters and two complete trials."
    if kind == "importance" and (n_params < 2 or n_complete < 2):
        return "Parameter importances need more than one varied parameter and at least two complete trials."
    return None


def study_figure(study: "optuna.Study", kind: str, params: list[str] | None = None, height: int = HEIGHT) -> go.Figure:
    """The ``kind`` plot (a KINDS key) of ``study``'s complete trials over ``params`` (default: all)."""
    import optuna
    from optuna.trial import TrialState

    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    names = params or sorted({p for t in complete for p in t.params})
    reason = reason_not_applicable(kind, len(complete), len(names))
    if reason:
        raise NotApplicable(reason)
    vis = optuna.visualization
    draw = {"parallel": vis.plot_parallel_coordinate, "contour": vis.plot_contour, "slice": vis.plot_slice}
    try:
        if kind == "importance":
            fig = vis.plot_param_importances(study, params=names, target_name=OBJECTIVE)
        else:
            fig = draw[kind](study, params=names, target_name=OBJECTIVE)
    except (ValueError, RuntimeError, ZeroDivisionError) as err:  # e.g. a parameter with one value in every trial
        raise NotApplicable(f"Optuna could not draw it for this study: {err}") from None
    return themed(fig, kind, height)


def themed(fig: go.Figure, kind: str, height: int = HEIGHT) -> go.Figure:
    """The app's template, font and margins on an Optuna figure; its title removed (the tab names it)."""
    fig.update_layout(template=LEAN_TEMPLATE, font=FONT, paper_bgcolor="white", plot_bgcolor="white", title=None,
                      height=height, margin=dict(l=64, r=24, t=24, b=48))  # fmt: skip
    if kind == "parallel":  # Optuna 5 draws it as line traces with its axis ticks as 10-px annotations
        fig.update_annotations(font=dict(size=12, color=FONT["color"]))
        fig.update_layout(showlegend=False)
    elif kind in ("slice", "contour"):
        fig.update_traces(selector=dict(type="scatter"), marker_colorscale=LOSS_SCALE, marker_reversescale=True)
        fig.update_xaxes(gridcolor="#e6e8ee", linecolor="#aab")
        fig.update_yaxes(gridcolor="#e6e8ee", linecolor="#aab")
    elif kind == "importance":
        fig.update_traces(marker_color=CLASS_COLOURS[0])
    return fig
