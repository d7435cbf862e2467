"""What the network graph shows of a model: at most K units per layer and the weights between them.

Pure numpy, run in the training process at publish rate. From the Linear layers' weights it picks,
per layer, the K units with the largest outgoing weight norm (the output layer: the K with the
largest incoming norm) and keeps only the weights between picked units, so a 784-512-10 net sends
a few hundred numbers per snapshot instead of 400k. Hidden units may carry a map: their activation
over the boundary's grid (2-D sets), taken from the same forward pass as the boundary.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

K = 12  # units drawn per layer; the rest are counted ("+ 88 more")
MAP_STRIDE = 2  # unit maps keep every 2nd grid point: 100x100 boundary grid -> 50x50 maps
STICKY = 1.25  # a drawn unit stays drawn until another's norm beats its own by 25%: the graph (and a pick) holds still
FINE_MAPS = 24  # more shown hidden units than this get every 4th point (25x25): 8 x 12 maps pickle to ~120 KB, not ~480


@dataclass(frozen=True)
class GraphLayer:
    """One column of the graph: a layer's picked units."""

    name: str  # "input", "hidden 1", ..., "output"
    size: int  # units in the layer
    shown: np.ndarray  # (k,) int64 unit indices drawn, ascending
    labels: tuple[str, ...]  # (k,) one per shown unit: feature name, "h1.7", class name
    activation: str = ""  # the hidden layer's activation; "" for the input and output
    bias: np.ndarray | None = None  # (k,) float32 the shown units' biases; None for the input
    maps: np.ndarray | None = None  # (R', R', k) float16 activation over the input plane, row = y; hidden only

    @property
    def more(self) -> int:
        """Units not drawn."""
        return self.size - len(self.shown)


@dataclass(frozen=True)
class NetworkGraph:
    layers: tuple[GraphLayer, ...]  # input, hidden..., output
    weights: tuple[np.ndarray, ...]  # weights[i]: (k_{i+1}, k_i) float32, layers[i]'s shown units -> layers[i+1]'s
    map_xs: np.ndarray | None = None  # (R',) x coordinates of the unit maps' columns; None without maps
    map_ys: np.ndarray | None = None  # (R',) y coordinates of their rows


def top_k(scores: np.ndarray, k: int = K) -> np.ndarray:
    """Indices of the k largest scores, ascending (ties: the lower index); all of them if k >= len."""
    if len(scores) <= k:
        return np.arange(len(scores))
    order = np.argsort(-scores, kind="stable")[:k]
    return np.sort(order)


def pick_units(weights: Sequence[np.ndarray], k: int = K, previous: Sequence[np.ndarray] | None = None) -> list[np.ndarray]:
    """Per layer (input, hidden..., output), the units to draw.

    ``weights[i]`` is Linear i's (n_{i+1}, n_i) weight. A unit's outgoing norm is the L2 norm of its
    column in the next weight (how much the rest of the net listens to it); output units have none,
    so they rank by their row's (incoming) norm. ``previous``: the last graph's picks, whose scores
    count STICKY times (ties while training would otherwise swap units at every snapshot).
    """
    scores = [np.linalg.norm(W, axis=0) for W in weights] + [np.linalg.norm(weights[-1], axis=1)]
    if previous is not None and len(previous) == len(scores):  # the same net (network_graph checks the sizes)
        return [top_k(_stick(s, p), k) for s, p in zip(scores, previous)]
    return [top_k(s, k) for s in scores]


def _stick(scores: np.ndarray, shown: np.ndarray) -> np.ndarray:
    boosted = scores.copy()
    boosted[shown] *= STICKY
    return boosted


def network_graph(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], input_names: Sequence[str],
                  output_names: Sequence[str], activations: Sequence[str], k: int = K,
                  hidden: Sequence[np.ndarray] | None = None, grid_shape: tuple[int, int] | None = None,
                  xs: np.ndarray | None = None, ys: np.ndarray | None = None,
                  previous: "NetworkGraph | None" = None) -> NetworkGraph:  # fmt: skip
    """The graph of an MLP given as numpy arrays.

    weights[i]: (n_{i+1}, n_i), biases[i]: (n_{i+1},) for each Linear; activations: one per hidden layer.
    hidden (optional): per hidden layer its (R*R, n) activations on the boundary grid of ``grid_shape``
    (R, R) with coordinates xs, ys; each shown unit gets its map, every ``map_stride``-th point.
    previous: the last snapshot's graph of this net (its picks are sticky, see pick_units).
    """
    sizes = [layer.size for layer in previous.layers] if previous is not None else None
    same_net = sizes == [weights[0].shape[1]] + [W.shape[0] for W in weights]
    picked = pick_units(weights, k, [layer.shown for layer in previous.layers] if same_net else None)
    n_hidden = len(weights) - 1
    stride = map_stride(sum(len(p) for p in picked[1:-1]))
    layers = [GraphLayer("input", weights[0].shape[1], picked[0], tuple(input_names[i] for i in picked[0]))]
    for h in range(n_hidden):
        shown = picked[h + 1]
        maps = None if hidden is None else unit_maps(hidden[h], shown, grid_shape, stride)
        layers.append(GraphLayer(f"hidden {h + 1}", weights[h].shape[0], shown, tuple(f"h{h + 1}.{j}" for j in shown),
                                 activations[h], biases[h][shown].astype(np.float32), maps))  # fmt: skip
    out = picked[-1]
    layers.append(GraphLayer("output", weights[-1].shape[0], out, tuple(output_names[i] for i in out),
                             "", biases[-1][out].astype(np.float32)))  # fmt: skip
    sub = tuple(W[np.ix_(picked[i + 1], picked[i])].astype(np.float32) for i, W in enumerate(weights))
    with_maps = hidden is not None and n_hidden > 0
    return NetworkGraph(tuple(layers), sub, xs[::stride] if with_maps else None,
                        ys[::stride] if with_maps else None)  # fmt: skip


def map_stride(n_maps: int) -> int:
    """Grid points skipped per map row: every MAP_STRIDE-th for a few maps, twice as coarse for many."""
    return MAP_STRIDE if n_maps <= FINE_MAPS else 2 * MAP_STRIDE


def unit_maps(activations: np.ndarray, shown: np.ndarray, grid_shape: tuple[int, int], stride: int = MAP_STRIDE) -> np.ndarray:
    """(R*R, n) activations over the grid (row-major over (y, x)) -> (R', R', k) float16 maps of the shown
    units, every ``stride``-th point."""
    grid = activations.reshape(*grid_shape, -1)[::stride, ::stride]  # (R', R', n) view
    return grid[:, :, shown].astype(np.float16)


def output_names(class_names: Sequence[str], n_outputs: int) -> list[str]:
    """One name per output unit: the class names; one logit for p(class 1) with the BCE head; a
    regression's prediction."""
    if n_outputs == len(class_names):
        return list(class_names)
    if n_outputs == 1:
        return [f"p({class_names[-1]})" if class_names else "prediction"]
    return [f"out {i}" for i in range(n_outputs)]
