"""Figures for the optimizer race: contour with animated paths, 3-D surface, loss vs step.

Pure functions of a RaceResult (numpy paths and losses) and a precomputed grid
(``playground.surfaces.surface_grid``); nothing here runs torch or Streamlit.

The contour is drawn as a background image (filled bands + isolines, numpy + Pillow), not as a
``go.Contour`` trace: plotly.js drops contour and heatmap traces as soon as an animation frame
plays (plotly/plotly.js#4491, plotly/plotly.py#2151), and layout images are not touched by frames.
"""
from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from PIL import Image

if TYPE_CHECKING:  # types only: the Lessons page draws races without importing torch (race.py runs them)
    from playground.race import RaceResult, Track

# One colour per optimizer, the same in every chart; saturated so it reads on the pale contour.
COLORS = {
    "sgd": "#1f77b4", "momentum": "#d62728", "nesterov": "#9467bd", "rmsprop": "#2ca02c",
    "adagrad": "#8c564b", "adadelta": "#e377c2", "adam": "#ff7f0e", "adamw": "#17becf",
}
SURFACE_COLORS = [[0.0, "#fbfbfd"], [0.35, "#dde3ee"], [0.7, "#b3bfd4"], [1.0, "#7f8fab"]]  # pale, so paths stand out
LOG_FLOOR = 1e-3  # log-scaled views show log10(loss + LOG_FLOOR): the minimum (loss 0) stays finite
MAX_FRAMES = 40  # animation frames; more makes the chart's JSON heavy without looking smoother
FRAME_POINTS = 100  # points per path in a frame (the final, static view keeps every step)
CONTOUR_LEVELS = 24  # colour bands of the contour image, evenly spaced in display units
LINE_RGB = np.array([120, 131, 153])  # isoline colour between bands
HOVER_POINTS = 41  # per axis: an invisible grid of points that shows the loss under the cursor
ZOOM_OUT = 3.0  # the view may grow to this multiple of the surface's range to keep paths in sight
Grid = tuple[np.ndarray, np.ndarray, np.ndarray]  # xs (n,), ys (m,), z (m, n)


def display_z(z: np.ndarray, log_scale: bool) -> np.ndarray:
    """What the colour and height encode: log10 for surfaces that span many decades."""
    return np.log10(np.maximum(z, 0) + LOG_FLOOR) if log_scale else z


def view_ranges(result: RaceResult) -> tuple[tuple[float, float], tuple[float, float]]:
    """The surface's plot window, grown (up to ZOOM_OUT times) to keep the paths in sight."""
    points = np.concatenate([t.path for t in result.tracks.values()])  # (N, 2)
    ranges = []
    for axis, (lo, hi) in enumerate((result.surface.x_range, result.surface.y_range)):
        span, grow = hi - lo, (hi - lo) * (ZOOM_OUT - 1) / 2
        margin = 0.03 * span
        ranges.append((max(min(lo, points[:, axis].min() - margin), lo - grow),
                       min(max(hi, points[:, axis].max() + margin), hi + grow)))
    return ranges[0], ranges[1]


def frame_steps(steps: int, n: int = MAX_FRAMES) -> np.ndarray:
    """(<= n + 1,) step numbers shown as animation frames, always including 0 and the last step."""
    return np.unique(np.linspace(0, steps, min(n, steps) + 1).round().astype(int))


def label(name: str, track: Track) -> str:
    return name if track.diverged_at is None else f"{name} (diverged at step {track.diverged_at})"


def _path_xy(track: Track, upto: int, max_points: int | None = None) -> dict:
    """x, y and (step, loss) customdata of the path up to step ``upto``, thinned to at most ``max_points``.

    Thinning keeps the first and the last point, so the line still starts at the start and ends at the head.
    """
    k = min(upto, len(track.path) - 1) + 1
    rows = np.arange(k)
    if max_points and k > max_points:
        rows = np.unique(np.append(np.linspace(0, k - 1, max_points).round().astype(int), k - 1))
    return dict(x=track.path[rows, 0], y=track.path[rows, 1], customdata=np.stack([rows, track.losses[rows]], axis=1))


def _path_trace(name: str, track: Track) -> go.Scatter:
    """The whole path as line + small markers; hover gives step and loss."""
    return go.Scatter(
        **_path_xy(track, len(track.path)), mode="lines+markers", name=label(name, track), legendgroup=name,
        line=dict(color=COLORS[name], width=2), marker=dict(size=4, color=COLORS[name]),
        hovertemplate=(f"{name}<br>step %{{customdata[0]}}<br>(%{{x:.4g}}, %{{y:.4g}})"
                       "<br>loss %{customdata[1]:.4g}<extra></extra>"),
    )


def _heads(tracks: dict[str, Track], upto: int) -> dict:
    """Where every optimizer is at step ``upto``: one dot each, or an X where it diverged."""
    ks = [min(upto, len(t.path) - 1) for t in tracks.values()]
    stopped = [t.diverged_at is not None and upto >= len(t.path) - 1 for t in tracks.values()]
    xy = np.array([t.path[k] for t, k in zip(tracks.values(), ks)])  # (n_optimizers, 2)
    return dict(x=xy[:, 0], y=xy[:, 1], marker=dict(
        symbol=["x" if s else "circle" for s in stopped], size=[16 if s else 12 for s in stopped],
        color=[COLORS[n] for n in tracks], line=dict(color="white", width=1.5)))


def _landmarks(result: RaceResult) -> list[go.Scatter]:
    """Start point, known minima and saddle points."""
    s = result.surface
    marks = [("start", [result.start], "circle-open", "#222222", 14)]
    if s.minima:
        marks.append(("minimum" if len(s.minima) == 1 else "minima", s.minima, "star", "#ffd400", 18))
    if s.saddles:
        marks.append(("saddle point", s.saddles, "diamond", "#ffffff", 14))
    traces = []
    for name, points, symbol, color, size in marks:
        xy = np.asarray(points, dtype=float)  # (k, 2)
        traces.append(go.Scatter(
            x=xy[:, 0], y=xy[:, 1], mode="markers", name=name,
            marker=dict(symbol=symbol, size=size, color=color, line=dict(color="#222222", width=1.5)),
            hovertemplate=f"{name} (%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
        ))
    return traces


def _animation_controls(steps: np.ndarray, duration: int = 60) -> dict:
    """Layout entries for a play/pause button and a step slider over the frames named by ``steps``."""
    play = dict(frame=dict(duration=duration, redraw=False), transition=dict(duration=0), fromcurrent=True, mode="immediate")
    pause = dict(frame=dict(duration=0, redraw=False), transition=dict(duration=0), mode="immediate")
    slider_steps = [dict(method="animate", label=str(k), args=[[str(k)], pause]) for k in steps]
    return dict(
        updatemenus=[dict(type="buttons", direction="left", x=0.0, y=-0.13, xanchor="left", yanchor="top",
                          pad=dict(r=8, t=0), showactive=False,
                          buttons=[dict(label="▶ Play", method="animate", args=[None, play]),
                                   dict(label="❚❚ Pause", method="animate", args=[[None], pause])])],
        sliders=[dict(active=len(steps) - 1, x=0.2, len=0.8, y=-0.1, yanchor="top", pad=dict(t=0, b=0),
                      currentvalue=dict(prefix="step ", xanchor="right"), transition=dict(duration=0), steps=slider_steps)],
    )


def _colorize(t: np.ndarray) -> np.ndarray:
    """(m, n) values in [0, 1] -> (m, n, 3) uint8 along SURFACE_COLORS."""
    stops = np.array([p for p, _ in SURFACE_COLORS])
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for _, c in SURFACE_COLORS])  # (stops, 3)
    return np.stack([np.interp(t, stops, rgb[:, ch]) for ch in range(3)], axis=-1).round().astype(np.uint8)


def contour_image(z: np.ndarray, levels: int = CONTOUR_LEVELS) -> str:
    """PNG data URI of z (m, n) as filled contour bands with 1-pixel isolines; z[0] is the bottom row."""
    z = np.nan_to_num(z, nan=np.nanmax(z))
    t = (z - z.min()) / ((z.max() - z.min()) or 1.0)
    band = np.minimum((t * levels).astype(int), levels - 1)  # (m, n) band index
    rgb = _colorize((band + 0.5) / levels)
    edge = np.zeros(band.shape, dtype=bool)  # a pixel whose band differs from its left or lower neighbour
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    rgb[edge] = (0.5 * rgb[edge] + 0.5 * LINE_RGB).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgb[::-1]).save(buffer, format="PNG")  # image rows run top-down
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _hover_grid(grid: Grid, log: bool) -> go.Scatter:
    """Invisible points on a coarse grid: hover shows the loss, and their colour scale draws the colour bar."""
    xs, ys, z = grid
    rows = np.linspace(0, len(ys) - 1, HOVER_POINTS).round().astype(int)
    cols = np.linspace(0, len(xs) - 1, HOVER_POINTS).round().astype(int)
    gx, gy = np.meshgrid(xs[cols], ys[rows])
    loss = z[np.ix_(rows, cols)]
    shown = display_z(z, log)
    return go.Scatter(
        x=gx.ravel(), y=gy.ravel(), customdata=loss.ravel(), mode="markers", showlegend=False, name="surface",
        marker=dict(size=10, opacity=0, color=display_z(loss, log).ravel(), cmin=float(shown.min()), cmax=float(shown.max()),
                    colorscale=SURFACE_COLORS, showscale=True,
                    colorbar=dict(title=dict(text="log10 loss" if log else "loss", side="right"), thickness=12, len=0.9)),
        hovertemplate="(%{x:.3g}, %{y:.3g})<br>loss %{customdata:.4g}<extra></extra>",
    )


def contour_figure(result: RaceResult, grid: Grid, height: int = 620) -> go.Figure:
    """Contour of the surface with every optimizer's path; frames scrub through the steps.

    The figure opens on the last step (full paths); Play or the slider replays the race. Frames
    carry only x / y / customdata, with paths thinned to FRAME_POINTS, so the JSON stays small.
    A fine grid (a few hundred points per axis) gives smooth isolines.
    """
    xs, ys, z = grid
    log = result.surface.log_scale
    tracks = result.tracks
    heads = go.Scatter(**_heads(tracks, result.steps), mode="markers", showlegend=False, hoverinfo="skip")
    data = [_hover_grid(grid, log), *_landmarks(result), *(_path_trace(n, t) for n, t in tracks.items()), heads]
    moving = list(range(len(data) - len(tracks) - 1, len(data)))  # the path traces and the heads
    steps = frame_steps(result.steps)
    frames = [  # plain dicts: validated once by go.Figure instead of once per go.Frame and again on assignment
        dict(name=str(k), traces=moving,
             data=[dict(type="scatter", **_path_xy(t, k, FRAME_POINTS)) for t in tracks.values()]
             + [dict(type="scatter", **_heads(tracks, k))])
        for k in steps
    ]
    fig = go.Figure(data, frames=frames)
    background = dict(source=contour_image(display_z(z, log)), xref="x", yref="y", x=xs[0], y=ys[-1],
                      sizex=xs[-1] - xs[0], sizey=ys[-1] - ys[0], sizing="stretch", layer="below")
    (x0, x1), (y0, y1) = view_ranges(result)
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=40, b=120), uirevision=result.surface.name, images=[background],
        xaxis=dict(range=[x0, x1], title=dict(text="x", standoff=4), showgrid=False, zeroline=False),
        yaxis=dict(range=[y0, y1], title="y", showgrid=False, zeroline=False),
        legend=dict(orientation="h", x=0, y=1.01, xanchor="left", yanchor="bottom"), hovermode="closest",
        **_animation_controls(steps),
    )
    return fig


def _in_view(path: np.ndarray, view: tuple) -> np.ndarray:
    """(n,) True where the point lies inside the view box; 3-D plots do not clip to axis ranges."""
    (x0, x1), (y0, y1) = view
    return (path[:, 0] >= x0) & (path[:, 0] <= x1) & (path[:, 1] >= y0) & (path[:, 1] <= y1)


def surface_figure(result: RaceResult, grid: Grid, height: int = 620) -> go.Figure:
    """3-D surface with each path lifted onto it (height = the same loss scale as the contour)."""
    xs, ys, z = grid
    log = result.surface.log_scale
    zs = display_z(z, log)
    lift = 0.02 * (zs.max() - zs.min())  # draw paths just above the surface so it does not hide them
    view = ((xs[0], xs[-1]), (ys[0], ys[-1]))
    traces = [go.Surface(x=xs, y=ys, z=zs, colorscale=SURFACE_COLORS, opacity=0.8, showscale=False,
                         contours=dict(z=dict(show=True, color="#8a94a8", width=1)), hoverinfo="skip")]
    for name, track in result.tracks.items():
        inside = _in_view(track.path, view)
        h = np.where(inside, display_z(track.losses, log) + lift, np.nan)  # NaN breaks the line outside the box
        traces.append(go.Scatter3d(
            x=track.path[:, 0], y=track.path[:, 1], z=h, mode="lines+markers", name=label(name, track),
            line=dict(color=COLORS[name], width=5), marker=dict(size=2, color=COLORS[name]),
            customdata=np.arange(len(track.path)), hovertemplate=f"{name} step %{{customdata}}<extra></extra>",
        ))
    fig = go.Figure(traces)
    fig.update_layout(
        height=height, margin=dict(l=0, r=0, t=30, b=0), uirevision=result.surface.name,
        legend=dict(orientation="h", x=0, y=1.0, xanchor="left", yanchor="bottom"),
        scene=dict(xaxis=dict(title="x", range=list(view[0])), yaxis=dict(title="y", range=list(view[1])),
                   zaxis=dict(title="log10 loss" if log else "loss", range=[float(zs.min()), float(zs.max() + 2 * lift)]),
                   camera=dict(eye=dict(x=-1.1, y=-1.5, z=1.7)), aspectmode="manual", aspectratio=dict(x=1, y=1, z=0.6)),
    )
    return fig


def symlog(v: np.ndarray) -> np.ndarray:
    """sign(v) * log10(1 + |v|): log-like on both sides of 0, for losses unbounded below (the saddle)."""
    return np.sign(v) * np.log10(1 + np.abs(v))


def _symlog_ticks(low: float, high: float) -> dict:
    """Tick positions at 0 and +-10^k inside [low, high] (in symlog units), labelled with the real value."""
    values = [0.0] + [sign * 10.0**k for k in range(0, 13) for sign in (1, -1)]
    shown = sorted(v for v in values if low - 1e-9 <= symlog(np.array(v)) <= high + 1e-9)
    text = [f"{v:.0e}".replace("e+0", "e") if abs(v) >= 1e3 else f"{v:g}" for v in shown]  # -1e4, -100, 0, 1
    return dict(tickvals=[float(symlog(np.array(v))) for v in shown], ticktext=text)


def _y_scale(result: RaceResult, values: np.ndarray) -> str:
    """log for positive losses on log-scaled surfaces; symlog when losses run far below 0; else linear."""
    if result.surface.log_scale and bool(np.all(values > 0)):
        return "log"
    if values.min() < 0 and values.max() - values.min() > 1e3:
        return "symlog"
    return "linear"


def loss_figure(result: RaceResult, height: int = 380) -> go.Figure:
    """Loss against step for every optimizer; diverged runs end in an X labelled with the step."""
    losses = np.concatenate([t.losses for t in result.tracks.values()])
    scale = _y_scale(result, losses)
    shown = symlog if scale == "symlog" else (lambda v: v)
    fig = go.Figure()
    for name, track in result.tracks.items():
        fig.add_trace(go.Scatter(
            x=np.arange(len(track.losses)), y=shown(track.losses), customdata=track.losses, mode="lines",
            name=label(name, track), line=dict(color=COLORS[name], width=2),
            hovertemplate=f"{name} step %{{x}}<br>loss %{{customdata:.4g}}<extra></extra>",
        ))
        if track.diverged_at is not None:
            fig.add_trace(go.Scatter(
                x=[len(track.losses) - 1], y=shown(track.losses[-1:]), mode="markers+text", showlegend=False,
                marker=dict(symbol="x", size=12, color=COLORS[name]), text=[f"diverged at step {track.diverged_at}"],
                textposition="middle left", hoverinfo="skip",
            ))
    yaxis = dict(title="loss", type="log" if scale == "log" else "linear", exponentformat="power")
    if scale == "log":  # don't let a run that converged to 1e-70 squash every other curve
        top = np.log10(losses.max())
        bottom = max(np.log10(losses.min()), top - 20) - 0.3
        yaxis.update(range=[bottom, top + 0.3], dtick=1 if top - bottom < 8 else 2)  # whole decades only
    elif scale == "symlog":
        low, high = float(symlog(losses.min())), float(symlog(losses.max()))
        yaxis.update(title="loss (symmetric log scale)", **_symlog_ticks(low, high))
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=40, b=40), xaxis=dict(title="step"), yaxis=yaxis,
        legend=dict(orientation="h", x=0, y=1.01, xanchor="left", yanchor="bottom"),
    )
    return fig


def step_figure(result: RaceResult, height: int = 380) -> go.Figure:
    """Length of each step (log y): how far each update actually moves the point."""
    fig = go.Figure()
    for name, track in result.tracks.items():
        lengths = track.step_lengths  # (n,)
        fig.add_trace(go.Scatter(
            x=np.arange(1, len(lengths) + 1), y=np.where(lengths > 0, lengths, np.nan), mode="lines",
            name=label(name, track), line=dict(color=COLORS[name], width=2),
            hovertemplate=f"{name} step %{{x}}<br>length %{{y:.3g}}<extra></extra>",
        ))
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=40, b=40), xaxis=dict(title="step"),
        yaxis=dict(title="step length |Δ(x, y)|", type="log", exponentformat="power"),
        legend=dict(orientation="h", x=0, y=1.01, xanchor="left", yanchor="bottom"),
    )
    return fig
