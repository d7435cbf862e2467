"""The race page through AppTest: widgets by key, presets, charts, bad input, and the setup in the URL."""
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from apptest_helpers import page_charts

from playground.optim import OPTIMIZERS
from playground.race import PRESETS
from playground.ui.race_controls import preset_config
from playground.ui.race_url import owns, to_query

APP = str(Path(__file__).resolve().parents[2] / "app.py")  # AppTest resolves relative paths from this file


@pytest.fixture
def at() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/race.py").run()  # straight to the race page: the default page never runs
    assert not at.exception, at.exception
    return at


def race_at(**query: str) -> AppTest:
    """A fresh session opening /race?<query>."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.switch_page("pages/race.py").run()
    assert not at.exception, at.exception
    return at


def race_query(at: AppTest) -> dict[str, str]:
    return {k: v for k, v in at.query_params.items() if owns(k)}


def test_reached_from_the_entry_point_like_a_user():
    at = AppTest.from_file(APP, default_timeout=60).run()  # the default page first, then navigate
    at.switch_page("pages/race.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Optimizer race"


def chart_data(at: AppTest, key: str) -> list[dict]:
    """Plotly traces of the chart with this key (keys: race_chart_contour / _3d / _loss / _steps)."""
    charts = [c for c in page_charts(at) if c.proto.id.endswith(key)]
    assert len(charts) == 1, [c.proto.id for c in page_charts(at)]
    return json.loads(charts[0].proto.spec)["data"]


def path_names(at: AppTest, key: str = "race_chart_contour") -> list[str]:
    """Legend names of the optimizer paths: those that start with an OPTIMIZERS key."""
    return [t["name"] for t in chart_data(at, key) if t.get("name", "").split(" ")[0] in OPTIMIZERS]


def test_default_race_draws_one_path_per_selected_optimizer(at):
    assert at.selectbox(key="race_surface").value == "rosenbrock"
    assert at.multiselect(key="race_optimizers").value == ["sgd", "momentum", "adam"]
    assert path_names(at) == ["sgd", "momentum", "adam"]
    assert path_names(at, "race_chart_loss") == ["sgd", "momentum", "adam"]
    contour = json.loads(next(c for c in page_charts(at) if "race_chart_contour" in c.proto.id).proto.spec)
    assert len(contour["frames"]) > 10  # the step slider / play animation
    assert contour["layout"]["images"][0]["source"].startswith("data:image/png;base64,")  # the contour bands


def test_tabs_build_only_the_open_chart(at):
    keys = lambda: sorted(c.proto.id[c.proto.id.index("race_chart"):] for c in page_charts(at))  # noqa: E731
    assert keys() == ["race_chart_contour", "race_chart_loss"]
    at.session_state["race_view"] = "3-D surface"
    at.session_state["race_curve"] = "Step length"
    at.run()
    assert keys() == ["race_chart_3d", "race_chart_steps"]
    assert path_names(at, "race_chart_3d") == ["sgd", "momentum", "adam"]
    assert path_names(at, "race_chart_steps") == ["sgd", "momentum", "adam"]


def test_changing_widgets_reruns_the_race(at):
    at.multiselect(key="race_optimizers").set_value(["nesterov", "rmsprop", "adamw", "adadelta"]).run()
    assert not at.exception
    assert path_names(at) == ["nesterov", "rmsprop", "adamw", "adadelta"]
    before = chart_data(at, "race_chart_contour")
    at.slider(key="race_steps").set_value(50).run()
    at.slider(key="race_start_x").set_value(1.0).run()
    after = [t for t in chart_data(at, "race_chart_contour") if t.get("name") == "nesterov"][0]
    assert after != [t for t in before if t.get("name") == "nesterov"][0]
    captions = " ".join(c.value for c in at.caption)
    assert OPTIMIZERS["adadelta"].summary in captions


def test_surface_change_brings_its_start_and_comparable_rates(at):
    at.selectbox(key="race_surface").set_value("himmelblau").run()
    assert not at.exception
    assert (at.slider(key="race_start_x").value, at.slider(key="race_start_y").value) == (-0.5, -0.5)
    assert at.number_input(key="race_lr_adam").value == 0.05
    names = [t.get("name") for t in chart_data(at, "race_chart_contour")]
    assert "minima" in names  # Himmelblau's four minima are marked


@pytest.mark.parametrize("preset", list(PRESETS))
def test_each_preset_button_sets_up_its_scenario(at, preset):
    at.button(key=f"race_preset_{preset}").click().run()
    assert not at.exception
    assert at.selectbox(key="race_surface").value == PRESETS[preset].surface
    assert [n.split(" ")[0] for n in path_names(at)] == list(PRESETS[preset].settings)
    assert PRESETS[preset].claim in at.info[0].value


def test_diverge_preset_labels_the_diverged_path_and_keeps_the_other(at):
    at.button(key="race_preset_diverge").click().run()
    assert path_names(at) == ["sgd (diverged at step 34)", "momentum"]
    assert any("diverged at step 34" in w.value for w in at.warning)
    table = at.dataframe[0].value  # bare names: the chart label "sgd (diverged at step 34)" was cut in the table
    assert table["optimizer"].tolist() == ["sgd", "momentum"]
    assert table["diverged at"].tolist()[0] == 34


def test_bad_input_shows_an_error_naming_the_field(at):
    at.number_input(key="race_lr_adam").set_value(0.0).run()
    assert not at.exception
    assert "lr == 0.0 (adam), must be a finite number > 0" in at.error[0].value
    at.number_input(key="race_lr_adam").set_value(0.05).run()
    assert not at.error and path_names(at) == ["sgd", "momentum", "adam"]
    at.multiselect(key="race_optimizers").set_value([]).run()
    assert "optimizers == [], must name at least one" in at.error[0].value


def test_comparable_button_resets_learning_rates(at):
    at.number_input(key="race_lr_sgd").set_value(0.5).run()
    at.button(key="race_comparable").click().run()
    assert at.number_input(key="race_lr_sgd").value == 0.001  # rosenbrock's comparable SGD rate


def test_condition_number_rescales_the_sgd_family_rates(at):
    at.selectbox(key="race_surface").set_value("bowl").run()
    assert at.number_input(key="race_lr_sgd").value == 0.15  # at condition 10
    at.select_slider(key="race_condition").set_value(100.0).run()
    assert not at.exception
    assert at.number_input(key="race_lr_sgd").value == 0.015  # lr * condition stays 1.5
    assert at.number_input(key="race_lr_adam").value == 0.1


# ---------------------------------------------------------------- the setup in the URL


def test_a_link_restores_the_race_setup():
    query = {"surface": "beale", "opt": "sgd adam", "sgd.lr": "0.002", "adam.lr": "0.02", "adam.beta1": "0.8",
             "steps": "500", "x": "-1.5", "y": "2"}
    at = race_at(**query)
    assert at.selectbox(key="race_surface").value == "beale"
    assert at.multiselect(key="race_optimizers").value == ["sgd", "adam"]
    assert at.number_input(key="race_lr_sgd").value == 0.002
    assert at.number_input(key="race_lr_adam").value == 0.02
    assert at.number_input(key="race_beta1_adam").value == 0.8
    assert at.number_input(key="race_beta2_adam").value == 0.999  # not in the link: the default
    assert at.slider(key="race_steps").value == 500
    assert (at.slider(key="race_start_x").value, at.slider(key="race_start_y").value) == (-1.5, 2.0)
    assert path_names(at) == ["sgd", "adam"]
    assert not at.warning
    assert race_query(at) == query  # the page writes back the same link


def test_a_bad_link_value_warns_and_keeps_the_default_until_the_setup_changes():
    at = race_at(surface="himmelblau", x="9", steps="many", foo="bar")
    assert at.selectbox(key="race_surface").value == "himmelblau"
    assert at.slider(key="race_start_x").value == -0.5  # Himmelblau's start
    assert at.slider(key="race_steps").value == 300
    warnings = [w.value for w in at.warning]
    assert warnings == ["URL parameter x='9' ignored (x == 9, must be in [-5, 5] on himmelblau); using '-0.5'.",
                        "URL parameter steps='many' ignored (steps == 'many', must be an integer); using '300'."]
    assert at.query_params["foo"] == "bar"  # not a race key: left alone
    assert race_query(at) == {"surface": "himmelblau"}  # the rejected values are gone from the link
    at.slider(key="race_steps").set_value(100).run()
    assert not at.warning
    assert race_query(at) == {"surface": "himmelblau", "steps": "100"}


def test_widgets_and_presets_write_the_url(at):
    assert race_query(at) == {}  # the default race makes a bare /race
    at.selectbox(key="race_surface").set_value("bowl").run()
    assert race_query(at) == {"surface": "bowl"}  # its start and rates are the bowl's defaults
    at.select_slider(key="race_condition").set_value(100.0).run()
    at.number_input(key="race_lr_adam").set_value(0.5).run()
    assert race_query(at) == {"surface": "bowl", "condition": "100", "adam.lr": "0.5"}
    at.button(key="race_preset_ravine").click().run()
    assert race_query(at) == to_query(preset_config("ravine"))
    assert at.query_params["opt"] == "sgd momentum"  # written as opt=sgd+momentum
    at.multiselect(key="race_optimizers").set_value(["momentum", "nesterov"]).run()
    assert race_query(at)["opt"] == "momentum nesterov"
    assert "sgd.lr" not in race_query(at)  # only the racing optimizers' settings are in the link


def test_switching_pages_keeps_each_pages_own_link():
    """Playground -> Race -> Playground: the race writes only its keys, and the Playground's link still works."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"dataset": "xor", "epochs": "3000"})
    at.run()
    assert not at.exception, at.exception
    at.switch_page("pages/race.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="race_surface").value == "rosenbrock"  # Playground keys are not race keys
    assert not at.warning
    at.button(key="race_preset_saddle").click().run()
    race_link = to_query(preset_config("saddle"))
    assert dict(at.query_params) == {"dataset": "xor", "epochs": "3000", **race_link}
    at.switch_page("pages/playground.py").run()
    assert not at.exception, at.exception
    assert dict(at.query_params) == {"dataset": "xor", "epochs": "3000"}
    assert at.selectbox(key="dataset").value == "xor"
    assert at.number_input(key="epochs").value == 3000
    assert not at.warning
    at.switch_page("pages/race.py").run()  # the race comes back as the user left it, and so does its link
    assert at.selectbox(key="race_surface").value == "saddle"
    assert race_query(at) == race_link
