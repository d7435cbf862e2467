"""The race page in a real browser: presets' finished races look like their baselines, nothing is cut at a
projector's size, and the URL carries the race (a preset's link opened in a new tab restores it)."""
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from playground.optim import OPTIMIZERS
from playground.race import PRESETS
from playground.ui.race_controls import preset_config
from playground.ui.race_url import to_query
from snapshot import assert_snapshot, freeze, wait_for_app

pytestmark = pytest.mark.e2e

SIZES = [(1280, 720), (1400, 900)]
# Chips of the optimizer multiselect (Streamlit 1.67 draws them with react-aria: [data-tag] > span[title]), the
# chip area (it scrolls sideways when the chips keep to one row), and the results table (a canvas; the headers
# of the columns it draws are also in its accessibility <table>, and its scroller is wider than its box when
# the columns do not fit).
CUT_JS = """() => {
    const chips = [...document.querySelectorAll('[data-testid=stMultiSelect] [data-tag] > span')];
    const area = document.querySelector('[data-testid=stMultiSelectTagsContainer]');
    const box = area.getBoundingClientRect();
    const table = document.querySelector('[data-testid=stDataFrame]');
    const scroller = table.querySelector('.dvn-scroller');
    return {
        chips: chips.map(e => e.textContent),
        cutChips: chips.filter(e => {
            const r = e.getBoundingClientRect();
            return e.scrollWidth > e.clientWidth || r.left < box.left - 0.5 || r.right > box.right + 0.5;
        }).map(e => e.textContent),
        chipArea: [area.scrollWidth, area.clientWidth],
        headers: [...table.querySelectorAll('th')].map(e => e.textContent),
        tableScroll: [scroller.scrollWidth, scroller.clientWidth],
        tableInColumn: table.getBoundingClientRect().right <= table.parentElement.getBoundingClientRect().right + 0.5,
    };
}"""
HEADERS = ["optimizer", "lr", "final x", "final y", "final loss", "path length", "diverged at"]


def legend(page, chart_key: str) -> list[str]:
    return page.locator(f".st-key-{chart_key} .legendtext").evaluate_all("els => els.map(e => e.textContent)")


def wait_for_legend(page, chart_key: str, names: list[str]) -> None:
    """Until the chart's legend holds exactly these optimizers (plus start and minimum)."""
    page.wait_for_function(
        """([key, names]) => {
            const items = [...document.querySelectorAll(`.st-key-${key} .legendtext`)].map(e => e.textContent);
            return names.every(n => items.some(t => t.startsWith(n))) && items.length === names.length + 2;
        }""",
        arg=[chart_key, names],
        timeout=30_000,
    )


def click_preset(page, name: str) -> None:
    """Click a preset and wait until the page shows its race (its claim box and its legend)."""
    page.locator(f".st-key-race_preset_{name}").get_by_role("button").click()
    page.get_by_text(PRESETS[name].title + ".").wait_for(timeout=60_000)
    wait_for_app(page)
    wait_for_legend(page, "race_chart_contour", list(PRESETS[name].settings))
    page.mouse.move(0, 0)


def open_at(browser, url: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1,
                                  reduced_motion="reduce", locale="en-US", timezone_id="UTC")  # fmt: skip
    page = context.new_page()
    page.goto(url)
    wait_for_app(page)
    freeze(page)
    return page


def race_setup(page) -> dict:
    """What the race widgets show: surface, chips, every number input and slider, by widget key."""
    return page.evaluate("""() => ({
        surface: document.querySelector('.st-key-race_surface input').value,
        chips: [...document.querySelectorAll('[data-testid=stMultiSelect] [data-tag] > span')].map(e => e.textContent),
        numbers: Object.fromEntries([...document.querySelectorAll('[class*=st-key-race_] [data-testid=stNumberInput] input')]
            .map(e => [e.closest('[class*=st-key-race_]').className.match(/st-key-(race_\\S+)/)[1], e.value])),
        sliders: [...document.querySelectorAll('[data-testid=stSliderThumbValue]')].map(e => e.textContent),
    })""")


def query(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query, keep_blank_values=True).items()}


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


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_optimizer_chip_and_table_header_is_whole(browser, app_server, size):
    """All eight optimizers on the bowl, SGD diverging (the longest table row): nothing cut, nothing scrolls."""
    names = list(OPTIMIZERS)
    page = open_at(browser, f"{app_server}/race?" + urlencode({"surface": "bowl", "opt": " ".join(names),
                                                               "sgd.lr": "0.25"}), *size)
    try:
        wait_for_legend(page, "race_chart_contour", names)
        page.locator("[data-testid=stDataFrame] th").first.wait_for(state="attached")
        seen = page.evaluate(CUT_JS)
        assert seen["chips"] == names
        assert seen["cutChips"] == [], seen
        assert seen["chipArea"][0] <= seen["chipArea"][1], seen  # the chips wrap instead of scrolling sideways
        assert seen["headers"] == HEADERS, seen
        assert seen["tableScroll"][0] <= seen["tableScroll"][1], seen  # every column fits: no sideways scroll
        assert seen["tableInColumn"], seen
    finally:
        page.context.close()


def test_a_preset_puts_the_race_in_the_url_and_the_link_restores_it(browser, app_server):
    """Playground (with its own link) -> race -> preset -> Playground; then the race's link in a new tab."""
    page = open_at(browser, f"{app_server}/?dataset=xor&epochs=3000", *SIZES[0])
    try:
        page.get_by_role("link", name="Optimizer race").click()
        page.get_by_role("heading", name="Optimizer race").wait_for(timeout=60_000)
        wait_for_app(page)
        assert urlsplit(page.url).path == "/race" and query(page) == {}  # the default race: a bare /race
        click_preset(page, "saddle")
        expected = to_query(preset_config("saddle"))
        page.wait_for_function("q => location.search === '?' + q", arg=urlencode(expected), timeout=30_000)
        assert "%" not in page.url  # readable: opt=sgd+momentum+adam, sgd.lr=...
        link, setup = page.url, race_setup(page)
        assert setup["surface"] == "saddle" and setup["chips"] == list(PRESETS["saddle"].settings)

        page.get_by_role("link", name="Playground").click()
        page.wait_for_function("() => location.pathname === '/'", timeout=30_000)
        wait_for_app(page)
        assert query(page) == {"dataset": "xor", "epochs": "3000"}  # the Playground's own link, untouched
    finally:
        page.context.close()

    fresh = open_at(browser, link, *SIZES[0])  # a new browser context: a new session
    try:
        wait_for_legend(fresh, "race_chart_contour", list(PRESETS["saddle"].settings))
        # the legend can come while the link's first runs still redraw the widgets (once, under a loaded CI
        # run, the surface's input was not in the DOM yet): read them once the script is done and they are there
        wait_for_app(fresh)
        fresh.locator(".st-key-race_surface input").wait_for(timeout=60_000)
        assert race_setup(fresh) == setup
        assert fresh.get_by_text(PRESETS["saddle"].title + ".").is_visible()  # recognised as the preset
        assert query(fresh) == expected
    finally:
        fresh.context.close()
