"""The live page as a teacher projects it: charts above the fold at 1280x720, labels whole, a reload keeps the run."""
import pytest

from snapshot import freeze, wait_for_app

pytestmark = pytest.mark.e2e

PROGRESS = "[data-testid='stProgress']"
# Text that must never be cut with an ellipsis: buttons, tabs, widget labels, toggles, multiselect chips.
TRUNCATED_JS = """() => [...document.querySelectorAll(
    'button p, [role=tab] p, label p, [data-testid=stWidgetLabel] p, [data-tag] > span')]
    .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
    .map(e => e.innerText)"""


def open_at(browser, base: str, path: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1,
                                  reduced_motion="reduce", locale="en-US", timezone_id="UTC")  # fmt: skip
    page = context.new_page()
    page.goto(f"{base}/{path}")
    wait_for_app(page)
    freeze(page)
    return page


def epoch(page) -> int:
    text = page.locator(PROGRESS).inner_text()
    return int(text.split("epoch ")[1].split(" ")[0])


def start_and_wait_for_charts(page) -> None:
    page.locator(".st-key-start button").click()
    page.mouse.move(0, 0)
    # visible ones: while a rerun replaces the live fragment, Streamlit may hold the old copy hidden for a moment
    page.locator(".st-key-loss_chart .js-plotly-plot >> visible=true").first.wait_for(timeout=60_000)
    page.locator(".st-key-boundary_chart .js-plotly-plot >> visible=true").first.wait_for(timeout=60_000)


@pytest.mark.parametrize("size", [(1280, 720), (1400, 900)], ids=["1280x720", "1400x900"])
def test_a_running_run_shows_its_charts_above_the_fold_with_every_label_whole(browser, app_server, size):
    page = open_at(browser, app_server, "?n_samples=200&epochs=100000", *size)
    try:
        start_and_wait_for_charts(page)
        for key in ("boundary_chart", "loss_chart"):
            box = page.evaluate(f"() => document.querySelector('.st-key-{key}').getBoundingClientRect().toJSON()")
            assert box["top"] >= 0 and box["bottom"] <= size[1], (key, box)  # wholly on the first screen
        for tab in ("Network", "Training", "Data"):  # every settings tab's labels
            page.get_by_role("tab", name=tab).click()
            page.wait_for_timeout(300)
            assert page.evaluate(TRUNCATED_JS) == [], tab
    finally:
        page.locator(".st-key-stop button").click()
        page.context.close()


def test_a_reload_mid_run_keeps_the_run(browser, app_server):
    page = open_at(browser, app_server, "?n_samples=200&epochs=100000", 1280, 720)
    try:
        start_and_wait_for_charts(page)
        page.wait_for_function(f"() => /epoch [1-9]/.test(document.querySelector(\"{PROGRESS}\").innerText)")
        before = epoch(page)
        page.reload()
        wait_for_app(page)
        page.get_by_text("Your run is still here").wait_for(timeout=30_000)
        page.locator(PROGRESS).wait_for(timeout=30_000)
        assert "Running" in page.locator(PROGRESS).inner_text() and epoch(page) >= before
    finally:
        page.locator(".st-key-stop button").click()
        page.context.close()
