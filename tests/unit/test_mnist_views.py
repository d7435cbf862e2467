"""MNIST views' numbers: first-layer top-K by norm, the gallery's order and confusion-cell filter."""
import numpy as np
import pytest
import torch

from playground.mnist_views import (TestDigits, first_linear_weight, gallery_order, kept_rows, raw_pixels,
                                    top_units)


def test_top_units_by_norm():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(50, 784)).astype(np.float32)
    w[7] *= 10
    w[3] *= 5
    first = top_units(w, k=32)
    norms = np.linalg.norm(w, axis=1)
    assert first.images.shape == (32, 28, 28) and first.n_units == 50
    assert list(first.units[:2]) == [7, 3]
    assert np.all(np.diff(first.norms) <= 0)  # largest first
    assert set(first.units) == set(np.argsort(-norms)[:32])
    assert np.array_equal(first.images[0].reshape(-1), w[7])  # row-major 28x28, as the dataset's rows


def test_top_units_of_a_narrow_layer_keeps_all():
    first = top_units(np.ones((10, 784), dtype=np.float32))
    assert len(first.units) == 10 and list(first.units) == list(range(10))  # ties: lower unit first


def test_first_linear_weight_is_the_first_layer():
    model = torch.nn.Sequential(torch.nn.Linear(784, 16), torch.nn.ReLU(), torch.nn.Linear(16, 10))
    assert np.array_equal(first_linear_weight(model), model[0].weight.detach().numpy())


def digits() -> TestDigits:
    #        true  predicted (confidence)
    rows = [(4, 9, 0.6), (1, 1, 0.99), (4, 9, 0.9), (7, 7, 0.55), (3, 5, 0.7), (4, 4, 0.8)]
    proba = np.full((len(rows), 10), 0.0, dtype=np.float32)
    for i, (_, p, c) in enumerate(rows):
        proba[i] = (1 - c) / 9
        proba[i, p] = c
    y_true = np.array([t for t, _, _ in rows])
    return TestDigits(np.zeros((len(rows), 28, 28), np.uint8), y_true, proba, len(rows))


def test_gallery_misclassified_first():
    order = gallery_order(digits())
    # mistakes by confidence (0.9, 0.7, 0.6), then correct ones least confident first (0.55, 0.8, 0.99)
    assert list(order) == [2, 4, 0, 3, 5, 1]


def test_gallery_filter_by_confusion_cell():
    d = digits()
    assert list(gallery_order(d, cell=(4, 9))) == [2, 0]  # the true 4s predicted 9
    assert list(gallery_order(d, cell=(4, 4))) == [5]
    assert list(gallery_order(d, cell=(2, 2))) == []
    for i in gallery_order(d, cell=(4, 9)):
        assert d.y_true[i] == 4 and d.y_pred[i] == 9


def test_kept_rows_keeps_every_mistake():
    y_true = np.array([0, 1, 2, 3, 4, 5, 6, 7])
    y_pred = np.array([0, 2, 2, 3, 0, 5, 6, 7])  # mistakes at 1 and 4
    assert list(kept_rows(y_true, y_pred, 100)) == list(range(8))
    assert list(kept_rows(y_true, y_pred, 4)) == [0, 1, 2, 4]  # both mistakes, the first two correct rows
    assert list(kept_rows(y_true, y_pred, 1)) == [1, 4]  # mistakes even past the limit


@pytest.mark.parametrize("scaling", ["standard", "minmax"])
def test_raw_pixels_undo_the_scaling(scaling):
    from sklearn.preprocessing import MinMaxScaler, StandardScaler
    from sklearn.pipeline import make_pipeline

    from playground.datasets.scaler import Scaler

    rng = np.random.default_rng(1)
    raw = np.rint(rng.uniform(0, 255, size=(20, 784))) / 255.0
    raw[:, :5] = 0.0  # constant border pixels (std 0)
    pipe = make_pipeline(StandardScaler() if scaling == "standard" else MinMaxScaler()).fit(raw)
    scaler = Scaler.of(pipe)
    back = raw_pixels(scaler.transform(raw), scaler)
    assert back.shape == (20, 28, 28) and back.dtype == np.uint8
    assert np.array_equal(back.reshape(20, -1), np.rint(raw * 255).astype(np.uint8))


def test_views_of_a_trained_mnist_net_match_its_test_metrics():
    """On a seeded 1-epoch MNIST run: the gallery's predictions give the test confusion the trainer reports,
    and the first-layer images are the first layer's own weight rows."""
    from playground.config import RunConfig, parse_layers
    from playground.datasets import prepare
    from playground.mnist_views import first_layer_images, test_digits
    from playground.trainer import Trainer

    cfg = RunConfig(dataset="mnist", layers=parse_layers("48:relu"), optimizer="adam", lr=0.003, batch_size=128,
                    epochs=1, seed=0)  # fmt: skip
    trainer = Trainer(cfg, prepare(cfg))
    trainer.train_epoch()
    metrics = trainer.evaluate("test")
    digits = test_digits(trainer)
    assert digits.n_test == len(digits.y_true) == metrics.confusion.sum()
    cm = np.zeros((10, 10), dtype=np.int64)
    np.add.at(cm, (digits.y_true, digits.y_pred), 1)
    assert np.array_equal(cm, metrics.confusion)
    assert digits.images.max() == 255 and np.allclose(digits.proba.sum(axis=1), 1.0, atol=1e-5)
    first = first_layer_images(trainer)
    w = trainer.model[0].weight.detach().numpy()
    assert first.n_units == 48 and len(first.units) == 32
    assert np.allclose(first.images[5].reshape(-1), w[first.units[5]])
