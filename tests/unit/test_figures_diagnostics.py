"""Figure builders of the diagnostics: gradient flow, LR range test, loss landscape (traces, axes, scales, colours)."""
import numpy as np
import pytest

from playground.diagnostics.gradflow import GradFlowHistory, GradFlowStats
from playground.figures.gradflow import HEALTHY_RATIO, decade_range, gradflow_figure, gradflow_history_figure
from playground.figures.landscape import slice_figure, surface_figure, trajectory_plane_figure
from playground.figures.lr_finder import SUGGEST_COLOUR, lr_finder_figure
from playground.landscape import PlaneResult, SliceResult
from playground.lr_finder import LRFinderResult


def _gradflow(grad_norm, update_ratio, epochs=3) -> GradFlowStats:
    L = len(grad_norm)
    layers = tuple(f"{i} sigmoid" for i in range(1, L)) + ("output",)
    history = GradFlowHistory(np.arange(1, epochs + 1), np.tile(grad_norm, (epochs, 1)), np.tile(update_ratio, (epochs, 1)))
    return GradFlowStats(layers=layers, activations=("Sigmoid",) * (L - 1) + ("",), loss=0.5, weight_norm=np.ones(L),
                         grad_norm=np.asarray(grad_norm, float), dead=np.full(L, np.nan),
                         saturation=np.linspace(0, 1, L), update_ratio=np.asarray(update_ratio, float), epoch=epochs,
                         history=history)  # fmt: skip


def test_gradient_bars_one_per_layer_on_log_axes_that_start_at_the_data():
    stats = _gradflow([2e-8, 3e-6, 1e-2], [1e-8, 1e-6, 1e-4])
    fig = gradflow_figure(stats)
    assert [len(t.x) for t in fig.data] == [3, 3, 3, 3]  # grad, update, dead, saturated
    assert fig.layout.yaxis.type == "log" and tuple(fig.layout.yaxis.range) == (-8.0, -2.0)
    assert tuple(fig.layout.yaxis2.range) == (-8.0, -3.0)  # up to the dashed 1e-3 guide, not beyond
    assert fig.layout.yaxis3.range == (0, 1)
    assert stats.vanishing_ratio == pytest.approx(2e-6)


def test_a_log_axis_of_one_decade_has_two_labelled_ticks_not_nine():
    lo, hi = decade_range(np.array([2e-3, 7e-3]))
    assert (lo, hi) == (-3.0, -2.0)
    axis = gradflow_figure(_gradflow([2e-3, 5e-3, 7e-3], [HEALTHY_RATIO] * 3)).layout.yaxis
    assert axis.dtick == 1 and tuple(axis.range) == (-3.0, -2.0)


def test_wide_log_axes_label_every_few_decades():
    axis = gradflow_figure(_gradflow([1e-10, 1e-5, 1e-1], [1e-4] * 3)).layout.yaxis
    assert (axis.range[1] - axis.range[0]) / axis.dtick <= 5


def test_history_has_one_line_per_layer_and_a_legend_that_needs_no_scroll():
    stats = _gradflow(list(np.logspace(-9, -1, 9)), [1e-4] * 9, epochs=4)
    fig = gradflow_history_figure(stats)
    assert [t.name for t in fig.data] == list(stats.layers) and all(len(t.x) == 4 for t in fig.data)
    assert fig.layout.legend.orientation == "h" and fig.layout.yaxis.type == "log"
    opacities = [float(t.line.color.rsplit(",", 1)[1].rstrip(")")) for t in fig.data]
    assert opacities == sorted(opacities, reverse=True)  # first layer darkest, output lightest


def _lr_result(suggested=1e-2) -> LRFinderResult:
    lrs = np.geomspace(1e-6, 10, 50)
    smooth = 1.0 - 0.8 / (1 + np.exp(-2 * (np.log10(lrs) + 2)))
    return LRFinderResult(lrs=lrs, losses=smooth + 0.01, smoothed=smooth, suggested_lr=suggested, drop=0.8, start_lr=1e-6,
                          end_lr=10.0, num_steps=50, stopped_early=False, message="ran all 50 steps")  # fmt: skip


def test_lr_finder_log_x_and_the_suggestion_as_a_dot_on_the_smoothed_curve():
    result = _lr_result()
    fig = lr_finder_figure(result, current_lr=0.3)
    assert fig.layout.xaxis.type == "log"
    raw, smooth, dot = fig.data
    assert dot.marker.color == SUGGEST_COLOUR and dot.x == (result.suggested_lr,)
    assert dot.y[0] == result.suggested_loss and dot.y[0] in smooth.y
    assert {s.x0 for s in fig.layout.shapes} == {result.suggested_lr, 0.3}  # suggested and current lr lines


def test_lr_finder_without_a_suggestion_draws_no_dot():
    fig = lr_finder_figure(_lr_result(suggested=None))
    assert len(fig.data) == 2 and not fig.layout.shapes


def test_trajectory_plane_contour_path_start_and_end():
    xs = ys = np.linspace(-1, 1, 5)
    path = np.array([[0.8, 0.6], [0.3, 0.2], [0.0, 0.0]])
    r = PlaneResult(xs, ys, np.exp(np.add.outer(ys**2, xs**2)), path, np.array([0, 10, 20]), np.array([0.9, 0.08]),
                    1.0, 7, 100, 50, 0.1)  # fmt: skip
    fig = trajectory_plane_figure(r)
    assert [t.type for t in fig.data] == ["contour", "scatter", "scatter", "scatter"]
    assert list(fig.data[1].x) == list(path[:, 0]) and fig.data[3].x == (0.0,)  # the path ends at the current weights
    assert fig.layout.yaxis.scaleanchor == "x"  # both directions are unit vectors: equal scales


def test_slice_and_surface_mark_the_current_weights():
    a = np.linspace(-1, 1, 9)
    line = SliceResult((a,), 1 + a**2, 1.0, 3, 100, 50, 0.1)
    fig = slice_figure(line)
    assert fig.data[0].x is not None and fig.data[1].x == (0.0,) and fig.data[1].y == (1.0,)
    surface = SliceResult((a, a), 1 + np.add.outer(a**2, a**2), 1.0, 3, 100, 50, 0.1)
    assert surface.dims == 2
    assert surface_figure(surface, "contour").data[0].type == "contour"
    assert surface_figure(surface, "surface").data[0].type == "surface"
