"""One trial = one Trainer run, recorded in the run store like any other run.

The objective value is the run's **final validation loss** (minimized): the loss on the validation
split of the weights the run ends with (the restored best ones when early stopping restored them),
as ``train --json`` reports ``val_loss``. A diverged run has no finite loss, so its trial is FAIL
(Optuna's rule for a NaN value); its run stays in the store as "diverged".

While it trains, ``TrialGuard`` reports each scheduled validation's loss to ``trial.report`` at
its epoch; when the pruner says so (``trial.should_prune()``) it stops the trainer, the run is
recorded as stopped with a "pruned" message, and the trial ends PRUNED. A set ``stop`` event
(the SweepRunner's Stop) ends the run at the next epoch and the trial as FAIL ("stopped").
The trial's run id is its user attr ``run_id``.
"""
from __future__ import annotations

import math
import uuid
from typing import TYPE_CHECKING, Any

from playground.config import DATA_FIELDS, RunConfig
from playground.status import Status
from playground.sweep.slots import worker_name
from playground.sweep.study import SweepSettings

if TYPE_CHECKING:
    import optuna

    from playground.datasets.splits import Splits
    from playground.store import RunStore
    from playground.trainer import Trainer


class SweepStopped(Exception):
    """The sweep was stopped while this trial trained."""


class TrialGuard:
    """A Trainer callback (by its three methods): reports val_loss to the trial, prunes, and obeys Stop.

    ``threads``: torch threads for this worker, set after the trainer sizes its pool to the model
    (``Trainer._begin``), so parallel workers each keep to one core. ``prune``: report and ask at all;
    without a pruner nothing is reported (a report is a database write, ~9 ms on PostgreSQL: a fifth
    of a small spiral trial's time)."""

    def __init__(self, trial: "optuna.Trial", stop=None, threads: int = 1, prune: bool = True) -> None:
        self.trial, self.stop, self.threads, self.prune = trial, stop, threads, prune
        self.pruned_at: int | None = None
        self.stopped = False

    def on_train_begin(self, trainer: "Trainer") -> None:
        import torch

        torch.set_num_threads(self.threads)

    def on_epoch_end(self, trainer: "Trainer", logs: dict) -> None:
        if self.stop is not None and self.stop.is_set():
            self.stopped = True
            trainer.stop(Status.STOPPED, f"the sweep was stopped at epoch {logs['epoch']}")
            return
        loss = logs.get("val_loss")
        if not self.prune or loss is None or not logs.get("val_scheduled", True) or not math.isfinite(loss) or trainer.stop_training:
            return
        self.trial.report(loss, logs["epoch"])
        if self.trial.should_prune():
            self.pruned_at = logs["epoch"]
            trainer.stop(Status.STOPPED, f"pruned at epoch {logs['epoch']} (val_loss {loss:.4f}): trial {self.trial.number} "
                                         "did worse than the study's other trials at this epoch")  # fmt: skip

    def on_train_end(self, trainer: "Trainer", logs: dict) -> None: ...


class Objective:
    """``study.optimize(Objective(settings, store), ...)``: trains the trial's config and returns its val loss."""

    def __init__(self, settings: SweepSettings, store: "RunStore | None", stop=None) -> None:
        self.settings, self.store, self.stop = settings, store, stop
        self._splits: dict[tuple, Splits] = {}  # one dataset split per data config: trials mostly share it

    def __call__(self, trial: "optuna.Trial") -> float:
        from playground.callbacks import standard_callbacks
        from playground.store import RunRecorder, default_label
        from playground.trainer import Trainer

        cfg = self.settings.space.suggest(trial, self.settings.base)
        run_id = uuid.uuid4().hex[:12]
        trial.set_user_attr("run_id", run_id)
        trial.set_user_attr("worker", worker_name())  # host:pid, so a Stop can fail the trials of workers it ended
        guard = TrialGuard(trial, self.stop, prune=self.settings.pruner != "none")
        callbacks: list[Any] = [*standard_callbacks(cfg), guard]
        if self.store is not None:
            label = f"{self.settings.name} #{trial.number} · {default_label(cfg)}"
            callbacks.append(RunRecorder(self.store, run_id=run_id, label=label, source="sweep", study=self.settings.name))
        trainer = Trainer(cfg, self.splits(cfg), callbacks)
        trainer.fit()
        trial.set_user_attr("status", str(trainer.status))
        trial.set_user_attr("epochs", trainer.epoch)
        if guard.stopped:
            raise SweepStopped(trainer.message)
        if guard.pruned_at is not None:
            import optuna

            raise optuna.TrialPruned(trainer.message)
        return float(trainer.evaluate("val").loss)  # NaN (diverged) -> Optuna marks the trial FAIL

    def splits(self, cfg: RunConfig) -> "Splits":
        from playground.datasets import prepare

        key = tuple(getattr(cfg, name) for name in DATA_FIELDS)
        if key not in self._splits:
            self._splits = {key: prepare(cfg)}  # keep one: a dataset in the space changes it per trial
        return self._splits[key]
