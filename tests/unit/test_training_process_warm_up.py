"""A training process's warm-up leaves nothing for a recorded run's Start to import (a fresh interpreter)."""
import functools
import os
import pickle
import subprocess
import sys
from pathlib import Path

from playground.config import RunConfig
from playground.datasets import prepare
from playground.store import recording

ROOT = Path(__file__).resolve().parents[2]

# In a fresh interpreter: warm up as a spare does, then run what a session's first Start sends over the
# pipe (the config, the scaled splits and the recorder's partial, pickled in the server), and print the
# modules that run imported.
SCRIPT = """
import pickle, sys, time
from playground.training_process import _warm_up
_warm_up()
before = set(sys.modules)

from playground.runner import Runner
cfg, splits, record = pickle.loads(open(sys.argv[1], "rb").read())
runner = Runner(publish_every=0.0, threads=1)
runner.start(cfg, splits, extra_callbacks=record, run_id="first-start")
deadline = time.monotonic() + 60
while runner.snapshot().active and time.monotonic() < deadline:
    time.sleep(0.01)
runner.close()
print("imported", sorted(set(sys.modules) - before))
from playground.store import open_store
print("status", open_store(sys.argv[2]).get_run("first-start").status)
"""


def test_a_recorded_first_start_after_the_warm_up_imports_nothing_and_no_rehearsal_file_stays(tmp_path):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    cfg = RunConfig(n_samples=50, epochs=3, seed=0)
    start = (cfg, prepare(cfg), functools.partial(recording, store=url, run_id="first-start"))
    (tmp_path / "start.pickle").write_bytes(pickle.dumps(start))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}  # where the warm-up's throwaway store goes
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "start.pickle"), url], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    assert lines["imported"] == "[]", out.stdout  # SQLAlchemy, its SQLite dialect, the recorder: all warm
    assert lines["status"] == "finished", out.stdout
    assert not [p for p in scratch.iterdir() if p.name.startswith("playground-warm-up-")]  # (torch leaves its own)
