"""Draw a digit's prediction: a stored MNIST run's weights and feature scaling on a drawn row give what the
trained model itself gives on that row (a run without weights raises NoWeights, as reopen does)."""
from __future__ import annotations

import numpy as np
from playground.callbacks import standard_callbacks
from playground.config import RunConfig, parse_layers
from playground.datasets import prepare
from playground.digit_predict import _loaded, predict_digit
from playground.store import RunRecorder
from playground.trainer import Trainer

CFG = RunConfig(dataset="mnist", layers=parse_layers("32:relu"), optimizer="adam", lr=0.003, batch_size=256,
                epochs=1, seed=0)  # fmt: skip


def test_a_drawn_row_through_the_stored_model_equals_the_trained_model(tmp_path):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    splits = prepare(CFG)
    trainer = Trainer(CFG, splits, [*standard_callbacks(CFG), RunRecorder(url, run_id="digit0000001", interval=0.05)])
    trainer.fit()
    _loaded.cache_clear()
    raw = (splits.X_test[:3] - splits.scaler.offset) / splits.scaler.scale  # test digits as pixels in [0, 1]
    for row, x in zip(raw, splits.X_test[:3]):
        np.testing.assert_allclose(predict_digit(url, "digit0000001", row), trainer.predict_proba(x[None])[0],
                                   atol=1e-5)  # fmt: skip
    assert _loaded.cache_info().misses == 1  # the model is rebuilt once, then reused stroke after stroke

