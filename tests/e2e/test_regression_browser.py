"""A finished wine-quality regression run in a real browser (issue 13 §1): the regression views, as a baseline."""
import pytest

from snapshot import assert_snapshot, wait_for_app
from test_playground_browser import PROGRESS, RUN_PANEL, settled_shot, start

pytestmark = pytest.mark.e2e


def test_a_finished_wine_quality_regression_looks_like_its_baseline(app_page):
    page = app_page("?dataset=wine_quality&task=regression&loss=mae&epochs=30&seed=0")
    start(page)
    page.get_by_text("finished 30 epochs").wait_for(timeout=90_000)
    wait_for_app(page)
    page.locator(".st-key-test_scatter_chart .js-plotly-plot").wait_for()
    page.locator(".st-key-test_residual_chart .js-plotly-plot").wait_for()
    assert "Finished · epoch 30 / 30" in page.locator(PROGRESS).inner_text()
    assert page.locator(".st-key-test_confusion_chart").count() == 0  # the class charts are replaced
    assert "Mean-predictor MAE" in page.locator(RUN_PANEL).inner_text()
    panel = page.locator(RUN_PANEL)
    mask = [panel.locator(PROGRESS), panel.locator(".st-key-runs_table")]  # timings differ from run to run
    assert_snapshot(settled_shot(panel, mask=mask), "playground_finished_wine_regression")
