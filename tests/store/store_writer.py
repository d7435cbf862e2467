"""A separate process that records one run: ``python store_writer.py URL RUN_ID EPOCHS SEED END [GO_FILE]``.

END is "close" (the run ends as finished) or "crash" (``os._exit`` once its epochs are written,
like a server killed mid-run). With GO_FILE it prints "ready" and starts when that file exists, so
several writers start together; with the environment variable STORE_WRITER_HOLD (a path) it ends
its run only once that file exists, so a test can hold every run open until all have begun.
Prints "ok" or the recorder's error.
"""
import os
import sys
import time

from store_standin import StandInTrainer

from playground.status import Status
from playground.store import RunRecorder


def main(url: str, run_id: str, epochs: int, seed: int, end: str, go: str | None) -> None:
    if go:
        print("ready", flush=True)
        while not os.path.exists(go):
            time.sleep(0.005)
    trainer = StandInTrainer()
    recorder = RunRecorder(url, run_id=run_id, session=f"writer-{seed}", interval=0.01)
    recorder.on_train_begin(trainer)
    for _ in range(epochs):
        trainer.emit(recorder, seed)
        time.sleep(0.001)  # ~10 epochs per write: many small transactions racing the other writers
    if end == "crash":
        while recorder._pending or recorder.error is None and not _written(url, run_id, epochs):
            time.sleep(0.02)
        print("ok" if recorder.error is None else recorder.error, flush=True)
        os._exit(0)  # no close, no finally: the process dies with its run "running"
    hold = os.environ.get("STORE_WRITER_HOLD")
    while hold and not os.path.exists(hold):
        time.sleep(0.005)
    trainer.stop(Status.FINISHED, f"finished {epochs} epochs")
    recorder.close()
    print("ok" if recorder.error is None else recorder.error, flush=True)


def _written(url: str, run_id: str, epochs: int) -> bool:
    from playground.store import open_store

    with open_store(url) as store:
        try:
            return len(store.load_history(run_id)) == epochs
        except KeyError:  # the run's first write is not in yet
            return False


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], (sys.argv[6:] or [None])[0])
