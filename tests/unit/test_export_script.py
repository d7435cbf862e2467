"""The exported standalone script runs on its own and reaches the engine's test accuracy (regression: MAE)."""
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
    """The engine's test accuracy (regression: test MAE)."""
    trainer = Trainer(cfg, prepare(cfg), standard_callbacks(cfg))
    test = trainer.fit()
    return test.mae if cfg.regression else test.accuracy


CONFIGS = {
    "spiral": RunConfig(dataset="spiral", n_samples=100, layers=parse_layers("32:relu"), epochs=40, seed=3),
    "pima-frozen-bn-early-stop": RunConfig(
        dataset="pima", layers=parse_layers("16:tanh:0:bn:frozen,8:relu:0.1"), optimizer="momentum", lr=0.05,
        class_weights="balanced", epochs=30, patience=5, l1=1e-4, seed=1),
    "wine-quality-regression": RunConfig(
        dataset="wine_quality", task="regression", loss="mae", target_scaling="minmax", layers=parse_layers("32:relu"),
        epochs=30, patience=5, seed=2),
    # no hidden layer: only the crosses (x1·x2 above all) let it learn XOR, so a script without them falls to chance
    "xor-every-cross": RunConfig(dataset="xor", n_samples=100, layers=(), lr=0.03, epochs=40, seed=4,
                                 x1_squared=True, x2_squared=True, x1_times_x2=True, sin_x1=True, sin_x2=True),
}  # fmt: skip
RUN_ALL = "import runpy, sys\nfor path in sys.argv[1:]:\n    runpy.run_path(path, run_name='__main__')"


def _scripts(texts: list[str], tmp_path) -> list[dict]:
    """Run the exported scripts in one fresh interpreter (one torch import), each printing its JSON line."""
    paths = []
    for i, text in enumerate(texts):
        paths.append(tmp_path / f"run_{i}.py")
        paths[-1].write_text(text)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", RUN_ALL, *map(str, paths)], capture_output=True, text=True,
                         timeout=180, env=env, cwd=tmp_path)  # fmt: skip
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_exported_scripts_reach_the_engines_accuracy(tmp_path):
    texts = [export_script(cfg) for cfg in CONFIGS.values()]
    for text in texts:
        assert _imports(text) <= ALLOWED
    results = _scripts(texts, tmp_path)
    for (name, cfg), result in zip(CONFIGS.items(), results):
        engine = _engine(cfg)
        if cfg.regression:  # MAE on the original scale (quality points)
            assert abs(result["test_mae"] - engine) <= 0.02, (name, result, engine)
        else:
            assert abs(result["test_accuracy"] - engine) <= 0.03, (name, result, engine)


def test_mnist_is_refused_naming_the_dataset():
    with pytest.raises(ExportUnavailable, match="dataset == 'mnist'"):
        export_script(RunConfig(dataset="mnist"))
