"""Race figures: one trace per optimizer in every chart, in one colour everywhere; axes from
``view_ranges``; log axes where the surface or the losses call for them; a diverged path stops
where it diverged. Races are small real runs, or hand-made tracks where a test needs a given path.
"""
import numpy as np
import pytest

from playground.figures.race import (
    COLORS,
    ZOOM_OUT,
    contour_figure,
    display_z,
    frame_steps,
    loss_figure,
    step_figure,
    surface_figure,
    symlog,
    view_ranges,
)
from playground.race import PRESETS, OptimizerSettings, RaceResult, Track, run_race
from playground.surfaces import SURFACES, loss_at, surface_grid


def grid(result: RaceResult, n: int = 21):
    """xs (n,), ys (n,), z (n, n) over the figure's view, as the page computes it (coarser)."""
    return surface_grid(result.surface, *view_ranges(result), n=n)


def hand_made(surface_name: str, paths: dict[str, list], diverged: dict[str, int] | None = None) -> RaceResult:
    """A RaceResult whose tracks follow the given (k, 2) paths exactly."""
    surface = SURFACES[surface_name]
    tracks = {}
    for name, path in paths.items():
        xy = np.asarray(path, dtype=float)
        tracks[name] = Track(xy, loss_at(surface, xy), (diverged or {}).get(name))
    steps = max(len(p) for p in paths.values()) - 1
    start = tuple(np.asarray(next(iter(paths.values())))[0])
    return RaceResult(surface, start, steps, {n: OptimizerSettings(0.1) for n in paths}, tracks)


BUILDERS = {
    "contour": lambda r: contour_figure(r, grid(r)),
    "surface": lambda r: surface_figure(r, grid(r)),
    "loss": loss_figure,
    "step": step_figure,
}


def paths(fig) -> dict:
    """Optimizer name -> its trace: the traces whose legend name starts with an optimizer's name."""
    return {t.name.split(" ")[0]: t for t in fig.data if (t.name or "").split(" ")[0] in COLORS}


def colour(trace) -> str:
    return trace.line.color


@pytest.fixture(scope="module")
def three() -> RaceResult:
    s = SURFACES["rosenbrock"]
    settings = {"sgd": OptimizerSettings(0.001), "momentum": OptimizerSettings(0.001), "adam": OptimizerSettings(0.1)}
    return run_race(s, settings, s.start, 60)


@pytest.fixture(scope="module")
def diverged() -> RaceResult:
    result = PRESETS["diverge"].run()  # sgd's lr is too large for the bowl; momentum converges
    assert result.tracks["sgd"].diverged_at is not None and result.tracks["momentum"].diverged_at is None
    return result


# ---------------------------------------------------------------- one trace per optimizer, one colour each


@pytest.mark.parametrize("chart", list(BUILDERS))
def test_every_chart_has_one_trace_per_optimizer_in_the_race_order(three, chart):
    fig = BUILDERS[chart](three)
    assert list(paths(fig)) == list(three.tracks)
    assert [t.name for t in paths(fig).values()] == list(three.tracks)  # nothing diverged: plain names


def test_an_optimizer_has_the_same_colour_in_every_chart_and_no_two_share_one(three):
    by_chart = {chart: {n: colour(t) for n, t in paths(build(three)).items()} for chart, build in BUILDERS.items()}
    reference = by_chart["contour"]
    assert all(colours == reference for colours in by_chart.values()), by_chart
    assert len(set(reference.values())) == len(reference)
    heads = contour_figure(three, grid(three)).data[-1]  # where each optimizer is at the shown step
    assert list(heads.marker.color) == list(reference.values())


def test_contour_frames_move_every_path_and_the_heads_step_by_step(three):
    fig = contour_figure(three, grid(three))
    assert [f.name for f in fig.frames] == [str(k) for k in frame_steps(three.steps)]
    path_indices = [i for i, t in enumerate(fig.data) if t in paths(fig).values()]
    for frame in fig.frames:
        assert list(frame.traces) == path_indices + [len(fig.data) - 1]  # the paths, then the heads
        k = int(frame.name)
        for moved, track in zip(frame.data, three.tracks.values()):  # each path runs up to step k
            np.testing.assert_array_equal([moved.x[-1], moved.y[-1]], track.path[k])
            np.testing.assert_array_equal([moved.x[0], moved.y[0]], track.path[0])


# ---------------------------------------------------------------- axes


def test_contour_axes_are_the_view_and_the_contour_image_covers_the_grid(three):
    xs, ys, z = g = grid(three)
    fig = contour_figure(three, g)
    (x0, x1), (y0, y1) = view_ranges(three)
    assert tuple(fig.layout.xaxis.range) == (x0, x1) and tuple(fig.layout.yaxis.range) == (y0, y1)
    image = fig.layout.images[0]
    assert (image.x, image.y, image.sizex, image.sizey) == (xs[0], ys[-1], xs[-1] - xs[0], ys[-1] - ys[0])


def test_the_view_is_the_surface_window_while_every_path_stays_inside_it():
    result = hand_made("bowl", {"sgd": [[-3.5, 1.5], [-1.0, 0.5], [0.0, 0.0]]})
    assert view_ranges(result) == (SURFACES["bowl"].x_range, SURFACES["bowl"].y_range)


def test_the_view_grows_to_show_a_path_that_leaves_the_window_but_only_so_far():
    (lo, hi), (ylo, yhi) = SURFACES["bowl"].x_range, SURFACES["bowl"].y_range
    near = hand_made("bowl", {"sgd": [[-3.5, 1.5], [hi + 1.0, 0.0]]})
    (x0, x1), y_view = view_ranges(near)
    assert x0 == lo and x1 > hi + 1.0 and y_view == (ylo, yhi)  # the point is in sight, with a margin
    far = hand_made("bowl", {"sgd": [[-3.5, 1.5], [1e5, -1e5]]})
    (x0, x1), (y0, y1) = view_ranges(far)  # grown towards the runaway point, but the surface stays readable
    assert x0 == lo and hi < x1 and x1 - x0 <= ZOOM_OUT * (hi - lo)
    assert y1 == yhi and y0 < ylo and y1 - y0 <= ZOOM_OUT * (yhi - ylo)


def test_surface_axes_span_the_grid_and_points_outside_it_are_not_drawn():
    result = hand_made("bowl", {"sgd": [[-3.5, 1.5], [-1.0, 0.5], [50.0, 0.0]]})
    xs, ys, z = g = grid(result)
    scene = surface_figure(result, g).layout.scene
    assert tuple(scene.xaxis.range) == (xs[0], xs[-1]) and tuple(scene.yaxis.range) == (ys[0], ys[-1])
    lifted = paths(surface_figure(result, g))["sgd"].z
    assert np.isfinite(lifted[:2]).all() and np.isnan(lifted[2])  # 3-D axes do not clip: the NaN breaks the line


# ---------------------------------------------------------------- log scales


def test_a_log_scaled_surface_gets_log_colours_heights_and_loss_axis(three):
    assert three.surface.log_scale
    g = grid(three)
    contour = contour_figure(three, g)
    assert contour.data[0].marker.colorbar.title.text == "log10 loss"
    surface = surface_figure(three, g)
    assert surface.layout.scene.zaxis.title.text == "log10 loss"
    np.testing.assert_allclose(surface.data[0].z, display_z(g[2], True))
    assert loss_figure(three).layout.yaxis.type == "log"


def test_a_linear_surface_keeps_linear_axes():
    s = SURFACES["rastrigin"]
    result = run_race(s, {"adam": OptimizerSettings(0.05)}, s.start, 30)
    assert not s.log_scale
    g = grid(result)
    assert contour_figure(result, g).data[0].marker.colorbar.title.text == "loss"
    assert surface_figure(result, g).layout.scene.zaxis.title.text == "loss"
    assert loss_figure(result).layout.yaxis.type == "linear"


def test_losses_far_below_zero_get_a_symmetric_log_axis_labelled_in_real_values():
    result = hand_made("saddle", {"adam": [[1.5, 0.01], [1.0, 1.0], [0.5, 200.0]]})  # loss down to -4e4
    fig = loss_figure(result)
    assert "symmetric log" in fig.layout.yaxis.title.text
    np.testing.assert_allclose(paths(fig)["adam"].y, symlog(result.tracks["adam"].losses))
    ticks = dict(zip(fig.layout.yaxis.ticktext, fig.layout.yaxis.tickvals))
    assert "0" in ticks and "-1e4" in ticks  # decades through the whole range of losses
    for text, position in ticks.items():  # each tick sits where its real value lands on the axis
        assert position == pytest.approx(float(symlog(np.array(float(text)))))


def test_step_lengths_are_on_a_log_axis_and_a_step_that_did_not_move_is_left_out():
    result = hand_made("bowl", {"sgd": [[-3.5, 1.5], [-3.5, 1.5], [-3.0, 1.0]]})
    fig = step_figure(result)
    assert fig.layout.yaxis.type == "log"
    lengths = paths(fig)["sgd"].y
    assert np.isnan(lengths[0]) and lengths[1] == pytest.approx(np.hypot(0.5, 0.5))


# ---------------------------------------------------------------- divergence


def test_a_diverged_path_stops_at_its_divergence_step_in_every_chart(diverged):
    sgd = diverged.tracks["sgd"]
    stop = sgd.diverged_at  # its update at step `stop` left the bounds: points 0 .. stop - 1 are drawn
    for chart, build in BUILDERS.items():
        drawn = paths(build(diverged))
        assert drawn["sgd"].name == f"sgd (diverged at step {stop})", chart
        assert drawn["momentum"].name == "momentum", chart
        per_step = chart == "step"  # the step chart has one length per step taken, not one point per step
        assert len(drawn["sgd"].x) == (stop - 1 if per_step else stop), chart
        assert len(drawn["momentum"].x) == (diverged.steps if per_step else diverged.steps + 1), chart
    contour = paths(BUILDERS["contour"](diverged))
    np.testing.assert_array_equal([contour["sgd"].x[-1], contour["sgd"].y[-1]], sgd.path[-1])
    assert np.isfinite(sgd.path).all()


def test_a_diverged_optimizer_ends_in_an_x_on_the_contour_and_the_loss_curve(diverged):
    stop = diverged.tracks["sgd"].diverged_at
    fig = contour_figure(diverged, grid(diverged))

    def symbols(frame_name: str) -> dict:
        heads = next(f for f in fig.frames if f.name == frame_name).data[-1]
        return dict(zip(diverged.tracks, heads.marker.symbol))

    assert dict(zip(diverged.tracks, fig.data[-1].marker.symbol)) == {"sgd": "x", "momentum": "circle"}
    early = [f.name for f in fig.frames if int(f.name) < stop - 1][-1]
    assert symbols(early) == {"sgd": "circle", "momentum": "circle"}  # still racing before it diverged
    assert symbols(str(diverged.steps)) == {"sgd": "x", "momentum": "circle"}
    marks = [t for t in loss_figure(diverged).data if t.mode == "markers+text"]
    assert len(marks) == 1 and marks[0].marker.color == COLORS["sgd"] and marks[0].marker.symbol == "x"
    assert list(marks[0].x) == [stop - 1] and marks[0].text == (f"diverged at step {stop}",)
