"""The exported standalone script runs on its own and reaches the engine's test accuracy."""
import ast
import json
import os
import subprocess
import sys

import pytest

from playground.config import RunConfig, parse_layers
from playground.datasets import prepare
from playground.export_script import ExportUnavailable, export_script
from playground.trainer import Trainer
from playground.callbacks import standard_callbacks

ALLOWED = {"json", "os", "sys", "numpy", "torch", "sklearn"}


def _imports(text: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module.split(".")[0])
    return names


def _engine(cfg: RunConfig) -> float:
    trainer = Trainer(cfg, prepare(cfg), standard_callbacks(cfg))
    return trainer.fit().accuracy


def _script(cfg: RunConfig, tmp_path) -> dict:
    path = tmp_path / "run.py"
    path.write_text(export_script(cfg))
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120, env=env,
                         cwd=tmp_path)  # fmt: skip
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize("cfg", [
    RunConfig(dataset="spiral", n_samples=100, layers=parse_layers("32:relu"), epochs=40, seed=3),
    RunConfig(dataset="pima", layers=parse_layers("16:tanh:0:bn:frozen,8:relu:0.1"), optimizer="momentum", lr=0.05,
              class_weights="balanced", epochs=30, patience=5, l1=1e-4, seed=1),
], ids=["spiral", "pima-frozen-bn-early-stop"])  # fmt: skip
def test_exported_script_reaches_the_engines_accuracy(cfg, tmp_path):
    text = export_script(cfg)
    assert _imports(text) <= ALLOWED
    result = _script(cfg, tmp_path)
    engine = _engine(cfg)
    assert abs(result["test_accuracy"] - engine) <= 0.03, (result, engine)


def test_mnist_is_refused_naming_the_dataset():
    with pytest.raises(ExportUnavailable, match="dataset == 'mnist'"):
        export_script(RunConfig(dataset="mnist"))
