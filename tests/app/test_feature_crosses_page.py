"""The Data tab's feature-cross checkboxes (issue 12: 2): shown for the 2-D sets only, written to the URL and
the config, and counted as the network's inputs."""
from apptest_helpers import app
from playground.config import CROSS_FIELDS
from playground.ui.state import VALUES


def test_ticking_x1_and_x2_squared_on_circles_puts_them_in_the_config_and_the_url():
    at = app(dataset="circles", layers="0")
    assert [at.checkbox(key=name).value for name in CROSS_FIELDS] == [False] * 5
    assert [at.checkbox(key=name).label for name in CROSS_FIELDS] == ["x1²", "x2²", "x1·x2", "sin x1", "sin x2"]
    at.checkbox(key="x1_squared").check().run()
    at.checkbox(key="x2_squared").check().run()
    assert not at.exception and not at.error
    values = at.session_state[VALUES]
    assert [values[name] for name in CROSS_FIELDS] == [True, True, False, False, False]
    assert dict(at.query_params) == {"dataset": "circles", "layers": "", "x1_squared": "1", "x2_squared": "1"}
    assert any("4 inputs → 1 output" in m.value for m in at.markdown)  # the layer summary counts x1², x2²
    at.selectbox(key="dataset").set_value("wine").run()
    assert not [c for c in at.checkbox if c.key in CROSS_FIELDS]  # wine is not 2-D: no row (its values kept, ignored)
    assert any("13 inputs" in m.value for m in at.markdown)
