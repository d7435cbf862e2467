"""Browser-test helpers: wait for a Streamlit app to settle, and compare screenshots with baselines.

    from snapshot import assert_snapshot, wait_for_app

    page.goto(f"{app_server}/race")
    wait_for_app(page)
    assert_snapshot(page.locator(".st-key-race_chart_contour"), "race_ravine_contour")

Comparison follows streamlit's own e2e suite: a pixel differs when any channel differs by more than
``tolerance`` (0.05 of full scale); the snapshot passes when fewer than ``max_diff_ratio`` (0.2%) of
pixels differ. Baselines live in tests/e2e/__snapshots__/<name>.png. On failure the actual image and
a diff (differing pixels in red over the faded baseline) go to tests/e2e/__output__/ (gitignored).

UPDATE_SNAPSHOTS=1 rewrites baselines. A missing baseline is written and the test fails with
"baseline created, re-run", so a new snapshot is never silently accepted in CI.
"""
from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

HERE = Path(__file__).resolve().parent
SNAPSHOTS = HERE / "__snapshots__"
OUTPUT = HERE / "__output__"
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"

# Injected before screenshots: no CSS transitions/animations, no blinking caret, no spinner fade.
FREEZE_CSS = """
*, *::before, *::after { transition: none !important; animation: none !important; caret-color: transparent !important; }
"""


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until the app is mounted and its script has finished running.

    A script run that a click has just queued may not have started yet; after an action, wait for
    something the new run draws (a text, a legend entry) and then call this again.
    """
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    page.wait_for_selector(READY, timeout=timeout)


def freeze(page) -> None:
    """Stop CSS motion and park the mouse in a corner (hover shows toolbars and Plotly's modebar)."""
    page.add_style_tag(content=FREEZE_CSS)
    page.mouse.move(0, 0)


def stable_screenshot(target, attempts: int = 10, interval_ms: int = 300) -> bytes:
    """Screenshot ``target`` (Page or Locator) until two consecutive shots are identical.

    Charts draw asynchronously after the script run ends; this waits out that last repaint.
    """
    page = getattr(target, "page", target)
    shoot = lambda: target.screenshot(animations="disabled", caret="hide")  # noqa: E731
    previous = shoot()
    for _ in range(attempts):
        page.wait_for_timeout(interval_ms)
        current = shoot()
        if current == previous:
            return current
        previous = current
    return previous  # still moving: compare anyway, the diff will show what moves


def _as_image(image_or_locator: Any) -> Image.Image:
    if isinstance(image_or_locator, Image.Image):
        return image_or_locator.convert("RGB")
    if isinstance(image_or_locator, (bytes, bytearray)):
        return Image.open(io.BytesIO(image_or_locator)).convert("RGB")
    if isinstance(image_or_locator, (str, Path)):
        return Image.open(image_or_locator).convert("RGB")
    return Image.open(io.BytesIO(stable_screenshot(image_or_locator))).convert("RGB")  # Page or Locator


def diff_ratio(actual: np.ndarray, expected: np.ndarray, tolerance: float) -> tuple[float, np.ndarray]:
    """(fraction of differing pixels, mask (H, W)) for two uint8 RGB arrays of the same shape."""
    delta = np.abs(actual.astype(np.int16) - expected.astype(np.int16)).max(axis=-1) / 255.0  # (H, W)
    mask = delta > tolerance
    return float(mask.mean()), mask


def _write_failure(name: str, actual: Image.Image, expected: np.ndarray | None, mask: np.ndarray | None) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    actual.save(OUTPUT / f"{name}-actual.png")
    if expected is not None and mask is not None:
        diff = (0.3 * expected + 0.7 * 255).astype(np.uint8)  # faded baseline
        diff[mask] = (255, 0, 0)
        Image.fromarray(diff).save(OUTPUT / f"{name}-diff.png")
    return OUTPUT


def assert_snapshot(image_or_locator: Any, name: str, *, max_diff_ratio: float = 0.002, tolerance: float = 0.05) -> None:
    """Compare a screenshot (Locator, Page, PIL image, PNG bytes or path) with __snapshots__/<name>.png."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise ValueError(f"snapshot name == {name!r}, must use only letters, digits, '_', '.', '-'")
    actual = _as_image(image_or_locator)
    baseline = SNAPSHOTS / f"{name}.png"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        actual.save(baseline)
        return
    if not baseline.exists():
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        actual.save(baseline)
        pytest.fail(f"snapshot {name!r}: no baseline, baseline created at {baseline}, re-run")
    expected = np.asarray(Image.open(baseline).convert("RGB"))
    got = np.asarray(actual)
    if got.shape != expected.shape:
        out = _write_failure(name, actual, None, None)
        pytest.fail(f"snapshot {name!r}: size {got.shape[1]}x{got.shape[0]} != baseline "
                    f"{expected.shape[1]}x{expected.shape[0]}; actual written to {out}")
    ratio, mask = diff_ratio(got, expected, tolerance)
    if ratio >= max_diff_ratio:
        out = _write_failure(name, actual, expected, mask)
        pytest.fail(f"snapshot {name!r}: {100 * ratio:.3f}% of pixels differ (limit {100 * max_diff_ratio:.1f}%, "
                    f"per-pixel tolerance {tolerance}); actual and diff written to {out}")
