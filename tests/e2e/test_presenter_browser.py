"""Presenter mode in the browser: the link keeps it across page switches, the toggle takes it out of the URL,
and at 1280x720 a finished run's charts are on the first screen with the settings folded away."""
import pytest

from snapshot import freeze, wait_for_app

pytestmark = pytest.mark.e2e

PROGRESS = "[data-testid='stProgress']"


def test_present_survives_page_switches_and_the_toggle_ends_it(app_page):
    page = app_page("?present=1&hide=optimizer&epochs=7")
    page.get_by_role("link", name="Optimizer race").click()
    page.wait_for_url("**/race?*", timeout=30_000)  # the page switch first, then its script run
    page.locator(".st-key-race_surface").wait_for(timeout=60_000)
    wait_for_app(page)
    assert "present=1" in page.url and "hide=optimizer" in page.url
    page.get_by_role("link", name="Playground").click()
    page.wait_for_url(lambda url: "/race" not in url, timeout=30_000)
    page.locator(".st-key-start").wait_for(timeout=60_000)
    wait_for_app(page)
    page.wait_for_function("() => location.search.includes('epochs=7')", timeout=30_000)
    assert "present=1" in page.url and "epochs=7" in page.url
    assert page.locator(".st-key-optimizer").count() == 0  # hidden by the link
    page.get_by_text("Present", exact=True).click()
    wait_for_app(page)
    page.wait_for_function("() => !location.search.includes('present=1')")
    assert "hide=optimizer" in page.url and "epochs=7" in page.url


def test_a_finished_run_in_presenter_mode_fills_a_projector(browser, app_server):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, device_scale_factor=1,
                                  reduced_motion="reduce", locale="en-US", timezone_id="UTC")  # fmt: skip
    page = context.new_page()
    try:
        page.goto(f"{app_server}/?present=1&n_samples=100&epochs=20&seed=0")
        wait_for_app(page)
        freeze(page)
        assert page.locator(".st-key-dataset").count() == 0  # settings folded away
        page.locator(".st-key-start button").click()
        page.mouse.move(0, 0)
        page.wait_for_function(f"() => (document.querySelector(\"{PROGRESS}\") || {{}}).innerText?.includes('Finished')",
                               timeout=90_000)  # fmt: skip
        wait_for_app(page)
        for key in ("boundary_chart", "loss_chart"):
            box = page.evaluate(f"() => document.querySelector('.st-key-{key}').getBoundingClientRect().toJSON()")
            assert box["top"] >= 0 and box["bottom"] <= 720, (key, box)
        size = page.evaluate("() => getComputedStyle(document.documentElement).fontSize")
        assert float(size.rstrip("px")) > 16  # the page's type is larger than Streamlit's 16 px
    finally:
        context.close()
