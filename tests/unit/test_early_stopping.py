"""Early stopping as the page reports it: the patience the user set, and the epoch whose weights came back."""
from playground.callbacks import EarlyStopping
from playground.config import RunConfig, parse_layers
from playground.datasets import prepare
from playground.runner import Runner
from playground.status import Status
from polling import wait_for

# Few noisy points and a big net: validation loss turns up early (issue repro, shortened).
OVERFIT = RunConfig(n_samples=50, noise=0.6, layers=parse_layers("256:relu,256:relu"), epochs=500, patience=20)


def test_the_message_states_the_users_patience_and_the_restored_epoch():
    runner = Runner()
    try:
        runner.start(OVERFIT, prepare(OVERFIT))
        snap = wait_for(lambda: (s := runner.snapshot()).status.ended and s, timeout=120, what="early stop")
    finally:
        runner.close()
    assert snap.status is Status.EARLY_STOPPED
    assert "(patience 20 epochs)" in snap.message
    best = snap.restored_epoch
    assert best is not None and f"restored the best weights (epoch {best}," in snap.message
    val = snap.history["val_loss"]
    assert val[best - 1] == min(v for v in val if v == v)  # the restored epoch had the lowest validation loss


def test_restored_epoch_is_none_without_restoring():
    stopper = EarlyStopping(patience=2, restore_best=False)
    assert stopper.restored_epoch is None


def test_auto_validation_with_early_stopping_stops_exactly_patience_epochs_after_the_best():
    from playground.callbacks import standard_callbacks
    from playground.trainer import Trainer

    cfg = OVERFIT.replace(batch_size=0)  # full batch: without early stopping, auto would validate rarely
    trainer = Trainer(cfg, prepare(cfg), standard_callbacks(cfg))
    trainer.fit()
    stopper = next(cb for cb in trainer.callbacks if isinstance(cb, EarlyStopping))
    assert trainer.val_every == 1 and trainer.status is Status.EARLY_STOPPED
    assert trainer.epoch == stopper.best_epoch + cfg.patience
    assert Trainer(cfg.replace(patience=0), prepare(cfg)).val_every > 1  # the rule is early stopping's, not the data's
