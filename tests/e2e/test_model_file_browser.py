"""Issue 13's "done means", in a real browser: a model downloaded from the Playground loads back, on the
page and in the engine, with identical test metrics."""
import pytest

from snapshot import wait_for_app

from playground.datasets import prepare
from playground.model_file import load_into, read
from playground.trainer import Trainer

pytestmark = pytest.mark.e2e


def _metric(scope, label: str) -> str:
    """The value of the st.metric labelled ``label`` inside ``scope``."""
    metric = scope.locator("[data-testid='stMetric']").filter(has_text=label).first
    return metric.locator("[data-testid='stMetricValue']").inner_text().strip()


def test_a_downloaded_model_loads_back_with_identical_test_metrics(app_page, tmp_path):
    page = app_page("?n_samples=100&epochs=10&seed=1&layers=32:relu:frozen,32:relu")
    page.locator(".st-key-start button").click()
    page.get_by_text("finished 10 epochs").wait_for(timeout=90_000)
    wait_for_app(page)
    shown = _metric(page.locator(".st-key-run_panel"), "Test accuracy")
    page.get_by_text("Model file: download, export, load").click()
    wait_for_app(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download the last run's model").click()
    path = tmp_path / "model.safetensors"
    download.value.save_as(path)
    mf = read(path.read_bytes())
    assert mf.cfg.layers[0].frozen and mf.cfg.epochs == 10 and mf.scaler is not None
    trainer = Trainer(mf.cfg, prepare(mf.cfg))
    load_into(trainer, mf)
    assert f"{trainer.evaluate('test').accuracy:.1%}" == shown  # the engine, from the file alone
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    wait_for_app(page)
    page.get_by_role("button", name="Inspect").click()
    page.locator(".st-key-model_inspected [data-testid='stMetric']").first.wait_for(timeout=60_000)
    assert _metric(page.locator(".st-key-model_inspected"), "Test accuracy") == shown  # the page, from the upload
