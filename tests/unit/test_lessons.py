"""The lessons registry and its sentences: setups are valid configs, checks compute their sentences from results."""
import dataclasses
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl

import numpy as np
import pytest

from playground.config import FIELDS, ConfigError, RunConfig
from playground.lessons import GROUPS, LESSONS, WATCHES, Lesson, LessonEvent, Measured, RunResult, Setup
from playground.metrics import Metrics
from playground.metrics_regression import RegressionMetrics
from playground.race import PRESETS

ROOT = Path(__file__).resolve().parents[2]
SETUPS = [(lesson.id, setup) for lesson in LESSONS.values() for setup in lesson.setups]


def scores(accuracy=0.5, loss=1.0, recall=(0.5, 0.5, 0.5), balanced=None):
    recall = np.array(recall, dtype=float)
    balanced = float(recall.mean()) if balanced is None else balanced
    return Metrics(loss, accuracy, balanced, recall, np.zeros((len(recall), len(recall)), dtype=np.int64))


def regression(mae, baseline_mae, loss=0.5):
    y = np.linspace(3, 8, 20)
    return RegressionMetrics(loss, mae, mae * 1.3, 0.3, 0.55, baseline_mae, y, y + mae)


def run(label, test=0.5, train=None, val=None, history=None, **kw):
    return RunResult(label, "dataset=spiral", train or scores(), val or scores(), scores(test),
                     history=history or {}, **kw)  # fmt: skip


# ---------------------------------------------------------------- the registry


def test_there_are_the_seventeen_lessons_of_the_issue_in_teaching_order():
    assert len(LESSONS) >= 17
    groups = [lesson.group for lesson in LESSONS.values()]
    assert groups == sorted(groups, key=GROUPS.index), "grouped in GROUPS order"
    assert all(key == lesson.id for key, lesson in LESSONS.items())


@pytest.mark.parametrize("lesson", LESSONS.values(), ids=list(LESSONS))
def test_every_lesson_is_complete(lesson: Lesson):
    assert re.fullmatch(r"[a-z][a-z0-9_]*", lesson.id), "URL-safe id: /lessons?lesson=<id>"
    assert lesson.group in GROUPS and lesson.watch in WATCHES
    assert lesson.title and lesson.question and lesson.claim
    assert callable(lesson.check)
    assert lesson.setups or lesson.race is not None
    assert lesson.race is None or lesson.race in PRESETS
    labels = [s.label for s in lesson.setups]
    assert len(set(labels)) == len(labels), "labels name the runs in the sentence"


@pytest.mark.parametrize("lesson_id, setup", SETUPS, ids=[f"{i}-{s.label}" for i, s in SETUPS])
def test_every_setup_is_a_valid_run_config_for_every_seed(lesson_id, setup: Setup):
    keys = [k for k, _ in parse_qsl(setup.query, strict_parsing=True)]
    assert set(keys) <= set(FIELDS), f"unknown keys would be ignored silently: {set(keys) - set(FIELDS)}"
    assert len(keys) == len(set(keys))
    for seed in range(5):
        cfg = setup.config(seed)
        assert isinstance(cfg, RunConfig) and cfg.seed == seed
    if setup.lr_change is not None:
        epoch, lr = setup.lr_change
        assert 1 <= epoch < cfg.epochs and 0 < lr <= 10


def test_a_bad_setup_value_raises_naming_the_setup():
    with pytest.raises(ConfigError, match="lesson setup 'x'.*lr"):
        Setup("x", "dataset=spiral&lr=50").config()


def test_the_vanishing_gradient_lesson_copies_the_playground_presets():
    from playground.config import parse_layers
    from playground.lessons.optimisation import GRADIENT_PRESETS

    page = {"8× sigmoid": (32, "sigmoid", False), "8× relu": (32, "relu", False), "8× sigmoid + batchnorm": (32, "sigmoid", True)}
    for label, (units, activation, bn) in page.items():
        layers = parse_layers(GRADIENT_PRESETS[label])
        assert [(l.units, l.activation, l.batchnorm) for l in layers] == [(units, activation, bn)] * 8


def test_the_registry_and_the_cli_list_load_no_torch():
    code = ("import sys, playground.lessons, playground.cli.lesson; "
            "print(len(playground.lessons.LESSONS), 'torch' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == [str(len(LESSONS)), "False"], out.stdout + out.stderr


# ---------------------------------------------------------------- sentences come from the results


def test_the_spiral_sentence_prints_the_given_accuracies():
    held, sentence = LESSONS["linear_vs_hidden"].check(
        Measured((run("no hidden layer", test=0.4912), run("one ReLU layer of 100", test=0.9583))))
    assert held and sentence == "no hidden layer: 49% test accuracy; one ReLU layer of 100: 96%"
    held, sentence = LESSONS["linear_vs_hidden"].check(
        Measured((run("no hidden layer", test=0.71), run("one ReLU layer of 100", test=0.73))))
    assert not held and "71%" in sentence and "73%" in sentence


def test_the_pima_sentence_prints_recall_and_balanced_accuracy():
    plain = RunResult("unweighted", "", scores(), scores(), scores(0.77, recall=(0.9, 0.59), balanced=0.745))
    weighted = RunResult("balanced class weights", "", scores(), scores(), scores(0.75, recall=(0.74, 0.81), balanced=0.775))
    held, sentence = LESSONS["imbalanced_pima"].check(Measured((plain, weighted)))
    assert held
    for number in ("77%", "59%", "74%", "81%", "78%", "75%"):  # 0.745 prints as 74%, 0.775 as 78%
        assert number in sentence


def test_the_overfitting_sentence_reads_the_validation_curve():
    val = np.array([0.9, 0.7, 0.61, 0.8, 1.2, 1.5, 1.9, 2.2, 2.6, 3.1, 3.3, 3.4])
    r = run("2 × 128 relu", train=scores(1.0), history={"val_loss": val})
    held, sentence = LESSONS["overfitting"].check(Measured((r,)))
    assert held and sentence == ("train accuracy 100%; validation loss fell to 0.61 at epoch 3, then rose to 3.4 "
                                 "by epoch 12")  # fmt: skip
    flat = run("2 × 128 relu", train=scores(1.0), history={"val_loss": val[::-1]})
    assert not LESSONS["overfitting"].check(Measured((flat,)))[0]


def test_the_early_stopping_sentence_names_the_restored_epoch():
    val = np.array([0.9, 0.65, 0.7, 0.75, 0.8])
    stopped = run("patience 20", val=scores(loss=0.65), status="early_stopped", epochs_run=5, restored_epoch=2,
                  history={"val_loss": val})  # fmt: skip
    full = run("no early stopping", val=scores(loss=4.5), epochs_run=200)
    held, sentence = LESSONS["early_stopping"].check(Measured((full, stopped)))
    assert held and "stopped at epoch 5 and restored epoch 2" in sentence and "0.65" in sentence and "4.5" in sentence
    wrong = run("patience 20", val=scores(loss=0.65), status="early_stopped", epochs_run=5, restored_epoch=4,
                history={"val_loss": val})  # fmt: skip
    assert not LESSONS["early_stopping"].check(Measured((full, wrong)))[0]


def test_the_learning_rate_sentence_uses_the_range_tests_suggestion():
    finder = SimpleNamespace(suggested_lr=1.4174)
    runs = (run("too large", status="diverged", epochs_run=9, history={"loss": np.array([1.1, np.nan])}),
            run("too small", history={"loss": np.array([1.117, 1.115, 1.114])}),
            run("range test", test=0.958, history={"loss": np.array([1.117, 0.5, 0.054])}, lr_finder=finder))  # fmt: skip
    held, sentence = LESSONS["learning_rate"].check(Measured(runs))
    assert held and "diverged at epoch 9" in sentence and "lr 1.4:" in sentence and "1.12 -> 1.11" in sentence
    assert "0.054" in sentence and "96%" in sentence


def test_the_race_sentence_prints_both_final_losses():
    race = SimpleNamespace(steps=150, settings={"sgd": SimpleNamespace(lr=0.019)},
                           tracks={"sgd": SimpleNamespace(final_loss=0.019), "momentum": SimpleNamespace(final_loss=7.5e-6)})  # fmt: skip
    held, sentence = LESSONS["momentum_ravine"].check(Measured(race=race))
    assert held and sentence == "after 150 steps at lr 0.019: sgd loss 0.019, momentum 7.5e-06 (2,533x lower)"


def test_the_vanishing_sentence_prints_each_presets_gradient_ratio():
    grads = {"8× sigmoid": [6e-8, 0.1], "8× relu": [5e-4, 0.1], "8× sigmoid + batchnorm": [0.2, 0.1]}
    runs = tuple(run(label, grad_norm_start=np.array(g)) for label, g in grads.items())
    held, sentence = LESSONS["vanishing_gradients"].check(Measured(runs))
    assert held and "8× sigmoid 6.0e-07" in sentence and "8× relu 5.0e-03" in sentence and "batchnorm 2.0e+00" in sentence


def test_the_weight_decay_sentence_measures_the_boundary_it_is_given():
    straight = np.zeros((10, 10, 2))
    straight[:, :5, 0] = straight[:, 5:, 1] = 1  # one vertical boundary: 1 of 9 column pairs differs
    islands = straight.copy()
    islands[2, 2] = islands[6, 7] = [0.2, 0.8]  # two single-cell islands
    runs = (run("no weight decay", val=scores(loss=4.5), boundary=islands),
            run("weight decay 0.01", val=scores(loss=0.7), boundary=straight))  # fmt: skip
    held, sentence = LESSONS["weight_decay"].check(Measured(runs))
    assert held and "0.056 with 0.01" in sentence and "4.5 vs 0.7" in sentence


@pytest.mark.parametrize("lesson", [l for l in LESSONS.values() if l.setups], ids=[l.id for l in LESSONS.values() if l.setups])
def test_every_check_turns_any_results_into_a_sentence(lesson: Lesson):
    """Fabricated runs with every history column: no check needs anything a run does not record."""
    rng = np.random.default_rng(0)
    history = {k: np.abs(rng.normal(0.5, 0.2, 40)) for k in ("loss", "val_loss", "accuracy", "val_accuracy")}
    history["samples_per_second"] = np.full(40, 1e5)
    runs = tuple(run(s.label, test=0.8, train=scores(0.9, recall=(0.9, 0.6)), history=history,
                     grad_norm_start=np.array([1e-3, 1.0]), boundary=rng.random((6, 6, 2)),
                     weight_change=np.array([0.0, 0.5, 0.5]),
                     lr_finder=SimpleNamespace(suggested_lr=0.1)) for s in lesson.setups)  # fmt: skip
    if any(s.config().regression for s in lesson.setups):  # a regression run's scores have no classes
        runs = tuple(dataclasses.replace(r, test=regression(0.5, 0.65)) for r in runs)
    held, sentence = lesson.check(Measured(runs))
    assert isinstance(held, (bool, np.bool_)) and sentence and re.search(r"\d", sentence)


def test_the_wine_regression_sentence_compares_with_the_mean_predictor():
    runs = (run("64:relu, MAE loss", test=0.5),)
    runs = (dataclasses.replace(runs[0], test=regression(0.48, 0.66)),)
    held, sentence = LESSONS["wine_regression"].check(Measured(runs))
    assert held and "0.48 quality points against 0.66" in sentence and "27% lower" in sentence
    runs = (dataclasses.replace(runs[0], test=regression(0.6, 0.66)),)
    assert not LESSONS["wine_regression"].check(Measured(runs))[0]  # 9% lower: below the claimed 15%


def test_the_freezing_sentence_reads_each_layers_weight_change():
    trained = run("every layer trains", test=0.99, weight_change=np.array([0.93, 3.7, 4.8]))
    frozen = run("first layer frozen", test=0.98, weight_change=np.array([0.0, 4.4, 6.1]))
    held, sentence = LESSONS["freezing"].check(Measured((trained, frozen)))
    assert held and sentence.startswith("first-layer weights changed by 0 when frozen (bit-identical) and by 93%")
    assert "440% or more" in sentence and "98% with the first layer frozen, 99%" in sentence
    moved = run("first layer frozen", test=0.98, weight_change=np.array([1e-7, 4.4, 6.1]))  # not frozen after all
    assert not LESSONS["freezing"].check(Measured((trained, moved)))[0]


def test_measured_names_the_labels_it_has():
    with pytest.raises(KeyError, match="must be one of \\['a'\\]"):
        Measured((run("a"),))["b"]


# ---------------------------------------------------------------- the headless runner and the CLI


def test_run_lesson_reports_progress_and_replaces_the_seed():
    from playground.lessons import run_lesson

    events: list[LessonEvent] = []
    result = run_lesson("xor", seed=3, on_event=events.append)
    kinds = [e.kind for e in events]
    assert kinds[0] == "run_started" and kinds[-1] == "lesson_finished" and kinds.count("run_finished") == 2
    assert kinds.count("epoch") == sum(r.epochs_run for r in result.runs)
    assert events[-1].result is result and result.seed == 3
    assert all("seed=3" in r.query for r in result.runs)
    assert {f.name for f in fields(RunResult)} >= {"history", "train", "val", "test", "query", "label"}


def test_the_live_lr_change_applies_after_its_epoch():
    from playground.lessons.run import run_setup

    r = run_setup(Setup("s", "dataset=spiral&n_samples=50&epochs=6&batch_size=0&lr=0.1", lr_change=(3, 0.01)))
    assert list(r.curve("lr")) == [0.1, 0.1, 0.1, 0.01, 0.01, 0.01] and r.lr_changed_at == 3


def test_cli_lesson_lists_and_refuses_unknown_names(capsys):
    from playground.cli import main

    assert main(["lesson", "--list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == list(LESSONS)
    assert main(["lesson", "nope"]) == 2
    assert "lesson == 'nope', must be one of" in capsys.readouterr().err


def test_cli_lesson_json_has_runs_sentence_and_held(capsys):
    import json

    from playground.cli import main

    assert main(["lesson", "xor", "--json", "--seed", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["held"] is True and report["lesson"] == "xor" and report["seed"] == 1
    assert [r["label"] for r in report["runs"]] == ["no hidden layer", "16 ReLU units"]
    assert f"{round(100 * report['runs'][1]['test_accuracy'])}%" in report["sentence"]
