"""Training curves as a teacher reads them: one mark per lr change, single points visible, divergence readable."""
import numpy as np
import pytest

from playground.figures.evaluation import recall_figure
from playground.figures.training import FEW_POINTS, LABEL_GAP, loss_figure, lr_markers


def _history(loss, val_loss=None):
    loss = np.asarray(loss, dtype=np.float64)
    epoch = np.arange(1, len(loss) + 1, dtype=np.float64)
    val = np.asarray(val_loss if val_loss is not None else loss * 1.1, dtype=np.float64)
    return {"epoch": epoch, "loss": loss, "val_loss": val}


def test_one_lr_change_is_one_mark_and_one_label():
    shapes, notes = lr_markers(((578, 0.003),), span=3000)
    assert len(shapes) == 1 and len(notes) == 1 and "0.003" in notes[0]["text"]


def test_close_lr_changes_share_one_label_and_far_ones_do_not():
    span = 1000.0
    close = LABEL_GAP * span / 3
    shapes, notes = lr_markers(((100, 0.1), (100 + close, 0.03), (100 + 2 * close, 0.01), (900, 0.3)), span=span)
    assert len(shapes) == 4  # every change keeps its line
    assert [n["text"] for n in notes] == [" lr → 0.1 → 0.03 → 0.01", " lr → 0.3"]
    assert notes[0]["y"] != notes[1]["y"]  # neighbouring labels sit at different heights


def test_a_single_epoch_is_drawn_as_a_point():
    fig = loss_figure(_history([0.9]))
    assert all("markers" in t.mode and len(t.x) == 1 for t in fig.data)


def test_long_curves_are_lines_only():
    fig = loss_figure(_history(np.linspace(1, 0.1, FEW_POINTS + 5)))
    assert all(t.mode == "lines" for t in fig.data)


def test_a_diverged_run_keeps_its_finite_part_readable_and_is_marked():
    history = _history([1.5, np.inf], val_loss=[7.5e27, np.nan])
    fig = loss_figure(history, diverged_at=2)
    assert fig.layout.yaxis.type == "log"  # 1.5 and 7.5e27 on one readable axis
    train, val = fig.data
    assert list(train.y) == [1.5] and list(val.y) == [7.5e27]  # the non-finite values are not drawn
    assert any("diverged (epoch 2)" in a.text for a in fig.layout.annotations)
    assert any(s.x0 == 2 and s.line.color for s in fig.layout.shapes)


def test_the_restored_epoch_is_marked():
    fig = loss_figure(_history(np.linspace(1, 0.5, 40)), best_epoch=25)
    assert any(a.text.startswith("restored: epoch 25") for a in fig.layout.annotations)


def test_short_runs_have_whole_epoch_ticks():
    assert loss_figure(_history([0.9])).layout.xaxis.dtick == 1


@pytest.mark.parametrize("recall", [[0.0, 0.02, 0.9], [np.nan, 0.5, 1.0]])
def test_every_class_gets_an_upright_recall_label(recall):
    bars = recall_figure(np.array(recall), ["3", "4", "5"]).data[0]
    assert len(bars.text) == 3 and all(bars.text) and bars.textangle == 0
    small = np.nan_to_num(recall) < 0.15
    assert [p == "outside" for p in bars.textposition] == small.tolist()  # short bars: label beside the bar
