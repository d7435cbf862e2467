"""The Loss landscape page through AppTest: no-run message, then a finished run's trajectory plane."""
import base64
import json
import time
from pathlib import Path

import numpy as np

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")  # AppTest resolves relative paths from this file
TINY = {"n_samples": "60", "epochs": "15", "layers": "8:relu"}  # a run of well under a second


def poll(at: AppTest, done, tries: int = 100, pause: float = 0.1) -> AppTest:
    """Rerun until ``done(at)``: AppTest never fires run_every fragments by itself."""
    for _ in range(tries):
        at.run()
        assert not at.exception, at.exception
        if done(at):
            return at
        time.sleep(pause)
    raise AssertionError("condition not reached")


def values(v) -> np.ndarray:
    """A Plotly trace array: numpy arrays travel as ``{"bdata", "dtype", "shape"}``, lists as lists."""
    if isinstance(v, dict) and "bdata" in v:
        shape = [int(n) for n in str(v.get("shape", "-1")).split(",")]
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).reshape(shape)
    return np.asarray(v)


def chart(at: AppTest, key: str) -> list[dict] | None:
    charts = [c for c in at.get("plotly_chart") if key in c.proto.id]
    return json.loads(charts[0].proto.spec)["data"] if charts else None


def finished_run() -> AppTest:
    """Start a tiny run from the Playground (URL settings, Start button), then wait on the landscape page."""
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in TINY.items():
        at.query_params[name] = value
    at.run()
    at.button(key="start").click().run()
    at.switch_page("pages/landscape.py")
    return poll(at, lambda at: any("finished at epoch" in c.value for c in at.caption))


def test_no_run_yet_says_where_to_train():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/landscape.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Loss landscape"
    assert "train a model on the Playground page first" in at.info[0].value
    assert not at.button  # nothing to compute


def test_trajectory_plane_of_a_finished_run():
    at = finished_run()
    assert "spiral" in at.caption[1].value and "finished at epoch 15/15" in at.caption[1].value
    at.number_input(key="landscape_grid").set_value(9).run()
    at.button(key="landscape_plane").click().run()
    poll(at, lambda at: chart(at, "landscape_plane_chart") is not None)
    contour, path, start, end = chart(at, "landscape_plane_chart")
    assert contour["type"] == "contour" and values(contour["z"]).shape == (9, 9)
    assert np.isfinite(values(contour["customdata"])).all()  # every grid point evaluated
    assert path["name"] == "training path" and len(values(path["x"])) >= 3
    assert np.allclose([values(end["x"])[0], values(end["y"])[0]], 0)  # the path ends at the current weights
    assert any("of the path's variance lies in this plane" in m.value for m in at.markdown)


def test_random_directions_and_refused_grid():
    at = finished_run()
    at.number_input(key="landscape_grid").set_value(200).run()
    at.button(key="landscape_2d").click().run()
    assert "grid == 200, must be <= 101" in at.error[0].value
    at.number_input(key="landscape_grid").set_value(7).run()
    at.button(key="landscape_2d").click().run()
    at.button(key="landscape_1d").click().run()
    poll(at, lambda at: chart(at, "landscape_2d_chart") is not None and chart(at, "landscape_1d_chart") is not None)
    assert chart(at, "landscape_2d_chart")[0]["type"] == "contour"
    assert values(chart(at, "landscape_1d_chart")[0]["x"]).shape == (51,)
    at.radio(key="landscape_style").set_value("surface").run()
    assert chart(at, "landscape_2d_chart")[0]["type"] == "surface"
