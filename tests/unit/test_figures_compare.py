"""Compare figures: one colour per run on every chart, legend names from what differs, runs without scores drawn."""
from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from urllib.parse import urlencode

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from playground.config import RunConfig, to_query
from playground.figures.compare import curves_figure, run_colour, run_names, scores_figure
from playground.store import RunHistory, RunRecord, Scores
from playground.store.schema import HISTORY_KEYS

NAN = math.nan
BASE = RunConfig(dataset="spiral", epochs=4, seed=0)


def record(run_id: str, cfg: RunConfig = BASE, status: str = "finished", scored: bool = True, label: str = "") -> RunRecord:
    scores = Scores(0.5, 0.8, 0.8) if scored else None
    moment = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return RunRecord(
        id=run_id, label=label or f"run {run_id}", status=status, message="", query=urlencode(to_query(cfg)),
        session=None, source="cli", study=None, created=moment, updated=moment, finished=moment, epochs=4,
        train=scores, val=scores, test=scores, confusion=((3, 1), (0, 4)) if scored else None,
        class_names=("class 0", "class 1"), seconds=1.0, samples_per_second=100.0, has_weights=scored,
    )  # fmt: skip


def history(run_id: str, loss=(1.0, 0.6, 0.4, 0.3), val_loss=(1.1, NAN, 0.5, 0.45)) -> RunHistory:
    """Four epochs; validation skipped on epoch 2 (NaN), as a run with val_every=2 logs it."""
    arrays = {key: np.full(len(loss), NAN) for key in HISTORY_KEYS}
    arrays.update(epoch=np.arange(1.0, len(loss) + 1), loss=np.array(loss, float), val_loss=np.array(val_loss, float),
                  accuracy=np.linspace(0.4, 0.9, len(loss)), val_accuracy=np.linspace(0.35, 0.85, len(loss)))  # fmt: skip
    return RunHistory(run_id, arrays)


SGD, ADAM = record("a", BASE.replace(optimizer="sgd")), record("b", BASE.replace(optimizer="adam"))


def validated(figure: go.Figure) -> go.Figure:
    """``figure``, once its JSON has passed plotly's validation (a typo in a lean dict fails here)."""
    assert json.loads(pio.to_json(go.Figure(figure.to_dict()), validate=False)) == json.loads(pio.to_json(figure, validate=False))
    return figure


def test_each_run_has_a_solid_train_and_a_dashed_validation_line_in_its_colour():
    fig = validated(curves_figure([SGD, ADAM], [history("a"), history("b")], "loss"))
    assert [(t.name, t.line.dash, t.line.color) for t in fig.data] == [
        ("optimizer=sgd", "solid", run_colour(0)), ("optimizer=sgd", "dash", run_colour(0)),
        ("optimizer=adam", "solid", run_colour(1)), ("optimizer=adam", "dash", run_colour(1)),
    ]  # fmt: skip
    assert [t.showlegend for t in fig.data] == [True, False, True, False]  # one legend entry per run
    assert list(fig.data[1].x) == [1, 3, 4]  # the epoch that was not validated is left out, the line joins the rest
    assert "train solid, validation dashed" in fig.layout.title.text


def test_train_or_validation_alone():
    runs, histories = [SGD, ADAM], [history("a"), history("b")]
    assert {t.line.dash for t in curves_figure(runs, histories, "accuracy", val=False).data} == {"solid"}
    only_val = curves_figure(runs, histories, "accuracy", train=False).data
    assert {t.line.dash for t in only_val} == {"dash"} and [t.showlegend for t in only_val] == [True, True]


def test_names_fall_back_to_labels_and_repeats_are_numbered():
    twins = [record("a", label="first"), record("b", label="second")]
    assert run_names(twins) == ["first", "second"]  # equal setups: nothing differs
    same_label = [record("a", label="adam"), record("b", label="adam"), record("c", BASE.replace(seed=1), label="x")]
    assert run_names(same_label) == ["seed=0 #1", "seed=0 #2", "seed=1"]


def test_log_x_ticks_the_epochs_at_1_2_5():
    long = history("a", loss=np.linspace(1, 0.1, 60), val_loss=np.linspace(1.1, 0.2, 60))
    fig = validated(curves_figure([SGD], [long], "loss", log_x=True))
    assert fig.layout.xaxis.type == "log" and list(fig.layout.xaxis.tickvals) == [1, 2, 5, 10, 20, 50]
    assert validated(curves_figure([SGD], [long], "loss")).layout.xaxis.type in (None, "linear", "-")


def test_a_diverged_run_keeps_its_legend_entry_and_puts_the_loss_on_a_log_axis():
    blown = history("b", loss=(1.0, 50.0, 1e6, NAN), val_loss=(1.2, NAN, 1e7, NAN))
    fig = validated(curves_figure([SGD, ADAM], [history("a"), blown], "loss"))
    assert fig.layout.yaxis.type == "log" and "log scale" in fig.layout.title.text
    assert all(np.isfinite(t.y).all() for t in fig.data)  # the NaN epoch is left out, not drawn at 0
    nothing = history("b", loss=(NAN,), val_loss=(NAN,))  # diverged in its first epoch: no finite point at all
    fig = validated(curves_figure([SGD, record("b", BASE.replace(optimizer="adam"), "diverged", False)],
                                  [history("a"), nothing], "loss"))  # fmt: skip
    assert [t.name for t in fig.data if t.showlegend] == ["optimizer=sgd", "optimizer=adam (diverged: no finite loss)"]


def test_scores_are_grouped_by_split_with_one_bar_per_run():
    better = record("b", BASE.replace(optimizer="adam"))
    better = RunRecord(**{**vars(better), "test": Scores(0.2, 0.95, 0.95)})
    fig = validated(scores_figure([SGD, better], "accuracy"))
    assert [t.name for t in fig.data] == ["optimizer=sgd", "optimizer=adam"]
    assert list(fig.data[1].x) == ["train", "validation", "test"] and list(fig.data[1].y) == [0.8, 0.8, 0.95]
    assert list(fig.data[1].text) == ["80.0%", "80.0%", "95.0%"] and fig.layout.barmode == "group"
    assert [t.marker.color for t in fig.data] == [run_colour(0), run_colour(1)]  # as on the curves
    assert list(validated(scores_figure([SGD, better], "loss")).data[1].y) == [0.5, 0.5, 0.2]


@pytest.mark.parametrize("status", ["diverged", "interrupted"])
def test_a_run_without_scores_draws_no_bars_and_says_why(status):
    lost = record("b", BASE.replace(optimizer="adam"), status, scored=False)
    for metric in ("accuracy", "loss"):
        fig = validated(scores_figure([SGD, lost], metric))
        assert fig.data[1].name == f"optimizer=adam ({status}: no scores)"
        assert all(math.isnan(v) for v in fig.data[1].y) and list(fig.data[1].text) == ["n/a"] * 3
    only = validated(scores_figure([lost], "loss"))  # nothing finite anywhere: still a sane axis
    assert list(only.layout.yaxis.range) == [0, pytest.approx(1.15)]


def test_a_nan_score_counts_as_unknown():
    half = RunRecord(**{**vars(SGD), "val": Scores(NAN, NAN, NAN)})
    assert list(validated(scores_figure([half])).data[0].text) == ["80.0%", "n/a", "80.0%"]


def test_an_unknown_metric_is_refused():
    with pytest.raises(ValueError, match="metric == 'f1'"):
        scores_figure([SGD], "f1")
