"""Issue 12's views through AppTest: the live network graph (spiral with unit maps, wine without) and
the backprop walk-through's Next button."""
import pytest

from apptest_helpers import app, chart, progress, rerun_until
from playground.backprop_walk import STAGES
from playground.ui.network_view import PICKED


@pytest.mark.parametrize(("query", "shown", "maps"), [
    ({"n_samples": "60", "epochs": "3", "seed": "0"}, [2, 12, 3], True),
    ({"dataset": "wine", "layers": "20:relu", "epochs": "3", "seed": "0"}, [12, 12, 3], False),
])  # fmt: skip
def test_a_finished_run_shows_its_network_graph_and_a_clicked_units_map(query, shown, maps):
    at = app(**query)
    at.button(key="start").click().run()
    rerun_until(at, lambda at: "Finished" in progress(at), "the run to finish")
    graph = chart(at, "network_chart")
    nodes = next(t for t in graph["data"] if t.get("name") == "units")
    layers = [c for c, _ in nodes["customdata"]]
    assert [layers.count(i) for i in range(3)] == shown
    mores = [a["text"] for a in graph["layout"]["annotations"] if "more" in a["text"]]
    assert mores == (["+ 88 more"] if maps else ["+ 1 more", "+ 8 more"])
    assert len(graph["layout"].get("images", [])) == (12 if maps else 0)
    unit = next(u for li, u in nodes["customdata"] if li == 1)
    at.session_state[PICKED] = (1, unit)  # what the chart's on_select callback keeps after a click
    at.run()
    if maps:
        assert chart(at, "unit_map_chart")["data"][0]["type"] == "heatmap"
    else:
        assert any("2-D datasets" in c.value for c in at.caption)


def test_next_walks_the_backprop_step_one_stage_at_a_time():
    at = app(page="pages/backprop.py")
    assert "1 · Forward" in at.markdown[0].value
    for stage in range(1, len(STAGES)):
        at.button(key="bp_next").click().run()
        assert not at.exception
    assert "The update" in " ".join(m.value for m in at.markdown)
    assert at.button(key="bp_next").disabled
    gold = [t for t in chart(at, "bp_graph")["data"] if t.get("line", {}).get("color") == "#e8a800"]
    assert gold  # the update stage highlights every edge
    at.segmented_control(key="bp_hidden").set_value(3).run()
    nodes = next(t for t in chart(at, "bp_graph")["data"] if t.get("name") == "units")
    assert len(nodes["x"]) == 2 + 3 + 1
    at.button(key="bp_restart").click().run()
    assert "1 · Forward" in " ".join(m.value for m in at.markdown)
