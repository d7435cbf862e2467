"""Reopen: a stored run's weights back in a model give its stored scores, and a boundary, without retraining."""
from __future__ import annotations

import numpy as np
import pytest

from playground.callbacks import standard_callbacks
from playground.config import RunConfig, parse_layers
from playground.datasets import prepare
from playground.reopen import NoWeights, reopen
from playground.store import RunRecorder, open_store
from playground.trainer import Trainer

CFG = RunConfig(dataset="spiral", n_samples=60, epochs=8, layers=parse_layers("16:relu"), seed=4)


def _recorded(url: str, cfg: RunConfig, run_id: str) -> Trainer:
    splits = prepare(cfg)
    trainer = Trainer(cfg, splits, [*standard_callbacks(cfg), RunRecorder(url, run_id=run_id, interval=0.05)])
    trainer.fit()
    return trainer


@pytest.mark.parametrize("cfg", [CFG, CFG.replace(dataset="wine", layers=parse_layers("8:tanh:0.2:bn"))],
                         ids=["spiral", "wine-dropout-batchnorm"])  # fmt: skip
def test_a_reopened_run_scores_as_it_ended(tmp_path, cfg):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    trainer = _recorded(url, cfg, "reopen000001")
    reopened = reopen(url, "reopen000001")
    with open_store(url) as store:
        run = store.get_run("reopen000001")
    assert reopened.test.accuracy == run.test.accuracy and reopened.test.loss == pytest.approx(run.test.loss, rel=1e-6)
    np.testing.assert_array_equal(reopened.test.confusion, np.array(run.confusion))
    # the boundary is the model's: probabilities over the grid, summing to one, as the live view drew them
    grid = reopened.boundary
    assert grid.proba.shape == (len(grid.ys), len(grid.xs), trainer.n_classes)
    np.testing.assert_allclose(grid.proba.sum(axis=-1), 1.0, atol=1e-5)
    assert (grid.note != "") == (cfg.dataset != "spiral")  # 13 wine features: the PCA plane, said in a note


def test_a_run_without_weights_says_so(tmp_path):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    cfg = CFG.replace(optimizer="sgd", lr=10.0, layers=parse_layers("64:relu,64:relu"), epochs=200)
    trainer = _recorded(url, cfg, "diverged0002")
    assert trainer.status == "diverged"
    with pytest.raises(NoWeights, match="diverged0002 \\(diverged\\) kept no weights"):
        reopen(url, "diverged0002")
