"""Trainer against references: sklearn metrics, a direct model forward, and hand-written losses."""
import copy
import math
import re
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import balanced_accuracy_score, confusion_matrix, log_loss
from sklearn.utils.class_weight import compute_class_weight

from playground import metrics
from playground.metrics import Metrics
from playground.boundary import make_plane
from playground.callbacks import DivergenceGuard, EarlyStopping, History, standard_callbacks
from playground.config import RunConfig, parse_layers
from playground.datasets import prepare
from playground.figures.training import accuracy_figure, loss_figure
from playground.trainer import MIN_VALIDATIONS, VAL_SHARE, Callback, Trainer, auto_val_every, epoch_costs_us

SMALL = dict(n_samples=100, epochs=20)


def trainer_for(callbacks=None, **changes) -> Trainer:
    cfg = RunConfig(**{**SMALL, **changes})
    return Trainer(cfg, prepare(cfg), standard_callbacks(cfg) if callbacks is None else callbacks)


def history_of(trainer: Trainer) -> History:
    return next(cb for cb in trainer.callbacks if isinstance(cb, History))


class Snapshots(Callback):
    """Copies of the weights after every epoch, keyed by epoch."""

    def __init__(self):
        self.states = {}

    def on_epoch_end(self, trainer, logs):
        self.states[logs["epoch"]] = copy.deepcopy(trainer.model.state_dict())


def same_weights(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


# ---------------------------------------------------------------- fit, logs, early stopping, divergence


def test_fit_runs_the_configured_epochs_and_returns_test_logs():
    trainer = trainer_for(epochs=5)
    test = trainer.fit()
    assert trainer.status == "finished" and trainer.epoch == 5
    assert isinstance(test, Metrics) and test.recall.shape == (3,)
    assert test.confusion.sum() == len(trainer.splits.y_test)
    logs = history_of(trainer).logs
    assert logs["epoch"] == [1, 2, 3, 4, 5]
    assert all(s > 0 for s in logs["samples_per_second"]) and trainer.train_seconds > 0
    assert logs["seconds"][-1] == pytest.approx(trainer.train_seconds)
    assert logs["loss"][-1] < logs["loss"][0]


# Tiny noisy spiral and a wide net at a large lr: val loss falls for a few epochs, then rises (overfitting).
OVERFIT = dict(n_samples=30, noise=1.0, layers=parse_layers("128:relu"), lr=0.05, epochs=200)


@pytest.mark.parametrize("val_every", [1, 3])
@pytest.mark.parametrize("restore_best", [True, False])
def test_early_stopping_restores_the_best_weights(restore_best, val_every):
    cfg = RunConfig(**OVERFIT, patience=5, restore_best=restore_best, val_every=val_every)
    snaps, stopper = Snapshots(), EarlyStopping(cfg.patience, cfg.min_delta, cfg.restore_best)
    trainer = Trainer(cfg, prepare(cfg), [History(), snaps, stopper])  # snaps sees each epoch before any restore
    trainer.fit()
    val_loss = np.array(history_of(trainer).logs["val_loss"])
    validated = [e for e in range(1, trainer.epoch + 1) if e == 1 or e % val_every == 0]
    assert np.flatnonzero(~np.isnan(val_loss)).tolist() == [e - 1 for e in validated]  # only these epochs
    assert trainer.status == "early_stopped"
    # patience counts epochs; the stop comes at the first validation >= patience epochs after the best
    assert trainer.epoch == min(e for e in validated if e >= stopper.best_epoch + cfg.patience) < cfg.epochs
    assert stopper.best_epoch == int(np.nanargmin(val_loss)) + 1 and stopper.best == np.nanmin(val_loss)
    best, last = snaps.states[stopper.best_epoch], snaps.states[trainer.epoch]
    assert not same_weights(best, last)
    assert same_weights(trainer.model.state_dict(), best if restore_best else last)
    if restore_best:
        assert trainer.evaluate("val").loss == pytest.approx(stopper.best, rel=1e-6)
        assert f"restored the best weights (epoch {stopper.best_epoch}" in trainer.message


def test_forced_validations_do_not_move_the_early_stop():
    """A paused or stepped run validates extra epochs for the page; it must stop where an untouched run stops."""
    cfg = RunConfig(**OVERFIT, patience=5, val_every=3)
    runs = []
    for forced in (set(), {2, 4, 5, 7, 8, 10, 11}):  # e.g. Step pressed on these epochs
        trainer = Trainer(cfg, prepare(cfg), standard_callbacks(cfg))
        while not trainer.stop_training:
            logs = trainer.train_epoch(validate=trainer.epoch + 1 in forced)
            if trainer.epoch in forced:
                assert "val_loss" in logs and logs["val_scheduled"] is (trainer.epoch % 3 == 0)
        runs.append(trainer)
    untouched, watched = runs
    assert watched.status == untouched.status == "early_stopped" and watched.epoch == untouched.epoch
    assert same_weights(watched.model.state_dict(), untouched.model.state_dict())
    assert watched.message == untouched.message


def test_early_stopping_off_by_default():
    assert not any(isinstance(cb, EarlyStopping) for cb in standard_callbacks(RunConfig()))
    assert any(isinstance(cb, EarlyStopping) for cb in standard_callbacks(RunConfig(patience=3)))


def test_real_divergence_stops_and_keeps_history():
    # A deep linear net under plain SGD at lr=1 blows up within a few epochs.
    trainer = trainer_for(layers=parse_layers("32:linear,32:linear,32:linear"), optimizer="sgd", lr=1.0, epochs=50)
    trainer.fit()
    logs = history_of(trainer).logs
    assert trainer.status == "diverged" and trainer.epoch < 50
    assert trainer.message == f"loss diverged at epoch {trainer.epoch}; try a smaller learning rate"
    assert len(logs["loss"]) == trainer.epoch  # history kept, up to and including the bad epoch
    assert not math.isfinite(logs["loss"][-1]) or math.isinf(logs["val_loss"][-1])  # NaN val: not validated


class InjectInf(Callback):
    def __init__(self, at: int):
        self.at = at

    def on_epoch_end(self, trainer, logs):
        if logs["epoch"] == self.at:
            logs["loss"] = float("inf")


def test_divergence_is_caught_on_the_train_loss_of_an_unvalidated_epoch():
    trainer = trainer_for(callbacks=[InjectInf(at=5), History(), DivergenceGuard()], epochs=20, val_every=4)
    trainer.fit()
    logs = history_of(trainer).logs
    assert trainer.status == "diverged" and trainer.epoch == 5
    assert math.isnan(logs["val_loss"][-1]) and logs["loss"][-1] == math.inf  # epoch 5 had no validation


def test_divergence_guard_message_names_the_epoch():
    trainer = trainer_for(callbacks=[History(), InjectInf(at=4), DivergenceGuard()], epochs=20)
    trainer.fit()
    assert trainer.status == "diverged" and trainer.epoch == 4
    assert re.fullmatch(r"loss diverged at epoch 4; try a smaller learning rate", trainer.message)
    assert history_of(trainer).logs["epoch"] == [1, 2, 3, 4]


# ---------------------------------------------------------------- reproducibility


def _metrics(trainer: Trainer):
    test = trainer.fit()
    logs = history_of(trainer).logs
    return [logs[k] for k in ("loss", "accuracy", "val_loss")], test.loss, test.confusion.tolist()


def test_same_seed_same_metrics_different_seed_different():
    changes = dict(layers=parse_layers("16:relu:0.2,16:tanh"), epochs=8)  # dropout masks must be seeded too
    a, b, c = _metrics(trainer_for(**changes)), _metrics(trainer_for(**changes)), _metrics(trainer_for(seed=1, **changes))
    assert a == b
    assert a[0] != c[0] and a[1] != c[1]


def test_same_seed_same_metrics_with_sparse_validation_and_early_stopping():
    # Validation every 4 epochs (the user's choice): two runs validate the same epochs and stop at the same one.
    cfg = RunConfig(**OVERFIT, batch_size=0, patience=8, val_every=4)
    runs = []
    for _ in range(2):
        trainer = Trainer(cfg, prepare(cfg), standard_callbacks(cfg))
        test = trainer.fit()
        runs.append((trainer, history_of(trainer).as_arrays(), test))
    (a, ha, ta), (b, hb, tb) = runs
    assert a.val_every == b.val_every > 1 and a.status == b.status == "early_stopped" and a.epoch == b.epoch
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "val_balanced_accuracy"):
        np.testing.assert_array_equal(ha[key], hb[key])  # NaN on the same skipped epochs
    assert ta.loss == tb.loss and a.message == b.message


def test_batch_order_is_seeded_separately_from_the_data():
    cfg = RunConfig(**SMALL)
    splits = prepare(cfg)
    one = Trainer(cfg, splits, [History()])
    two = Trainer(cfg.replace(seed=3), splits, [History()])
    for t in (one, two):
        t.train_epoch()
    assert history_of(one).logs["loss"] != history_of(two).logs["loss"]


# ---------------------------------------------------------------- losses and class weights


def test_class_weights_change_the_loss_like_weighted_cross_entropy():
    plain, weighted = trainer_for(), trainer_for(class_weights="1,5,1")
    X, y = plain.data["train"]
    with torch.no_grad():
        logits = plain.model(X)
        w = torch.tensor([1.0, 5.0, 1.0])
        expected = (F.cross_entropy(logits, y, reduction="none") * w[y]).sum() / w[y].sum()
        assert float(weighted.loss(logits, y)) == pytest.approx(float(expected), rel=1e-6)
        assert float(plain.loss(logits, y)) == pytest.approx(float(F.cross_entropy(logits, y)), rel=1e-6)
        assert float(weighted.loss(logits, y)) != pytest.approx(float(plain.loss(logits, y)), rel=1e-3)
    plain.fit(), weighted.fit()
    assert history_of(plain).logs["loss"] != history_of(weighted).logs["loss"]


def test_balanced_class_weights_match_sklearn():
    trainer = trainer_for(dataset="wine_quality", class_weights="balanced", epochs=1)
    y = trainer.splits.y_train
    expected = compute_class_weight("balanced", classes=np.unique(y), y=y)
    np.testing.assert_allclose(trainer.class_weight.numpy(), expected, rtol=1e-6)


def test_weighted_binary_bce_equals_sklearn_log_loss():
    trainer = trainer_for(dataset="circles", class_weights="1,3")
    assert trainer.binary_bce and trainer.model[-1].out_features == 1
    X, y = trainer.data["val"]
    with torch.no_grad():
        logits = trainer.model(X)
        loss = float(trainer.loss(logits, y))
    p1 = torch.sigmoid(logits).squeeze(1).double().numpy()
    w = np.array([1.0, 3.0])[y.numpy()]
    assert loss == pytest.approx(log_loss(y.numpy(), p1, sample_weight=w), rel=1e-5)


def test_binary_bce_and_softmax_heads():
    bce, soft = trainer_for(dataset="circles", noise=0.1), trainer_for(dataset="circles", noise=0.1, binary_loss="softmax")
    assert bce.model[-1].out_features == 1 and soft.model[-1].out_features == 2
    z = torch.linspace(-4, 4, 9).unsqueeze(1)  # (9, 1) logits of class 1
    y = torch.tensor([0, 1, 0, 1, 1, 0, 1, 0, 1])
    # A softmax over (0, z) is a sigmoid of z: the two heads give the same loss and probabilities.
    assert float(bce.loss(z, y)) == pytest.approx(float(soft.loss(torch.cat([torch.zeros_like(z), z], 1), y)), rel=1e-6)
    torch.testing.assert_close(bce.proba(z), soft.proba(torch.cat([torch.zeros_like(z), z], 1)))
    assert bce.predict(z).tolist() == (z.squeeze(1) > 0).long().tolist()
    for trainer in (bce, soft):
        test = trainer.fit()
        assert test.accuracy > 0.9
        proba = trainer.predict_proba(trainer.splits.X_test)
        assert proba.shape == (len(trainer.splits.y_test), 2)
        np.testing.assert_allclose(proba.sum(1), 1, rtol=1e-6)


def test_l1_penalty_shrinks_weights():
    def weight_mass(trainer):
        trainer.fit()
        return sum(float(w.detach().abs().sum()) for w in trainer.l1_params)

    assert weight_mass(trainer_for(l1=0.01)) < 0.5 * weight_mass(trainer_for())


def test_batch_clamp_note():
    trainer = trainer_for(batch_size=10_000, epochs=1)
    assert trainer.batch_size == len(trainer.splits.y_train) == trainer.cfg.batch_size
    assert any("batch_size == 10000" in note for note in trainer.notes)


# ---------------------------------------------------------------- metrics against sklearn


def test_confusion_and_balanced_accuracy_match_sklearn():
    gen = torch.Generator().manual_seed(0)
    for n_classes in (2, 3, 6):
        y_true = torch.randint(0, n_classes, (500,), generator=gen)
        y_pred = torch.where(torch.rand(500, generator=gen) < 0.6, y_true, torch.randint(0, n_classes, (500,), generator=gen))
        cm = metrics.confusion(y_true, y_pred, n_classes)
        np.testing.assert_array_equal(cm, confusion_matrix(y_true, y_pred, labels=range(n_classes)))
        assert metrics.balanced_accuracy(cm) == pytest.approx(balanced_accuracy_score(y_true, y_pred))
        assert metrics.accuracy(cm) == pytest.approx(float((y_true == y_pred).float().mean()))


def test_balanced_accuracy_skips_classes_absent_from_the_truth():
    y_true, y_pred = torch.tensor([0, 0, 1, 1, 1]), torch.tensor([0, 2, 1, 1, 0])  # class 2 predicted, never true
    cm = metrics.confusion(y_true, y_pred, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = balanced_accuracy_score(y_true, y_pred)
    assert metrics.balanced_accuracy(cm) == pytest.approx(expected)
    assert np.isnan(metrics.recall_per_class(cm)[2])


def test_trainer_confusion_matches_sklearn_on_its_predictions():
    trainer = trainer_for(dataset="wine", epochs=5)
    test = trainer.fit()
    predicted = trainer.predict_proba(trainer.splits.X_test).argmax(1)
    np.testing.assert_array_equal(test.confusion, confusion_matrix(trainer.splits.y_test, predicted, labels=range(3)))
    assert test.balanced_accuracy == pytest.approx(balanced_accuracy_score(trainer.splits.y_test, predicted))


def test_evaluate_scores_match_the_metrics_module_and_sklearn_with_an_absent_class():
    trainer = trainer_for(epochs=3)
    trainer.fit()
    X, y = trainer.data["val"]
    keep = y != 2  # class 2 absent from the truth; the net may still predict it
    trainer.data["val"] = (X[keep], y[keep])
    val = trainer.evaluate("val")
    predicted = trainer.predict_proba(X[keep].numpy()).argmax(1)
    cm = confusion_matrix(y[keep], predicted, labels=range(3))
    np.testing.assert_array_equal(val.confusion, cm)
    assert val.confusion.dtype == np.int64 and val.recall.shape == (3,) and np.isnan(val.recall[2])
    np.testing.assert_allclose(val.recall, metrics.recall_per_class(cm))
    assert val.accuracy == pytest.approx(metrics.accuracy(cm))
    assert val.balanced_accuracy == pytest.approx(metrics.balanced_accuracy(cm))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert val.balanced_accuracy == pytest.approx(balanced_accuracy_score(y[keep], predicted))


# ---------------------------------------------------------------- boundary grid against a direct forward


@pytest.mark.parametrize("dataset", ["spiral", "wine", "circles"])
def test_boundary_grid_probabilities_equal_a_direct_forward(dataset):
    # Dropout and batchnorm make eval mode matter: train-mode forwards would differ.
    trainer = trainer_for(dataset=dataset, layers=parse_layers("32:relu:0.5:bn,16:tanh"), epochs=3)
    trainer.fit()
    plane = make_plane(trainer.splits.X_train)
    assert plane.features.shape == (len(plane.xs) * len(plane.ys), trainer.splits.n_features)
    proba = trainer.predict_proba(plane.features)
    model = copy.deepcopy(trainer.model).eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(plane.features))
        direct = torch.sigmoid(logits) if trainer.binary_bce else torch.softmax(logits, 1)
    if trainer.binary_bce:
        direct = torch.cat([1 - direct, direct], 1)
    np.testing.assert_allclose(proba, direct.numpy(), rtol=1e-5, atol=1e-6)
    assert trainer.model.training  # predict_proba puts the model back in train mode
    np.testing.assert_array_equal(proba, trainer.predict_proba(plane.features))  # dropout off: deterministic


def test_pca_plane_projects_and_maps_back_as_sklearns_pca():
    from sklearn.decomposition import PCA

    X = prepare(RunConfig(dataset="wine")).X_train
    plane = make_plane(X)
    pca = PCA(n_components=2, random_state=0).fit(X)
    np.testing.assert_allclose(plane.project(X), pca.transform(X), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(plane.features, pca.inverse_transform(plane.grid), rtol=1e-5, atol=1e-5)
    assert make_plane(prepare(RunConfig()).X_train).components is None  # 2-D: the input plane itself


@pytest.mark.parametrize("layers", ["32:relu:0.5:bn,16:tanh", ""])
def test_folded_pca_plane_probabilities_equal_a_forward_on_the_mapped_points(layers):
    # The runner folds the PCA plane into the first Linear; it must match the full 13-D forward.
    trainer = trainer_for(dataset="wine", layers=parse_layers(layers), epochs=3)
    trainer.fit()
    plane = make_plane(trainer.splits.X_train)
    folded = trainer.predict_proba_affine(plane.grid, plane.mean, plane.components)
    np.testing.assert_allclose(folded, trainer.predict_proba(plane.features), rtol=1e-4, atol=1e-5)
    assert trainer.model.training


# ---------------------------------------------------------------- validation frequency (val_every)


class KeysPerEpoch(Callback):
    def __init__(self):
        self.keys = {}

    def on_epoch_end(self, trainer, logs):
        self.keys[logs["epoch"]] = set(logs)


VAL_KEYS = {"val_loss", "val_accuracy", "val_balanced_accuracy", "val_recall", "val_confusion"}


def _val_every_of(**changes) -> Trainer:
    cfg = RunConfig(**changes)
    return Trainer(cfg, prepare(cfg), [])


def val_share(k: int, n_train: int, n_val: int, batch_size: int, n_params: int) -> float:
    """The cost model's share of training time spent validating, when validating every k epochs."""
    train, val = epoch_costs_us(n_train, n_val, batch_size, n_params)
    return val / (k * train)


def assert_within_the_validation_budget(k: int, **sizes) -> None:
    """k is the smallest interval whose modelled validation share is <= VAL_SHARE, give or take rounding:
    validating one epoch more often would exceed the budget, one epoch less often is within it."""
    assert val_share(k + 1, **sizes) <= VAL_SHARE, (k, sizes)
    assert k == 1 or val_share(k - 1, **sizes) > VAL_SHARE, (k, sizes)
    if val_share(1, **sizes) <= VAL_SHARE:
        assert k == 1, (k, sizes)  # validation already fits the budget every epoch: cheap validation, every epoch


def scheduled_validations(k: int, epochs: int) -> set[int]:
    """The documented schedule (playground/trainer.py): epoch 1, every k-th epoch, and the last."""
    return {1, epochs} | set(range(k, epochs + 1, k))


UNCAPPED = 10**9  # epochs: so many that the MIN_VALIDATIONS cap never binds
# validation costs from negligible (many small batches, few validation rows) to dominant (full batch, big val set)
SIZE_GRID = [
    dict(n_train=n_train, n_val=n_val, batch_size=min(batch, n_train), n_params=n_params)
    for n_train in (60, 1800, 50_000)
    for n_val in (20, 600, 10_000, 60_000)
    for batch in (1, 32, 128, 10**9)
    for n_params in (50, 603, 407_050)
]  # fmt: skip


def test_auto_val_every_keeps_validation_within_its_share_of_training_time():
    ks = []
    for sizes in SIZE_GRID:
        k = auto_val_every(**sizes, epochs=UNCAPPED)
        assert_within_the_validation_budget(k, **sizes)
        ks.append(k)
    assert min(ks) == 1 and max(ks) > 10  # the grid covers cheap and dear validation alike


def test_auto_val_every_grows_with_the_validation_set_and_the_batch_size():
    """A bigger validation set makes a pass dearer; bigger batches make a training epoch cheaper (fewer steps)."""
    base = dict(n_train=1800, n_params=603, epochs=UNCAPPED)
    by_val = [auto_val_every(**base, n_val=n_val, batch_size=1800) for n_val in (10, 100, 600, 3000, 20_000, 60_000)]
    assert by_val == sorted(by_val) and by_val[0] < by_val[-1], by_val
    by_batch = [auto_val_every(**base, n_val=600, batch_size=b) for b in (1, 8, 32, 128, 512, 1800)]
    assert by_batch == sorted(by_batch) and by_batch[0] == 1 < by_batch[-1], by_batch


def test_auto_val_every_leaves_min_validations_points_on_the_curve():
    dear = dict(n_train=1800, n_val=60_000, batch_size=1800, n_params=603)  # validation far dearer than an epoch
    uncapped = auto_val_every(**dear, epochs=UNCAPPED)
    capped = 0
    for epochs in range(1, 10 * uncapped + 2):
        k = auto_val_every(**dear, epochs=epochs)
        assert 1 <= k <= uncapped  # the cap only ever validates more often
        assert len(scheduled_validations(k, epochs)) >= min(epochs, MIN_VALIDATIONS), (epochs, k)
        capped += k < uncapped
    assert capped > 0  # the cap was exercised


def test_auto_val_every_validates_every_epoch_with_early_stopping():
    """Early stopping must see every epoch, so it stops ``patience`` epochs after the best, not later."""
    dear = [sizes for sizes in SIZE_GRID if auto_val_every(**sizes, epochs=UNCAPPED) > 1]
    assert dear
    for sizes in dear:
        for patience in (1, 5, 20):
            assert auto_val_every(**sizes, epochs=UNCAPPED, patience=patience) == 1, (sizes, patience)
    cfg = RunConfig(batch_size=0, patience=5)
    assert Trainer(cfg, prepare(cfg), []).val_every == 1


def test_the_trainer_picks_auto_val_every_from_its_own_sizes():
    """The trainer feeds auto_val_every its real train/val rows, effective batch and parameter count, and says
    when it validates less than every epoch; the shapes are the benchmark's (benchmarks/bench_trainer.py)."""
    mnist = dict(dataset="mnist", layers=parse_layers("512:relu"), optimizer="rmsprop", lr=0.001, batch_size=128)
    shapes = {"spiral batch 32": dict(batch_size=32), "spiral full batch": dict(batch_size=0),
              "mnist-5k 784-512-10 batch 128": mnist}  # fmt: skip
    ks = {}
    for name, changes in shapes.items():
        trainer = _val_every_of(**changes)
        sizes = dict(n_train=len(trainer.splits.y_train), n_val=len(trainer.splits.y_val),
                     batch_size=trainer.batch_size, n_params=sum(p.numel() for p in trainer.model.parameters()))  # fmt: skip
        k = ks[name] = trainer.val_every
        assert k == auto_val_every(**sizes, epochs=trainer.cfg.epochs, patience=trainer.cfg.patience), name
        uncapped = auto_val_every(**sizes, epochs=UNCAPPED)
        if k == uncapped:
            assert_within_the_validation_budget(k, **sizes)
        else:
            assert k < uncapped  # capped for MIN_VALIDATIONS points (tested above)
        noted = [n for n in trainer.notes if n.startswith("Validating every")]
        assert noted == ([] if k == 1 else [f"Validating every {k} epochs (auto, val_every == 0), and on the first and the last."])
    assert ks["spiral full batch"] >= ks["spiral batch 32"]  # one step per epoch: validation is relatively dearer


def test_explicit_val_every_is_kept():
    assert _val_every_of(batch_size=0, val_every=1).val_every == 1
    explicit = _val_every_of(batch_size=32, val_every=5)
    assert explicit.val_every == 5 and "Validating every 5 epochs (val_every), and on the first and the last." in explicit.notes


def test_validation_runs_on_the_first_every_kth_and_last_epoch_only():
    keys = KeysPerEpoch()
    trainer = trainer_for(callbacks=[History(), keys], epochs=11, val_every=4)
    trainer.fit()
    validated = [e for e, k in keys.keys.items() if VAL_KEYS <= k]
    assert validated == [1, 4, 8, 11] and trainer.last_validated == 11
    assert all(not (VAL_KEYS & k) for e, k in keys.keys.items() if e not in validated)  # Keras: keys absent
    history = history_of(trainer).as_arrays()
    assert np.isnan(history["val_loss"]).tolist() == [e not in validated for e in range(1, 12)]
    assert np.isnan(history["val_accuracy"]).sum() == np.isnan(history["val_balanced_accuracy"]).sum() == 7
    assert np.isfinite(history["loss"]).all() and history["epoch"].tolist() == list(range(1, 12))
    # the last validation is of the final weights
    assert history["val_loss"][-1] == pytest.approx(trainer.evaluate("val").loss, rel=1e-6)


def test_history_arrays_are_converted_incrementally_and_grow():
    history, snapshots = History(), []
    for epoch in range(1, 601):
        logs = {"epoch": epoch, "loss": 1 / epoch, "accuracy": 0.5, "lr": 0.01, "seconds": epoch, "samples_per_second": 9.0}
        if epoch % 3 == 1:
            logs["val_loss"] = 2 / epoch
        history.on_epoch_end(None, logs)
        if epoch % 7 or epoch < 20:  # every epoch, whatever the buffer's size, with a few converted two at a time
            snapshots.append(history.as_arrays())
    final = history.as_arrays()
    assert final["epoch"].tolist() == list(range(1, 601)) and final["epoch"].dtype == np.float64
    np.testing.assert_array_equal(final["val_loss"], [2 / e if e % 3 == 1 else np.nan for e in range(1, 601)])
    assert np.isnan(final["val_accuracy"]).all()  # a key never logged is all NaN
    for snap in snapshots:  # earlier copies are prefixes, untouched by later appends
        n = len(snap["epoch"])
        for key, values in snap.items():
            np.testing.assert_array_equal(values, final[key][:n])


def test_validate_true_forces_a_validation_off_schedule():
    trainer = trainer_for(callbacks=[], epochs=50, val_every=10)
    assert VAL_KEYS <= set(trainer.train_epoch())  # epoch 1
    assert not VAL_KEYS & set(trainer.train_epoch())  # epoch 2
    logs = trainer.train_epoch(validate=True)  # epoch 3
    assert VAL_KEYS <= set(logs) and trainer.last_validated == 3
    assert logs["val_loss"] == pytest.approx(trainer.evaluate("val").loss, rel=1e-6)


def test_full_batch_epoch_logs_the_loss_and_accuracy_of_the_weights_it_started_from():
    trainer = trainer_for(batch_size=0, epochs=3)
    trainer.train_epoch()
    X, y = trainer.data["train"]
    before = copy.deepcopy(trainer.model)
    with torch.no_grad():
        logits = before(X)
    logs = trainer.train_epoch()
    assert logs["loss"] == pytest.approx(float(F.cross_entropy(logits, y)), rel=1e-5)
    assert logs["accuracy"] == pytest.approx(float((logits.argmax(1) == y).float().mean()))


def test_loss_chart_draws_validation_through_the_validated_epochs_only():
    # Every 3rd of 40 epochs, plus the first and the last (40, off the multiples of 3).
    trainer = trainer_for(batch_size=0, epochs=40, val_every=3)
    trainer.fit()
    history = history_of(trainer).as_arrays()
    validated = [1, *range(3, 40, 3), 40]
    for fig, key in ((loss_figure(history), "val_loss"), (accuracy_figure(history), "val_accuracy")):
        train, val = fig.data
        assert (train.name, val.name) == ("train", "validation")
        assert list(train.x) == list(range(1, 41)) and len(train.y) == 40
        assert list(val.x) == validated  # one line through the validated epochs, no gaps and no NaN
        np.testing.assert_array_equal(val.y, history[key][np.array(validated) - 1])
        assert np.isfinite(np.asarray(val.y, dtype=float)).all()
