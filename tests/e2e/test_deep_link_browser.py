"""A deep link is the first thing a freshly started server serves (a teacher shares /race)."""
import pytest

from snapshot import wait_for_app

pytestmark = pytest.mark.e2e


def test_cold_deep_link_gets_the_apps_navigation(cold_app_server, page):
    page.goto(f"{cold_app_server}/race?from=link")
    wait_for_app(page)
    page.get_by_role("heading", name="Optimizer race").wait_for(timeout=60_000)
    nav = page.locator("[data-testid='stTopNav']")  # app.py's navigation sits in a top bar
    # app.py's st.navigation titles, not the file names of pages/ ("app", "landscape", "playground", "race")
    assert nav.get_by_text("Optimizer race", exact=True).is_visible()
    assert nav.get_by_text("Loss landscape", exact=True).is_visible()
    assert nav.get_by_text("app", exact=True).count() == 0
    assert page.locator("[data-testid='stSidebarNav']").count() == 0  # Streamlit's auto-discovered pages/ sidebar
    assert page.title() == "Neural Network Playground"  # app.py's page config ran
    assert page.url.endswith("/race?from=link")
