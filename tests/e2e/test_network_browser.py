"""Issue 12 in a real browser: the network graph of a finished seeded spiral run, a click on a hidden
unit showing its map (Plotly's selection event through on_select), and the backprop walk-through."""
import pytest

from snapshot import assert_snapshot, wait_for_app

pytestmark = pytest.mark.e2e

NODES = ".st-key-network_chart .scatterlayer .trace:last-of-type path.point"  # the graph's node trace


def test_clicking_a_hidden_unit_shows_its_map_beside_the_graph(app_page):
    page = app_page("?epochs=30&n_samples=200&seed=0")
    page.locator(".st-key-start button").click()
    page.mouse.move(0, 0)
    page.get_by_text("finished 30 epochs").wait_for(timeout=60_000)
    wait_for_app(page)
    view = page.locator(".st-key-network_view")
    view.locator(".st-key-network_chart .js-plotly-plot").wait_for()
    assert "+ 88 more" in view.inner_text()
    # the node trace holds 2 inputs, 12 hidden units, 3 outputs; its points are clickable (on_select)
    nodes = page.evaluate("""() => [...document.querySelectorAll('.st-key-network_chart .scatterlayer .trace')]
        .map(t => t.querySelectorAll('path.point').length)""")
    assert 2 + 12 + 3 in nodes
    trace = nodes.index(17)
    page.locator(".st-key-network_chart .scatterlayer .trace").nth(trace).locator("path.point").nth(4).click(force=True)
    page.locator(".st-key-unit_map_chart .js-plotly-plot").wait_for(timeout=30_000)
    wait_for_app(page)
    page.mouse.move(0, 0)
    assert "activation over the input plane" in view.inner_text()
    assert_snapshot(view, "network_graph_finished_spiral")


def test_the_backprop_view_at_the_update_stage(app_page):
    page = app_page("backprop")
    page.locator(".st-key-bp_graph .js-plotly-plot").wait_for(timeout=60_000)
    for stage in range(2, 12):
        page.locator(".st-key-bp_next button").click()
        page.get_by_text(f"Stage {stage} of 11").wait_for()
        wait_for_app(page)
    page.mouse.move(0, 0)
    assert page.locator(".st-key-bp_next button").is_disabled()
    assert_snapshot(page.locator("[data-testid='stMain']"), "backprop_update_stage")
