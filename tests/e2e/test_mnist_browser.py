"""Issue 12 §3 in a real browser: on a finished seeded MNIST run, a click on a test confusion cell filters
the gallery (Plotly's selection through on_select), and a stroke drawn on the canvas (mouse moves) gets
a prediction from the run's model."""
import pytest

from snapshot import assert_snapshot, wait_for_app

pytestmark = pytest.mark.e2e

RUN = "?dataset=mnist&layers=64:relu&optimizer=adam&lr=0.003&batch_size=128&epochs=3&seed=0"


def test_a_confusion_click_filters_the_gallery_and_a_drawn_stroke_is_read(app_page):
    page = app_page(RUN)
    page.locator(".st-key-start button").click()
    page.mouse.move(0, 0)
    page.get_by_text("finished 3 epochs").wait_for(timeout=120_000)
    wait_for_app(page)
    gallery = page.locator(".st-key-gallery_chart .js-plotly-plot")
    gallery.wait_for(timeout=30_000)
    # the most frequent mistake's cell, clicked where Plotly draws it
    confusion = page.locator(".st-key-test_confusion_chart .js-plotly-plot")
    confusion.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # settled, so the cell's position below is where it stays
    true, pred, x, y = confusion.evaluate("""gd => {
        const z = Array.from(gd._fullData[0].z, row => Array.from(row)), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, r = gd.getBoundingClientRect();
        let best = [0, 1, -1];
        z.forEach((row, t) => row.forEach((n, p) => { if (t !== p && n > best[2]) best = [t, p, n]; }));
        const [t, p] = best;
        return [t, p, r.left + xa._offset + xa.d2p(String(p)), r.top + ya._offset + ya.d2p(String(t))]; }""")
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    wanted = {f"pred {pred} · true {true}"}
    for _ in range(60):  # the gallery redrawn with that cell's digits only
        page.wait_for_timeout(500)
        wait_for_app(page)
        if set(page.locator(".st-key-gallery_chart .annotation-text").all_text_contents()) == wanted:
            break
    assert set(page.locator(".st-key-gallery_chart .annotation-text").all_text_contents()) == wanted
    # Draw a digit: empty asks for one; a stroke (a 1) gets the run's class probabilities
    canvas = page.locator(".st-key-digit_canvas")
    canvas.scroll_into_view_if_needed()
    page.get_by_text("Draw a digit", exact=True).last.wait_for()
    box = canvas.locator("canvas").last.bounding_box()
    page.mouse.move(box["x"] + 140, box["y"] + 40)
    page.mouse.down()
    for i in range(1, 31):
        page.mouse.move(box["x"] + 140 - i, box["y"] + 40 + 7 * i)
    page.mouse.up()
    page.locator(".st-key-digit_proba_chart .js-plotly-plot").wait_for(timeout=30_000)
    wait_for_app(page)
    title = page.locator(".st-key-digit_proba_chart .gtitle").text_content()
    assert title.startswith("It reads a ")
    page.mouse.move(0, 0)
    assert_snapshot(page.locator(".st-key-gallery_chart"), "mnist_gallery_filtered")
