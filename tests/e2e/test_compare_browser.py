"""The Compare page in a real browser, on a server of its own whose store holds three seeded runs
(sgd, adam and a diverged sgd at lr 10): a link's comparison against its baseline, a click on a row, and
nothing cut at the projector's sizes."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from playground.config import parse_layers
from seeded_runs import TINY, seed_runs
from snapshot import assert_snapshot, freeze, wait_for_app

pytestmark = pytest.mark.e2e

RUNS = {
    "cmp-sgd": TINY.replace(optimizer="sgd"),
    "cmp-adam": TINY.replace(optimizer="adam"),
    "cmp-blew": TINY.replace(optimizer="sgd", lr=10.0, layers=parse_layers("64:relu,64:relu")),  # diverges in epoch 1
}
LINK = "compare?runs=cmp-sgd,cmp-adam,cmp-blew"
NAMES = ["layers=16:relu, optimizer=sgd, lr=0.01", "layers=16:relu, optimizer=adam, lr=0.01",
         "layers=64:relu,64:relu, optimizer=sgd, lr=10 (diverged: no finite loss)"]  # fmt: skip
CHARTS = ("compare_loss", "compare_accuracy", "compare_scores", "compare_confusion_0", "compare_confusion_1")


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory):
    """PLAYGROUND_DB for this module's server (conftest starts it with os.environ): a store seeded before it starts."""
    url = f"sqlite:///{tmp_path_factory.mktemp('compare') / 'runs.db'}"
    seed_runs(url, RUNS)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PLAYGROUND_DB", url)
        yield url


@pytest.fixture(scope="module")
def app_server(seeded_store, app_server):
    """conftest's server, started only once the seeded store is in the environment (fixture order)."""
    yield app_server


def open_compare(page, base: str, path: str = LINK, charts=CHARTS):
    page.goto(f"{base}/{path}")
    wait_for_app(page)
    for key in charts:
        page.locator(f".st-key-{key} .js-plotly-plot").wait_for(timeout=30_000)
    wait_for_app(page)
    freeze(page)
    return page


def picked(page) -> list[str]:
    query = parse_qs(urlsplit(page.url).query)
    return query.get("runs", [""])[0].split(",")


def test_a_link_compares_its_runs_like_the_baseline(app_server, page):
    open_compare(page, app_server)
    assert page.locator(".st-key-compare_loss .legendtext").all_text_contents() == NAMES
    assert picked(page) == ["cmp-sgd", "cmp-adam", "cmp-blew"]
    assert page.locator(".st-key-compare_confusion_2").count() == 0  # the diverged run kept no weights
    assert_snapshot(page.locator("[data-testid='stMain']"), "compare_three_runs")


def test_a_click_on_a_row_adds_its_run_and_the_link_follows(app_server, page):
    open_compare(page, app_server, "compare", CHARTS[:4])  # no link: the two newest runs (one with weights)
    assert picked(page) == ["cmp-adam", "cmp-blew"]
    grid = page.locator(".st-key-compare_table [data-testid='stDataFrameResizable']").bounding_box()
    page.mouse.click(grid["x"] + 18, grid["y"] + 35 + 2 * 35 + 17)  # the checkbox of row 3 (sgd, the oldest)
    page.wait_for_function("() => location.search.includes('cmp-sgd')", timeout=30_000)
    wait_for_app(page)
    page.locator(".st-key-compare_loss .legendtext").nth(2).wait_for()
    assert page.locator(".st-key-compare_loss .legendtext").all_text_contents() == NAMES
    assert picked(page) == ["cmp-sgd", "cmp-adam", "cmp-blew"]


@pytest.mark.parametrize("size", [(1280, 720), (1400, 900)], ids=["1280x720", "1400x900"])
def test_nothing_is_cut_at_projector_sizes(app_server, browser, size):
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1,
                                  reduced_motion="reduce", locale="en-US", timezone_id="UTC")  # fmt: skip
    try:
        page = open_compare(context.new_page(), app_server)
        page.screenshot(path=f"tests/e2e/__output__/compare-{width}x{height}.png")  # to look at: what a projector shows
        main = page.locator("[data-testid='stMain']")
        assert main.evaluate("m => m.scrollWidth <= m.clientWidth"), "the page scrolls sideways"
        for key in CHARTS:  # every legend, title and tick label inside its chart, every chart inside the page
            chart = page.locator(f".st-key-{key}")
            chart.scroll_into_view_if_needed()
            box, svg = chart.bounding_box(), chart.locator(".main-svg").first.bounding_box()
            assert svg["x"] + svg["width"] <= width, key
            for part in (".legend", ".gtitle", ".xtick", ".ytick"):
                for item in chart.locator(part).all():
                    got = item.bounding_box()
                    if got is not None:
                        assert got["x"] >= box["x"] - 1 and got["x"] + got["width"] <= box["x"] + box["width"] + 1, (key, part)
                        assert got["y"] >= box["y"] - 1 and got["y"] + got["height"] <= box["y"] + box["height"] + 1, (key, part)
        page.screenshot(path=f"tests/e2e/__output__/compare-{width}x{height}-end.png")  # scrolled to the last chart
    finally:
        context.close()
