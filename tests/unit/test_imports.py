"""The app's training process stays lean: it receives prepared splits and a fitted boundary plane,
so it never loads sklearn, pandas or scipy (~140 MB and ~1 s per session's child process)."""
import ast
import pickle
import subprocess
import sys
from pathlib import Path

import playground.datasets as datasets

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import sys
import numpy as np
import playground.process_runner, playground.runner, playground.landscape, playground.lr_finder
from playground.boundary import make_plane
from playground.datasets import Splits, DATASETS
from playground.config import RunConfig
RunConfig(dataset="wine")  # validation reads the DATASETS registry
make_plane(np.arange(10, dtype=np.float32).reshape(5, 2) ** 2)  # a 2-D plane needs no PCA
print(sorted(m for m in ("sklearn", "pandas", "scipy", "mlxtend", "plotly", "streamlit") if m in sys.modules))
"""


def test_the_training_side_imports_no_data_libraries():
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stdout


def test_the_package_still_names_its_functions_after_a_submodule_import():
    from playground.datasets.prepare import prepare

    assert datasets.prepare is prepare and callable(datasets.prepare)
    assert "spiral" in datasets.DATASETS


def test_a_pca_plane_crosses_into_a_process_without_sklearn(tmp_path):
    # ProcessRunner fits the plane in the server and sends it: the child must not need sklearn for it
    from playground.boundary import make_plane
    from playground.config import RunConfig
    from playground.datasets import prepare

    splits = prepare(RunConfig(dataset="wine"))
    path = tmp_path / "plane.pkl"
    path.write_bytes(pickle.dumps(make_plane(splits.X_train)))
    code = (f"import pickle, sys, numpy as np; plane = pickle.loads(open({str(path)!r}, 'rb').read()); "
            "print(plane.project(np.zeros((3, 13), np.float32)).shape, 'sklearn' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "(3, 2) False", out.stdout + out.stderr


TORCH_FREE = """
import sys
import playground.config
cfg, warnings = playground.config.from_query({"dataset": "pima", "layers": "8:tanh,4", "optimizer": "sgd", "lr": "0.1"})
assert cfg.dataset == "pima" and cfg.lr == 0.1 and not warnings, (cfg, warnings)
print(sorted(m for m in ("torch", "playground.model", "playground.optim", "playground.datasets") if m in sys.modules))
"""


def test_config_and_url_parsing_import_no_torch():
    # the URL and the CLI's --help need only names (playground/names.py), not the registries' objects
    out = subprocess.run([sys.executable, "-c", TORCH_FREE], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def imports_of(*files: str) -> str:
    """Every import statement in ``files`` (module level and inside functions), as code to run."""
    nodes = (node for f in files for node in ast.walk(ast.parse((ROOT / f).read_text())))
    return "\n".join(ast.unparse(node) for node in nodes if isinstance(node, (ast.Import, ast.ImportFrom)))


PAGE = f"""
import sys
{imports_of("app.py", "pages/playground.py", "pages/lessons.py", "pages/compare.py", "pages/sweeps.py")}
print("torch" in sys.modules)
"""


def test_the_playground_lessons_compare_and_sweeps_pages_import_no_torch():
    # A fresh server draws the settings and the data preview before torch is loaded (~2-4 s of import
    # on the 2-core reference machine): the training happens in child processes, which import it.
    # (The race, landscape and backprop pages still import it on their first visit.)
    out = subprocess.run([sys.executable, "-c", PAGE], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False", out.stdout + out.stderr


PLAYGROUND_PAGE = f"""
import sys
{imports_of("app.py", "pages/playground.py")}
print(sorted(m for m in ("torch", "sqlalchemy") if m in sys.modules))
"""


def test_the_playground_page_imports_no_sqlalchemy_before_its_first_draw():
    # playground.store's names load on first use (PEP 562): the run store (SQLAlchemy, ~0.4 s) is opened by
    # the runs panel, under the live view, so a fresh server's first preview does not wait for it
    out = subprocess.run([sys.executable, "-c", PLAYGROUND_PAGE], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
    from playground import store

    assert store.RunStore.__module__ == "playground.store.store" and set(store.__all__) >= {"open_store", "Location"}


UNPICKLE = """
import pickle, sys
for path in sys.argv[1:]:
    pickle.load(open(path, "rb"))
print("torch" in sys.modules)
"""


def test_the_server_unpickles_snapshots_without_torch(tmp_path):
    # The server receives a snapshot per publish from the training process; a class defined beside
    # torch code (the diagnostics' summaries were) made it import torch (~1.2 s) on a run's first one
    import pickle
    import time

    from playground.config import RunConfig
    from playground.datasets import prepare
    from playground.runner import Runner

    paths = []
    for cfg in (RunConfig(n_samples=50, epochs=3), RunConfig(dataset="plane", n_samples=100, epochs=3),
                RunConfig(dataset="mnist", layers=(), epochs=1)):  # fmt: skip
        runner = Runner(publish_every=0.0)
        runner.start(cfg, prepare(cfg))
        deadline = time.monotonic() + 60
        while runner.snapshot().active and time.monotonic() < deadline:
            time.sleep(0.01)
        snap = runner.snapshot()
        runner.close()
        assert snap.test is not None, snap.message
        paths.append(tmp_path / f"{cfg.dataset}.pkl")
        paths[-1].write_bytes(pickle.dumps(snap))
    out = subprocess.run([sys.executable, "-c", UNPICKLE, *map(str, paths)], capture_output=True, text=True,
                         check=True, cwd=ROOT)  # fmt: skip
    assert out.stdout.strip() == "False", out.stdout + out.stderr
