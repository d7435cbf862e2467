"""Compare while watching: train, change the optimizer, train again; the first run stays dashed on the live loss chart."""
import pytest

from snapshot import freeze, wait_for_app
from test_live_browser import TRUNCATED_JS

pytestmark = pytest.mark.e2e

PROGRESS = "[data-testid='stProgress']"
DASHED_JS = """() => document.querySelector('.st-key-loss_chart .js-plotly-plot').data
    .filter(t => t.line && t.line.dash === 'dash').map(t => t.name)"""


def train_until_finished(page) -> None:
    page.locator(".st-key-start button").click()
    page.mouse.move(0, 0)
    page.wait_for_function(f"() => (document.querySelector(\"{PROGRESS}\") || {{}}).innerText?.includes('Finished')",
                           timeout=90_000)  # fmt: skip
    wait_for_app(page)


@pytest.mark.parametrize("size", [(1280, 720), (1400, 900)], ids=["1280x720", "1400x900"])
def test_the_previous_run_is_dashed_on_the_next_runs_loss_chart(browser, app_server, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, device_scale_factor=1,
                                  reduced_motion="reduce", locale="en-US", timezone_id="UTC")  # fmt: skip
    page = context.new_page()
    try:
        page.goto(f"{app_server}/?n_samples=100&epochs=30&seed=1")
        wait_for_app(page)
        freeze(page)
        train_until_finished(page)
        page.get_by_role("tab", name="Training").click()
        page.locator(".st-key-optimizer").click()
        page.get_by_role("option", name="sgd", exact=True).click()
        wait_for_app(page)
        train_until_finished(page)
        page.locator(".st-key-loss_chart .js-plotly-plot").wait_for()
        # right after the click the bar may still read the first run's "Finished": wait (bounded) for the second's chart
        page.wait_for_function(f"() => ({DASHED_JS})().length > 0", timeout=90_000)
        assert page.evaluate(DASHED_JS) == ["previous: optimizer=adam", "previous: optimizer=adam"]
        table = page.locator(".st-key-runs_table")
        table.scroll_into_view_if_needed()
        table_box, panel_box = table.bounding_box(), page.locator(".st-key-run_panel").bounding_box()
        assert table_box["x"] + table_box["width"] <= panel_box["x"] + panel_box["width"] + 1  # no sideways overflow
        assert page.evaluate(TRUNCATED_JS) == []  # the runs buttons' labels are whole
    finally:
        context.close()
