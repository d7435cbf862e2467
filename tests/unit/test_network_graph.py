"""The network graph: top-K unit selection, the figure's nodes and edges for several shapes, and the
unit maps against a direct forward pass over the boundary grid."""
import json

import numpy as np
import pytest
import torch

from playground.boundary import make_plane
from playground.config import RunConfig, parse_layers
from playground.datasets import prepare
from playground.figures.network import map_rgb, network_figure, unit_map_figure
from playground.network_graph import K, MAP_STRIDE, map_stride, network_graph, output_names, pick_units, top_k
from playground.stream import boundary_and_graph, boundary_grid, plane_points
from playground.trainer import Trainer


def random_mlp(sizes, seed=0):
    """Weights (out, in) and biases of an MLP with layer sizes ``sizes`` (input first)."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(b, a)).astype(np.float32) for a, b in zip(sizes, sizes[1:])]
    return weights, [rng.normal(size=b).astype(np.float32) for b in sizes[1:]]


def graph_for(sizes, seed=0):
    weights, biases = random_mlp(sizes, seed)
    return network_graph(weights, biases, [f"f{i}" for i in range(sizes[0])], [f"c{i}" for i in range(sizes[-1])],
                         ["relu"] * (len(sizes) - 2))  # fmt: skip


def test_top_k_keeps_the_largest_scores_in_ascending_index_order():
    scores = np.array([0.1, 5.0, 0.3, 5.0, 2.0, 0.0])
    assert top_k(scores, 3).tolist() == [1, 3, 4]
    assert top_k(scores, 2).tolist() == [1, 3]  # a tie keeps the lower index first
    assert top_k(scores, 10).tolist() == list(range(6))


def test_units_are_picked_by_outgoing_weight_norm_and_outputs_by_incoming():
    W1 = np.zeros((20, 2), np.float32)
    W2 = np.zeros((3, 20), np.float32)
    loud = [2, 5, 7, 11, 13, 14, 15, 16, 17, 18, 19, 0]  # 12 hidden units the output listens to
    W2[:, loud] = np.arange(1, 13, dtype=np.float32)
    picked = pick_units([W1, W2], k=12)
    assert picked[0].tolist() == [0, 1] and picked[2].tolist() == [0, 1, 2]
    assert picked[1].tolist() == sorted(loud)
    picked = pick_units([W1, W2], k=3)  # the three loudest: columns scaled 10, 11, 12
    assert picked[1].tolist() == sorted(loud[-3:])


def test_drawn_units_stay_drawn_until_another_clearly_outweighs_them():
    W1 = np.zeros((4, 2), np.float32)
    W2 = np.array([[1.0, 1.1, 2.0, 0.5]], np.float32)  # hidden units' outgoing norms
    assert pick_units([W1, W2], k=2)[1].tolist() == [1, 2]
    previous = [np.array([0, 1]), np.array([0, 2]), np.array([0])]
    assert pick_units([W1, W2], k=2, previous=previous)[1].tolist() == [0, 2]  # 1.0 * 1.25 beats 1.1
    W2[0, 1] = 1.3  # now 25% more than unit 0's
    assert pick_units([W1, W2], k=2, previous=previous)[1].tolist() == [1, 2]
    weights, biases = [W1, W2], [np.zeros(4, np.float32), np.zeros(1, np.float32)]
    first = network_graph(weights, biases, ["a", "b"], ["o"], ["relu"], k=2)
    again = network_graph(weights, biases, ["a", "b"], ["o"], ["relu"], k=2, previous=first)
    assert again.layers[1].shown.tolist() == first.layers[1].shown.tolist() == [1, 2]


@pytest.mark.parametrize("sizes", [(2, 100, 3), (2, 8, 1), (13, 8, 8, 3), (784, 512, 10), (2,) + (16,) * 8 + (3,)])
def test_the_figure_has_a_node_per_shown_unit_and_an_edge_per_pair_of_them(sizes):
    graph = graph_for(sizes)
    shown = [min(K, n) for n in sizes]
    assert [len(layer.shown) for layer in graph.layers] == shown
    assert [w.shape for w in graph.weights] == list(zip(shown[1:], shown[:-1]))
    fig = json.loads(network_figure(graph).to_json())
    nodes = next(t for t in fig["data"] if t.get("name") == "units")
    assert len(nodes["x"]) == sum(shown)
    edge_points = sum(len(t["x"]) for t in fig["data"] if t["mode"] == "lines")
    n_edges = sum(a * b for a, b in zip(shown, shown[1:]))
    assert edge_points == 3 * n_edges  # (from, to, gap) per edge
    hover = next(t for t in fig["data"] if t["mode"] == "markers" and t.get("hoverinfo") == "text" and "name" not in t)
    assert len(hover["hovertext"]) == n_edges
    mores = [a["text"].replace("<br>", " ") for a in fig["layout"]["annotations"] if "more" in a["text"]]
    assert mores == [f"+ {n - K} more" for n in sizes if n > K]
    assert "images" not in fig["layout"] or not fig["layout"]["images"]  # no maps given


def test_an_edges_hover_gives_its_weight_and_its_colour_its_sign():
    weights = [np.array([[0.5, -2.0]], np.float32)]
    graph = network_graph(weights, [np.zeros(1, np.float32)], ["x1", "x2"], ["p(class 1)"], [])
    fig = json.loads(network_figure(graph).to_json())
    hover = next(t for t in fig["data"] if t.get("hoverinfo") == "text" and "name" not in t)
    assert hover["hovertext"] == ["x1 → p(class 1)<br>w = +0.5000", "x2 → p(class 1)<br>w = -2.0000"]
    lines = [t for t in fig["data"] if t["mode"] == "lines"]
    widths = {t["line"]["color"].split(",")[0]: t["line"]["width"] for t in lines}
    assert widths["rgba(78"] > widths["rgba(242"]  # blue (negative, |w| = 2) wider than orange (0.5)


def test_output_names_cover_both_binary_heads_and_regression():
    assert output_names(["a", "b"], 2) == ["a", "b"]
    assert output_names(["a", "b"], 1) == ["p(b)"]
    assert output_names([], 1) == ["prediction"]


@pytest.mark.parametrize(("layers", "stride"), [("32:relu:0.5:bn,16:tanh", MAP_STRIDE), ("100:relu", MAP_STRIDE),
                                               ("8:relu,8:relu,8:relu,8:relu", 2 * MAP_STRIDE)])  # 32 maps: coarser
def test_unit_maps_equal_a_direct_forward_pass_on_the_grid(layers, stride):
    cfg = RunConfig(dataset="spiral", n_samples=100, layers=parse_layers(layers), epochs=3, seed=0)
    trainer = Trainer(cfg, prepare(cfg))
    trainer.fit()
    plane = make_plane(trainer.splits.X_train)
    boundary, graph = boundary_and_graph(trainer, plane, plane_points(trainer.splits, plane))
    expected = boundary_grid(trainer, plane, boundary.points)
    np.testing.assert_allclose(boundary.proba, expected.proba, rtol=1e-6, atol=1e-7)  # the same boundary
    model = trainer.model
    model.eval()
    linears = [i for i, m in enumerate(model) if isinstance(m, torch.nn.Linear)]
    R = len(plane.xs)
    assert map_stride(sum(len(layer.shown) for layer in graph.layers[1:-1])) == stride
    with torch.no_grad():
        for h, start in enumerate(linears[1:]):  # hidden layer h's output enters Linear ``start``
            out = model[:start](torch.from_numpy(plane.features)).numpy().reshape(R, R, -1)
            layer = graph.layers[h + 1]
            direct = out[::stride, ::stride][:, :, layer.shown]
            np.testing.assert_allclose(layer.maps.astype(np.float32), direct, rtol=2e-3, atol=2e-3)  # float16
    model.train()
    np.testing.assert_array_equal(graph.map_xs, plane.xs[::stride])
    unit = (1, int(graph.layers[1].shown[0]))
    assert unit_map_figure(graph, unit) is not None and unit_map_figure(graph, (0, 0)) is None


def test_a_pca_plane_set_gets_the_graph_without_maps():
    cfg = RunConfig(dataset="wine", layers=parse_layers("20:relu"), epochs=2, seed=0)
    trainer = Trainer(cfg, prepare(cfg))
    trainer.fit()
    plane = make_plane(trainer.splits.X_train)
    _, graph = boundary_and_graph(trainer, plane, plane_points(trainer.splits, plane))
    assert [layer.size for layer in graph.layers] == [13, 20, 3]
    assert [len(layer.shown) for layer in graph.layers] == [12, 12, 3]
    assert graph.map_xs is None and all(layer.maps is None for layer in graph.layers)
    assert graph.layers[0].labels[0] == trainer.splits.dataset.feature_names[graph.layers[0].shown[0]]


def test_a_map_is_white_at_zero_and_framed():
    rgb = map_rgb(np.array([[0.0, 1.0, -1.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], np.float16))
    assert rgb.shape == (3, 3, 3) and rgb.dtype == np.uint8
    big = map_rgb(np.zeros((6, 6)))
    assert (big[2:4, 2:4] == 255).all() and (big[0] == big[0, 0]).all() and big[0, 0, 0] < 200


def test_the_lean_figures_equal_their_validated_build():
    """lean_figure skips plotly's validation: a validated rebuild must accept every property."""
    import plotly.graph_objects as go
    import plotly.io as pio

    cfg = RunConfig(dataset="spiral", n_samples=60, layers=parse_layers("20:relu,4:tanh"), epochs=1, seed=0)
    trainer = Trainer(cfg, prepare(cfg))
    plane = make_plane(trainer.splits.X_train)
    boundary, graph = boundary_and_graph(trainer, plane, plane_points(trainer.splits, plane))
    node = (1, int(graph.layers[1].shown[0]))
    figures = [network_figure(graph, selected=node, highlight_nodes=(node,), highlight_edges=((0, node[1], 0),),
                              node_text={node: "0.5"}, edge_text={(0, node[1], 0): "w"}, title="t"),
               unit_map_figure(graph, node), unit_map_figure(graph, node, points=boundary.points, n_classes=3)]  # fmt: skip
    for fig in figures:
        validated = go.Figure(fig.to_dict())  # raises ValueError on an invalid property
        assert json.loads(pio.to_json(fig, validate=False)) == json.loads(pio.to_json(validated, validate=False))
