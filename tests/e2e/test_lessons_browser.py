"""The Lessons page in a real browser: a lesson's link opened cold shows that lesson first; a finished lesson
(seeded, so its charts are the same every time) against baselines in normal mode and in presenter mode on a
1280x720 projector, with its charts on the first screen and nothing cut or scrolling sideways."""
from __future__ import annotations

import pytest

from playground.lessons import LESSONS
from snapshot import assert_snapshot, freeze, wait_for_app

pytestmark = pytest.mark.e2e

LESSON = "linear_vs_hidden"  # the fastest lesson: two ~0.1 s spiral runs (the process start dominates)
CHARTS = (f"lesson_watch_{LESSON}_0", f"lesson_watch_{LESSON}_1", f"lesson_loss_{LESSON}", f"lesson_accuracy_{LESSON}")


def _context(browser, width: int, height: int):
    return browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1, color_scheme="light",
                               reduced_motion="reduce", locale="en-US", timezone_id="UTC")  # fmt: skip


def run_lesson(page, base: str, query: str = ""):
    """Open the lesson's link, press Run, wait for its charts; the page at rest, ready for a screenshot."""
    page.goto(f"{base}/lessons?lesson={LESSON}{query}")
    wait_for_app(page)
    freeze(page)
    page.locator(f".st-key-lesson_run_{LESSON} button").first.click()
    page.mouse.move(0, 0)
    page.get_by_text("Measured:").wait_for(timeout=120_000)
    for key in CHARTS:
        page.locator(f".st-key-{key} .js-plotly-plot").wait_for(timeout=30_000)
    wait_for_app(page)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # no focus ring on Run
    return page


def test_a_lesson_link_opened_cold_shows_that_lesson_first(cold_app_server, page):
    page.goto(f"{cold_app_server}/lessons?lesson=overfitting")
    wait_for_app(page)
    lesson = LESSONS["overfitting"]
    page.get_by_text(lesson.title).wait_for(timeout=30_000)
    first = page.locator("[class*='st-key-lesson_card_']").first
    assert "st-key-lesson_card_overfitting" in first.get_attribute("class")
    assert first.get_by_text(lesson.question).is_visible()
    assert page.locator(".st-key-lesson_run_overfitting button").first.is_visible()
    assert "lesson=overfitting" in page.url


SIZES = ((1280, 720), (1400, 900))


def test_a_finished_lesson_like_its_baseline_and_nothing_cut(app_server, page):
    run_lesson(page, app_server)
    card = page.locator(f".st-key-lesson_card_{LESSON}")
    assert card.get_by_text("no hidden layer:").count() >= 1
    assert page.locator(f".st-key-lesson_loss_{LESSON} .legendtext").all_text_contents() == [
        "no hidden layer", "one ReLU layer of 100"]
    assert_snapshot(card, "lessons_finished_linear_vs_hidden")
    _at_projector_sizes(page, "normal")


def test_a_finished_lesson_in_presenter_mode_fills_a_projector(app_server, browser):
    context = _context(browser, *SIZES[0])
    try:
        page = run_lesson(context.new_page(), app_server, "&present=1")
        for key in CHARTS[:2]:  # the watched chart (the two boundaries) on the first screen
            box = page.locator(f".st-key-{key}").bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= 720, (key, box)
        assert_snapshot(page, "lessons_finished_linear_vs_hidden_present_1280x720")
        _at_projector_sizes(page, "present")
        page.get_by_role("button", name="Reveal the claim").click()
        page.get_by_text("Claim:").wait_for()
    finally:
        context.close()


def _at_projector_sizes(page, mode: str) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(500)  # the charts relayout to the new width
        _nothing_cut(page, width)
        page.screenshot(path=f"tests/e2e/__output__/lessons-{mode}-{width}x{height}-end.png")  # to look at


def _nothing_cut(page, width: int) -> None:
    main = page.locator("[data-testid='stMain']")
    assert main.evaluate("m => m.scrollWidth <= m.clientWidth"), "the page scrolls sideways"
    for key in CHARTS:  # every legend, title and tick label inside its chart, every chart inside the page
        chart = page.locator(f".st-key-{key}")
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, key
        for part in (".legend", ".gtitle", ".xtick", ".ytick", ".g-xtitle", ".g-ytitle"):
            for item in chart.locator(part).all():
                got = item.bounding_box()
                if got is not None and got["width"] > 0:
                    assert got["x"] >= box["x"] - 1 and got["x"] + got["width"] <= box["x"] + box["width"] + 1, (key, part)
                    assert got["y"] >= box["y"] - 1 and got["y"] + got["height"] <= box["y"] + box["height"] + 1, (key, part)
