"""Scaler: the fitted pipeline's numbers reproduce its transform (imputer and every scaling)."""
import numpy as np
import pytest
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, StandardScaler

from playground.config import RunConfig
from playground.datasets import prepare
from playground.datasets.scaler import Scaler


@pytest.mark.parametrize("scaler", [StandardScaler, MinMaxScaler, FunctionTransformer])
@pytest.mark.parametrize("gaps", [False, True])
def test_scaler_matches_the_pipeline(scaler, gaps):
    rng = np.random.default_rng(0)
    X = rng.normal(3, 2, size=(50, 4))
    if gaps:
        X[rng.random(X.shape) < 0.1] = np.nan
    pipe = make_pipeline(*([SimpleImputer(strategy="median")] if gaps else []), scaler()).fit(X)
    np.testing.assert_allclose(Scaler.of(pipe).transform(X), pipe.transform(X).astype(np.float32), rtol=1e-6, atol=1e-6)


def test_prepared_splits_carry_their_scaler():
    splits = prepare(RunConfig(dataset="wine", scaling="minmax"))
    raw = splits.scaler.transform(splits.dataset.X)  # every row, scaled as the training rows were
    hits = [np.abs(raw - row).max(axis=1).min() for row in splits.X_test]
    assert max(hits) < 1e-6
