"""A torch-free stand-in for what RunRecorder reads of a Trainer, and the logs it would emit.

Subprocess writers (concurrency, crash) use it so that each process starts in ~0.3 s instead of
~2 s of importing torch; the recorder's code path is the same (it reads these attributes only).
"""
from __future__ import annotations

import math
from types import SimpleNamespace

from playground.config import RunConfig
from playground.status import Status


class StandInTrainer:
    def __init__(self, cfg: RunConfig | None = None) -> None:
        self.cfg = cfg or RunConfig(dataset="xor", epochs=1000, seed=7)
        self.epoch, self.train_seconds = 0, 0.0
        self.stop_training, self.status, self.message = False, Status.RUNNING, ""
        self.splits = SimpleNamespace(y_train=[0] * 10, dataset=SimpleNamespace(class_names=("a", "b")))

    def emit(self, recorder, seed: int = 0) -> dict:
        """One epoch's logs (validated on even epochs only, lr halves at epoch 4) sent to ``recorder``."""
        self.epoch += 1
        self.train_seconds += 0.01
        logs = epoch_logs(self.epoch, seed)
        recorder.on_epoch_end(self, logs)
        return logs

    def stop(self, status: Status, message: str = "") -> None:
        self.stop_training, self.status, self.message = True, status, message


def epoch_logs(epoch: int, seed: int = 0) -> dict:
    logs = {"epoch": epoch, "loss": 1.0 / epoch + seed, "accuracy": 1 - 1.0 / (epoch + 1), "lr": 0.1 if epoch < 4 else 0.05,
            "seconds": 0.01 * epoch, "samples_per_second": 1000.0 + seed}  # fmt: skip
    if epoch % 2 == 0:
        logs.update(val_loss=1.5 / epoch + seed, val_accuracy=0.5, val_balanced_accuracy=0.5)
    return logs


def expected_column(key: str, epochs: int, seed: int = 0) -> list[float]:
    return [epoch_logs(e, seed).get(key, math.nan) for e in range(1, epochs + 1)]
