"""The Playground's diagnostics panels drawn from real typed results (GradFlowStats, LRFinderResult).

The panels read fields of the engine's frozen dataclasses; here they draw what a real Trainer and a
real range test produce, so a renamed field fails this test instead of the browser. The runner is a
stub holding one snapshot: no training process, no polling.
"""
from dataclasses import dataclass, field, replace

import pytest
from streamlit.testing.v1 import AppTest

from apptest_helpers import page_charts

from playground.callbacks import standard_callbacks
from playground.config import RunConfig
from playground.datasets import prepare
from playground.diagnostics import GradientFlow
from playground.jobs import JobState, JobStatus
from playground.lr_finder import lr_range_test
from playground.snapshot import Extras, Snapshot
from playground.status import Status
from playground.trainer import Trainer
from playground.ui.diagnostics import LR_JOB

CFG = RunConfig(n_samples=100, epochs=2, seed=1, lr=0.03)


@dataclass
class StubRunner:
    """Serves one snapshot; records the learning rates sent to the run."""

    snap: Snapshot
    sent: list[float] = field(default_factory=list)

    def snapshot(self) -> Snapshot:
        return self.snap

    def heartbeat(self) -> None:
        pass

    def submit(self, name, job) -> bool:
        return True

    def set_lr(self, lr: float) -> None:
        self.sent.append(lr)


def panels(runner) -> None:  # the AppTest script: only its body runs, with ``runner`` passed in
    from playground.ui.diagnostics import render_gradient_flow, render_lr_finder

    render_gradient_flow(runner.snapshot())
    render_lr_finder(runner, None)


@pytest.fixture(scope="module")
def results():
    """(GradFlowStats, LRFinderResult) of a real two-epoch run."""
    flow = GradientFlow()
    trainer = Trainer(CFG, prepare(CFG), [*standard_callbacks(CFG), flow])
    trainer.fit()
    return flow.snapshot(), lr_range_test(trainer, num_steps=40)


def draw(stats, result) -> tuple[AppTest, StubRunner]:
    snap = Snapshot(status=Status.RUNNING, run_id="run-1", config=CFG, epoch=2, epochs=CFG.epochs, n_params=10,
                    extras=Extras(gradflow=stats), jobs={LR_JOB: JobState(JobStatus.DONE, 1.0, result)})  # fmt: skip
    runner = StubRunner(snap)
    at = AppTest.from_function(panels, args=(runner,), default_timeout=30).run()
    assert not at.exception, at.exception
    return at, runner


def chart_keys(at: AppTest) -> list[str]:
    return [c.proto.id for c in page_charts(at)]


def test_gradient_flow_and_range_test_panels_draw_the_results(results):
    stats, result = results
    at, runner = draw(stats, result)
    text = " ".join(m.value for m in at.markdown)
    assert f"epoch {stats.epoch}, probe of {len(stats.layers)} layers" in text
    keys = chart_keys(at)
    assert all(any(k in key for key in keys) for k in ("gradflow_chart", "gradflow_history_chart", "lr_finder_chart"))
    assert any(f"{len(result.lrs)} mini-batches from this setup's initial weights" in c.value for c in at.caption)
    lr = float(f"{result.suggested_lr:.2g}")
    assert f"Suggested learning rate: **{lr:g}**" in text
    at.button(key="lr_find_use").click().run()
    assert at.session_state["lr"] == lr and runner.sent == [lr]  # sent to the live run once
    at.run()
    assert runner.sent == [lr]  # a rerun does not send it again


def test_vanishing_gradients_and_no_suggestion_are_said(results):
    stats, result = results
    grad_norm = stats.grad_norm.copy()  # (L,) first layer 1e-6 of the output layer's
    grad_norm[0] = grad_norm[-1] * 1e-6
    vanishing = replace(stats, grad_norm=grad_norm)
    at, _ = draw(vanishing, replace(result, suggested_lr=None, from_initial=False, epoch=2))
    assert any("vanishing gradients" in m.value for m in at.markdown)
    assert any("the run's weights at epoch 2" in c.value for c in at.caption)
    assert any("did not fall anywhere" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "lr_find_use"]  # nothing to use


def test_before_the_first_epoch_the_gradient_panel_waits(results):
    _, result = results
    at, _ = draw(None, result)
    assert any("appears after the first epoch" in c.value for c in at.caption)
