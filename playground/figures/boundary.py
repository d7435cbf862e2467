"""Decision boundary: class-probability shading over the input plane, with train and test points.

The shading blends the class colours by predicted probability (a pale colour where the net is
sure, a muddy mix where it hesitates) and ships as one small PNG (``go.Image(source=...)``): a
100x100 grid costs ~5 KB and well under a millisecond, where a heatmap per class would cost C x 10k numbers.

The points are a second, transparent PNG drawn once per run (they do not move while the net
trains) and cached. As SVG markers they cost the browser ~90 ms per live update for 2,100
points (Plotly.react re-creates every marker); as an image, nothing measurable. The legend
keeps one marker-only entry per class and one for the test rings.
"""
from __future__ import annotations

import base64
import io
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from playground.figures.theme import base_layout, class_colour, class_colours_rgb, lean_figure
from playground.snapshot import BoundaryGrid, PlanePoints

SHADE = 0.45  # how far the shading goes from white towards the class colour; points stay readable on top


NO_PREDICTION = 235.0  # light grey where the net outputs NaN (a diverged run), instead of black


def shade_rgb(proba: np.ndarray) -> np.ndarray:
    """proba (R, R, C) -> (R, R, 3) uint8: colours mixed by probability, then pulled towards white."""
    mix = proba.astype(np.float32) @ class_colours_rgb(proba.shape[-1])  # (R, R, 3)
    shade = 255.0 - (255.0 - mix) * SHADE
    shade[~np.isfinite(shade).all(axis=-1)] = NO_PREDICTION
    return shade.clip(0, 255).astype(np.uint8)


def png_data_uri(rgb: np.ndarray) -> str:
    """(H, W, 3) uint8 -> ``data:image/png;base64,...``; row 0 is drawn at y0 (the bottom of the plane)."""
    buf = io.BytesIO()
    Image.fromarray(rgb, mode="RGB").save(buf, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _shading(xs: np.ndarray, ys: np.ndarray, proba: np.ndarray) -> dict:
    dx = float(xs[1] - xs[0]) if len(xs) > 1 else 1.0
    dy = float(ys[1] - ys[0]) if len(ys) > 1 else 1.0
    return dict(type="image", source=png_data_uri(shade_rgb(proba)), x0=float(xs[0]), dx=dx,
                y0=float(ys[0]), dy=dy, hoverinfo="skip", name="prediction")  # fmt: skip


# ---------------------------------------------------------------- the point layer

# The plot is ~260 px tall in the run column of a 1400 px-wide window; the layer has twice the
# pixels (crisp on HiDPI screens), and its points grow with the plot on a bigger screen.
POINTS_PX = 520  # overlay height in pixels
TRAIN_DIAMETER, TRAIN_OUTLINE = 7.0, 1.0  # display px, as Plotly's markers: the outline is centred on the edge
TEST_DIAMETER, TEST_LINE = 8.0, 2.0  # hollow rings


def _disc(diameter: float, line: float, rgb: np.ndarray, hollow: bool, scale: float) -> np.ndarray:
    """(S, S, 4) float RGBA sprite with analytic anti-aliasing: a filled disc with a white outline, or a ring.

    As an SVG marker of size ``diameter`` with a ``line``-wide stroke: the stroke straddles the edge.
    """
    r = (diameter + line) * scale / 2  # outer edge of the stroke
    size = int(np.ceil(2 * r + 2))
    c = (size - 1) / 2
    yy, xx = np.mgrid[:size, :size]
    d = np.hypot(xx - c, yy - c)  # distance of each pixel centre from the centre
    cover = lambda inner, outer: np.clip(outer + 0.5 - d, 0, 1) * np.clip(d - inner + 0.5, 0, 1)  # noqa: E731
    sprite = np.zeros((size, size, 4), dtype=np.float32)
    if hollow:
        sprite[..., :3] = rgb
        sprite[..., 3] = cover(r - line * scale, r)
    else:
        inner = r - line * scale
        fill, edge = cover(-1.0, inner), cover(inner, r)
        sprite[..., :3] = (fill[..., None] * rgb + edge[..., None] * 255.0) / np.maximum(fill + edge, 1e-6)[..., None]
        sprite[..., 3] = np.clip(fill + edge, 0, 1)
    return sprite


def _stamp(canvas: np.ndarray, sprite: np.ndarray, cx: np.ndarray, cy: np.ndarray) -> None:
    """Composite ``sprite`` (premultiplied here) over ``canvas`` (H, W, 4 premultiplied) centred at each (cx, cy)."""
    s = sprite.shape[0]
    pre = np.concatenate([sprite[..., :3] * sprite[..., 3:], sprite[..., 3:]], axis=-1)
    H, W = canvas.shape[:2]
    for x, y in zip(np.rint(cx - (s - 1) / 2).astype(int), np.rint(cy - (s - 1) / 2).astype(int)):
        x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + s, W), min(y + s, H)
        if x0 >= x1 or y0 >= y1:
            continue
        patch = pre[y0 - y : y1 - y, x0 - x : x1 - x]
        region = canvas[y0:y1, x0:x1]
        region *= 1 - patch[..., 3:]
        region += patch


def _points_png(P_train, y_train, P_test, y_test, x_range, y_range, shape, n_classes) -> str:
    """Train discs, then test rings, in class colours, on a transparent (H, W) canvas over the plot's ranges."""
    H, W = shape
    scale = H / (POINTS_PX / 2)  # sprite pixels per display pixel (~2)
    colours = class_colours_rgb(n_classes)
    canvas = np.zeros((H, W, 4), dtype=np.float32)
    to_px = lambda P: ((P[:, 0] - x_range[0]) / (x_range[1] - x_range[0]) * W - 0.5,  # noqa: E731
                       (y_range[1] - P[:, 1]) / (y_range[1] - y_range[0]) * H - 0.5)  # row 0 = top
    for P, y, diameter, line, hollow in ((P_train, y_train, TRAIN_DIAMETER, TRAIN_OUTLINE, False),
                                         (P_test, y_test, TEST_DIAMETER, TEST_LINE, True)):  # fmt: skip
        cx, cy = to_px(P)
        for c in range(n_classes):
            mine = y == c
            if mine.any():
                _stamp(canvas, _disc(diameter, line, colours[c], hollow, scale), cx[mine], cy[mine])
    alpha = canvas[..., 3:]
    rgb = np.where(alpha > 0, canvas[..., :3] / np.maximum(alpha, 1e-6), 0)
    rgba = np.concatenate([rgb, alpha * 255], axis=-1).clip(0, 255).astype(np.uint8)[::-1]  # row 0 = bottom, as the shading
    buf = io.BytesIO()
    Image.fromarray(rgba, mode="RGBA").save(buf, format="PNG", compress_level=6)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


@lru_cache(maxsize=4)
def _cached_points_png(key: bytes, shapes: tuple, x_range: tuple, y_range: tuple, shape: tuple, n_classes: int) -> str:
    """``key``: the point arrays' bytes (they change once per run, not per update)."""
    (n_tr, n_te), arrays = shapes, np.frombuffer(key, dtype=np.float32)
    P_train = arrays[: 2 * n_tr].reshape(n_tr, 2)
    y_train = arrays[2 * n_tr : 3 * n_tr].astype(int)
    P_test = arrays[3 * n_tr : 3 * n_tr + 2 * n_te].reshape(n_te, 2)
    y_test = arrays[3 * n_tr + 2 * n_te :].astype(int)
    return _points_png(P_train, y_train, P_test, y_test, x_range, y_range, shape, n_classes)


def points_layer(points: PlanePoints, x_range: list[float], y_range: list[float], n_classes: int) -> dict:
    """An image trace covering the plot's ranges with every train and test point drawn in."""
    (P_train, y_train), (P_test, y_test) = points.train, points.test
    aspect = (x_range[1] - x_range[0]) / (y_range[1] - y_range[0])
    H = POINTS_PX
    W = int(np.clip(round(H * aspect), H // 3, 3 * H))
    key = np.concatenate([np.asarray(a, dtype=np.float32).ravel() for a in (P_train, y_train, P_test, y_test)])
    source = _cached_points_png(key.tobytes(), (len(y_train), len(y_test)), tuple(x_range), tuple(y_range), (H, W),
                                n_classes)  # fmt: skip
    dx, dy = (x_range[1] - x_range[0]) / W, (y_range[1] - y_range[0]) / H
    return dict(type="image", source=source, x0=x_range[0] + dx / 2, dx=dx, y0=y_range[0] + dy / 2, dy=dy,
                hoverinfo="skip", name="points")  # fmt: skip


def _legend(class_names: list[str]) -> list[dict]:
    """Marker-only legend entries: one per class (filled, as the train points) and one for the test rings."""
    entries = [
        dict(type="scatter", mode="markers", x=[None], y=[None], name=name,
             marker=dict(color=class_colour(c), size=TRAIN_DIAMETER + 1, line=dict(width=1, color="white")))  # fmt: skip
        for c, name in enumerate(class_names)
    ]
    entries.append(dict(type="scatter", mode="markers", x=[None], y=[None], name="test",
                        marker=dict(symbol="circle-open", size=TEST_DIAMETER, line=dict(width=2), color="#555")))  # fmt: skip
    return entries


def boundary_figure(boundary: BoundaryGrid, class_names: list[str], height: int = 460,
                    axis_titles: tuple[str, str] | None = None) -> go.Figure:  # fmt: skip
    """Class colours over the grid (``proba`` (R, R, C)) with the train and test points on top.
    ``axis_titles``: override the plane's own (e.g. to name the units)."""
    shading = _shading(boundary.xs, boundary.ys, boundary.proba)
    return _plane_figure(boundary.xs, boundary.ys, boundary.points, class_names, height,
                         axis_titles or boundary.axis_titles, shading)  # fmt: skip


def points_figure(points: PlanePoints, xs: np.ndarray, ys: np.ndarray, class_names: list[str], height: int = 460,
                  axis_titles: tuple[str, str] = ("x1", "x2")) -> go.Figure:  # fmt: skip
    """The boundary's picture before there is a model: the same points over the same plane (grid ``xs``,
    ``ys``), unshaded. One image, where a marker per point cost Chromium ~0.3-0.5 s per draw of the spiral."""
    return _plane_figure(xs, ys, points, class_names, height, axis_titles, None)


def _plane_figure(xs: np.ndarray, ys: np.ndarray, points: PlanePoints, class_names: list[str], height: int,
                  axis_titles: tuple[str, str], shading: dict | None) -> go.Figure:  # fmt: skip
    x_range = [float(xs[0] - (xs[1] - xs[0]) / 2), float(xs[-1] + (xs[1] - xs[0]) / 2)]
    y_range = [float(ys[0] - (ys[1] - ys[0]) / 2), float(ys[-1] + (ys[1] - ys[0]) / 2)]
    traces = [
        *([shading] if shading else []),
        points_layer(points, x_range, y_range, len(class_names)),
        *_legend(class_names),
    ]
    ax, ay = axis_titles
    yaxis = dict(title=dict(text=ay), range=y_range, autorange=False, showgrid=False)
    if 1 / 3 <= (y_range[1] - y_range[0]) / (x_range[1] - x_range[0]) <= 3:  # equal units unless it makes a sliver
        yaxis.update(scaleanchor="x", scaleratio=1, constrain="domain", constraintoward="top")  # no gap under the legend
    layout = base_layout(
        height=height,
        margin=dict(l=48, r=8, t=40, b=40),
        xaxis=dict(title=dict(text=ax), range=x_range, showgrid=False, constrain="domain"),
        yaxis=yaxis,
    )
    return lean_figure(traces, layout)