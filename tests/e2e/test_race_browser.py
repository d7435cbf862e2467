"""The race page in a real browser: a preset's finished race looks like its stored baseline."""
import pytest

from playground.race import PRESETS
from snapshot import assert_snapshot, wait_for_app

pytestmark = pytest.mark.e2e


def legend(page, chart_key: str) -> list[str]:
    return page.locator(f".st-key-{chart_key} .legendtext").evaluate_all("els => els.map(e => e.textContent)")


def click_preset(page, name: str) -> None:
    """Click a preset and wait until the page shows its race (its claim box and its legend)."""
    page.locator(f".st-key-race_preset_{name}").get_by_role("button").click()
    page.get_by_text(PRESETS[name].title + ".").wait_for(timeout=60_000)
    wait_for_app(page)
    expected = list(PRESETS[name].settings)
    page.wait_for_function(
        """([key, names]) => {
            const items = [...document.querySelectorAll(`.st-key-${key} .legendtext`)].map(e => e.textContent);
            return names.every(n => items.some(t => t.startsWith(n))) && items.length === names.length + 2;
        }""",
        arg=["race_chart_contour", expected],
        timeout=30_000,
    )
    page.mouse.move(0, 0)


def test_ravine_preset_contour(app_page):
    page = app_page("race")
    click_preset(page, "ravine")
    assert legend(page, "race_chart_contour") == ["start", "minimum", "sgd", "momentum"]
    chart = page.locator(".st-key-race_chart_contour")
    chart.locator("image").first.wait_for(state="attached")  # the contour background
    assert_snapshot(chart, "race_ravine_contour")


def test_diverge_preset_loss_chart(app_page):
    page = app_page("race")
    click_preset(page, "diverge")
    assert "sgd (diverged at step 34)" in legend(page, "race_chart_loss")
    assert_snapshot(page.locator(".st-key-race_chart_loss"), "race_diverge_loss")
