"""figures/lessons: a lesson's runs as store records (the overlay without a store), the live loss, gradient flow."""
import numpy as np

from playground.figures.compare import curves_figure
from playground.figures.lessons import grad_norms_figure, live_figure, records
from playground.lessons import RunResult
from playground.metrics import Metrics


def _metrics(acc: float) -> Metrics:
    return Metrics(loss=1 - acc, accuracy=acc, balanced_accuracy=acc, recall=np.array([acc, acc]),
                   confusion=np.array([[8, 2], [1, 9]]))  # fmt: skip


def _run(label: str, loss: list[float], **extra) -> RunResult:
    history = {"epoch": np.arange(1, len(loss) + 1, dtype=float), "loss": np.array(loss),
               "val_loss": np.array(loss) + 0.1, "accuracy": 1 - np.array(loss)}  # fmt: skip
    return RunResult(label, "dataset=xor&layers=0", _metrics(0.5), _metrics(0.5), _metrics(0.55),
                     epochs_run=len(loss), history=history, **extra)  # fmt: skip


def test_records_carry_the_runs_scores_and_history_into_the_compare_overlay():
    runs, histories = records([_run("no hidden layer", [0.9, 0.8, 0.7]), _run("16 ReLU", [0.9, 0.4, 0.1])], ["a", "b"])
    assert [r.id for r in runs] == ["a", "b"] and runs[0].test.accuracy == 0.55 and runs[0].source == "lesson"
    assert runs[1].confusion == ((8, 2), (1, 9))
    np.testing.assert_array_equal(histories[1].arrays["loss"], [0.9, 0.4, 0.1])
    assert np.isnan(histories[0].arrays["val_accuracy"]).all()  # a key the run did not log: NaN, as the store has it
    fig = curves_figure(runs, histories, "loss", names=["no hidden layer", "16 ReLU"])
    shown = [t.name for t in fig.data if t.showlegend]
    assert shown == ["no hidden layer", "16 ReLU"]
    np.testing.assert_allclose(fig.data[2].y, [0.9, 0.4, 0.1])  # run 2's train line


def test_live_figure_draws_each_runs_finite_loss_in_its_colour():
    fig = live_figure({0: {"epoch": [1, 2, 3], "loss": [1.0, np.nan, 0.5]}, 1: {"epoch": [1], "loss": [0.9]}},
                      {0: "sgd", 1: "adam"})  # fmt: skip
    assert [t.name for t in fig.data] == ["sgd", "adam"]
    np.testing.assert_array_equal(fig.data[0].x, [1, 3])
    assert fig.data[0].line.color != fig.data[1].line.color


def test_grad_norms_figure_has_start_and_end_per_run_on_a_log_axis():
    run = _run("8x sigmoid", [1.0], grad_layers=("1 sigmoid", "2 sigmoid", "output"),
               grad_norm_start=np.array([1e-7, 1e-4, 1e-1]), grad_norm_end=np.array([1e-5, 1e-3, 1e-1]))  # fmt: skip
    fig = grad_norms_figure([run])
    assert [t.name for t in fig.data] == ["8x sigmoid: start", "8x sigmoid: end"]
    assert list(fig.data[0].x) == ["1", "2", "out"] and fig.layout.yaxis.type == "log"
