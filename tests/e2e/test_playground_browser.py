"""The Playground page in a real browser: at rest, training live, and a finished seeded run."""
import pytest

from snapshot import assert_snapshot, wait_for_app

pytestmark = pytest.mark.e2e

RUN_PANEL = ".st-key-run_panel"  # the right-hand column: buttons, progress, charts, test metrics
PROGRESS = "[data-testid='stProgress']"  # "epoch 12 / 30 · 3.4 s · 25,400 samples/s": time and speed vary


def loss_points(page) -> int:
    """Points on the loss chart's train curve, as Plotly holds them (the DOM's plot object)."""
    return page.evaluate(
        """() => {
            const plot = document.querySelector('.st-key-loss_chart .js-plotly-plot');
            return plot && plot._fullData && plot._fullData.length ? plot._fullData[0]._length : 0;
        }"""
    )


def settled_shot(locator, mask, attempts: int = 10) -> bytes:
    """Screenshot with ``mask`` (volatile text painted over) until two shots in a row agree: charts repaint late."""
    shoot = lambda: locator.screenshot(mask=mask, animations="disabled", caret="hide")  # noqa: E731
    previous = shoot()
    for _ in range(attempts):
        locator.page.wait_for_timeout(300)
        current = shoot()
        if current == previous:
            break
        previous = current
    return previous


def start(page) -> None:
    page.locator(".st-key-start button").click()
    page.mouse.move(0, 0)  # no hover styling on the buttons in screenshots
    page.locator(PROGRESS).wait_for(timeout=60_000)


def test_at_rest_shows_the_spiral_and_the_controls(app_page):
    page = app_page()
    page.locator(".st-key-preview .legendtext").first.wait_for(timeout=60_000)
    assert page.locator(".st-key-preview .legendtext").all_text_contents() == ["class 0", "class 1", "class 2", "test"]
    assert page.locator(".st-key-start button").is_enabled() and page.locator(".st-key-stop button").is_disabled()
    page.locator(".st-key-class_balance .js-plotly-plot").wait_for()
    assert_snapshot(page.locator("[data-testid='stMain']"), "playground_at_rest")


def test_the_loss_chart_grows_while_training(app_page):
    page = app_page("?n_samples=200&epochs=5000")
    start(page)
    page.wait_for_function("() => document.querySelector('.st-key-loss_chart .js-plotly-plot')", timeout=30_000)
    first = loss_points(page)
    page.wait_for_timeout(1500)  # three fragment refreshes
    second = loss_points(page)
    assert 0 < first < second, (first, second)
    assert "Running" in page.locator(PROGRESS).inner_text()
    page.locator(".st-key-stop button").click()
    page.get_by_text("stopped by the user").wait_for(timeout=30_000)


def test_a_finished_seeded_run_looks_like_its_baseline(app_page):
    page = app_page("?epochs=30&n_samples=200&seed=0")
    start(page)
    page.get_by_text("finished 30 epochs").wait_for(timeout=60_000)
    wait_for_app(page)
    page.locator(".st-key-test_confusion_chart .js-plotly-plot").wait_for()
    assert "Finished · epoch 30 / 30" in page.locator(PROGRESS).inner_text()
    assert loss_points(page) == 30
    page.set_viewport_size({"width": 1400, "height": 2600})  # the panel, network graph included, is ~2,300 px tall
    wait_for_app(page)
    panel = page.locator(RUN_PANEL)
    # masked: the progress line and the runs table hold timings, which differ from run to run
    mask = [panel.locator(PROGRESS), panel.locator(".st-key-runs_table")]
    assert_snapshot(settled_shot(panel, mask=mask), "playground_finished_spiral")
