"""The backprop walk-through drawn: the network graph with the current stage's place highlighted and
its numbers on the nodes and edges, and the stage's arithmetic written out line by line.

Pure: a ``backprop_walk.Walk`` and a stage index in, a figure (network.network_figure) or markdown
lines out. Layer indices in the graph: 0 = inputs x1, x2; 1 = hidden units; 2 = the output.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.backprop_walk import STAGES, Walk
from playground.figures.network import network_figure
from playground.network_graph import network_graph

TITLES = {
    "input": "1 · Forward: the example enters",
    "hidden_z": "2 · Forward: each hidden unit sums its weighted inputs",
    "hidden_a": "3 · Forward: the activation",
    "output": "4 · Forward: the output",
    "loss": "5 · The loss",
    "grad_output": "6 · Backward: the gradient at the output",
    "grad_w2": "7 · Backward: the output layer's weights",
    "grad_hidden_a": "8 · Backward: the gradient flows back to the hidden units",
    "grad_hidden_z": "9 · Backward: through the activation",
    "grad_w1": "10 · Backward: the first layer's weights",
    "update": "11 · The update: w ← w − lr · ∂L/∂w",
}


def _graph(w: Walk):
    H = len(w.b1)
    return network_graph([w.W1.astype(np.float32), w.W2.astype(np.float32)], [w.b1, w.b2], ["x1", "x2"],
                         ["p(class 1)"], [w.settings.activation], k=H)  # fmt: skip


def _edges(layer: int, W: np.ndarray) -> list[tuple[int, int, int]]:
    return [(layer, o, j) for o, j in np.ndindex(W.shape)]


def _marks(w: Walk, stage: str) -> tuple[tuple, tuple, dict, dict]:
    """(highlighted nodes, highlighted edges, node numbers, edge numbers) for one stage."""
    H = len(w.b1)
    inputs = {(0, i): f"x{i + 1} = {w.x[i]:+.3f}" for i in range(2)}
    hidden_nodes = tuple((1, j) for j in range(H))
    e1, e2 = _edges(0, w.W1), _edges(1, w.W2)
    w1 = {e: f"{w.W1[e[1], e[2]]:+.3f}" for e in e1}
    w2 = {e: f"{w.W2[e[1], e[2]]:+.3f}" for e in e2}
    if stage == "input":
        return ((0, 0), (0, 1)), (), inputs, {}
    if stage == "hidden_z":
        return hidden_nodes, tuple(e1), {**inputs, **{(1, j): f"z = {w.z1[j]:+.3f}" for j in range(H)}}, w1
    if stage == "hidden_a":
        return hidden_nodes, (), {**inputs, **{(1, j): f"a = {w.a1[j]:+.3f}" for j in range(H)}}, {}
    hidden_a = {(1, j): f"a = {w.a1[j]:+.3f}" for j in range(H)}
    if stage == "output":
        return ((2, 0),), tuple(e2), {**hidden_a, (2, 0): f"p = {w.p[0]:.3f}"}, w2
    if stage == "loss":
        return ((2, 0),), (), {(2, 0): f"L = {w.loss:.4f}"}, {}
    if stage == "grad_output":
        return ((2, 0),), (), {(2, 0): f"∂L/∂z = {w.dz2[0]:+.4f}"}, {}
    if stage == "grad_w2":
        return ((2, 0),), tuple(e2), {(2, 0): f"∂L/∂z = {w.dz2[0]:+.4f}"}, {e: f"∂ {w.dW2[e[1], e[2]]:+.4f}" for e in e2}
    if stage == "grad_hidden_a":
        return hidden_nodes, tuple(e2), {(1, j): f"∂L/∂a = {w.da1[j]:+.4f}" for j in range(H)}, w2
    if stage == "grad_hidden_z":
        return hidden_nodes, (), {(1, j): f"∂L/∂z = {w.dz1[j]:+.4f}" for j in range(H)}, {}
    if stage == "grad_w1":
        return hidden_nodes, tuple(e1), {(1, j): f"∂L/∂z = {w.dz1[j]:+.4f}" for j in range(H)}, \
            {e: f"∂ {w.dW1[e[1], e[2]]:+.4f}" for e in e1}  # fmt: skip
    new = {**{e: f"{w.W1_new[e[1], e[2]]:+.3f}" for e in e1}, **{e: f"{w.W2_new[e[1], e[2]]:+.3f}" for e in e2}}
    return (), tuple(e1 + e2), {}, new


def stage_figure(w: Walk, stage: int, height: int = 420) -> go.Figure:
    """The 2-H-1 graph at stage ``stage`` (an index into STAGES)."""
    nodes, edges, node_text, edge_text = _marks(w, STAGES[stage])
    return network_figure(_graph(w), height=height, highlight_nodes=nodes, highlight_edges=edges,
                          node_text=node_text, edge_text=edge_text)  # fmt: skip


def _act_derivative(w: Walk) -> str:
    return {"tanh": "1 − a²", "sigmoid": "a (1 − a)", "relu": "1 if z > 0 else 0"}[w.settings.activation]


def stage_lines(w: Walk, stage: int) -> list[str]:
    """The stage's title and its arithmetic, one markdown line per unit or weight."""
    name = STAGES[stage]
    H, act, lr = len(w.b1), w.settings.activation, w.settings.lr
    lines = [f"**{TITLES[name]}**"]
    if name == "input":
        lines.append(f"The example x = ({w.x[0]:+.3f}, {w.x[1]:+.3f}) has label y = {w.y}; "
                     "the net should output p(class 1) close to y.")  # fmt: skip
    elif name == "hidden_z":
        lines.append("z = w₁·x1 + w₂·x2 + b")
        lines += [f"h1.{j}: z = ({w.W1[j, 0]:+.3f})({w.x[0]:+.3f}) + ({w.W1[j, 1]:+.3f})({w.x[1]:+.3f}) + ({w.b1[j]:+.3f})"
                  f" = **{w.z1[j]:+.4f}**" for j in range(H)]  # fmt: skip
    elif name == "hidden_a":
        lines += [f"h1.{j}: a = {act}({w.z1[j]:+.4f}) = **{w.a1[j]:+.4f}**" for j in range(H)]
    elif name == "output":
        terms = " + ".join(f"({w.W2[0, j]:+.3f})({w.a1[j]:+.3f})" for j in range(H))
        lines.append(f"z = {terms} + ({w.b2[0]:+.3f}) = **{w.z2[0]:+.4f}**")
        lines.append(f"p = sigmoid(z) = 1 / (1 + e^(−z)) = **{w.p[0]:.4f}**")
    elif name == "loss":
        lines.append(f"L = −(y log p + (1 − y) log(1 − p)) with y = {w.y}, p = {w.p[0]:.4f}: L = **{w.loss:.4f}**")
    elif name == "grad_output":
        lines.append(f"For a sigmoid output with this loss, ∂L/∂z = p − y = {w.p[0]:.4f} − {w.y} = **{w.dz2[0]:+.4f}**")
    elif name == "grad_w2":
        lines.append("∂L/∂w = ∂L/∂z · (the input this weight multiplies); ∂L/∂b = ∂L/∂z")
        lines += [f"h1.{j} → out: ∂L/∂w = ({w.dz2[0]:+.4f})({w.a1[j]:+.4f}) = **{w.dW2[0, j]:+.5f}**" for j in range(H)]
        lines.append(f"output bias: ∂L/∂b = **{w.db2[0]:+.5f}**")
    elif name == "grad_hidden_a":
        lines.append("∂L/∂a = (the weight to the output) · ∂L/∂z of the output")
        lines += [f"h1.{j}: ∂L/∂a = ({w.W2[0, j]:+.3f})({w.dz2[0]:+.4f}) = **{w.da1[j]:+.5f}**" for j in range(H)]
    elif name == "grad_hidden_z":
        lines.append(f"∂L/∂z = ∂L/∂a · {act}′(z), and {act}′ = {_act_derivative(w)}")
        lines += [f"h1.{j}: ∂L/∂z = ({w.da1[j]:+.5f}) · {act}′({w.z1[j]:+.3f}) = **{w.dz1[j]:+.5f}**" for j in range(H)]
    elif name == "grad_w1":
        lines.append("∂L/∂w = ∂L/∂z of the hidden unit · the input x it multiplies; ∂L/∂b = ∂L/∂z")
        lines += [f"x{i + 1} → h1.{j}: ∂L/∂w = ({w.dz1[j]:+.5f})({w.x[i]:+.3f}) = **{w.dW1[j, i]:+.5f}**"
                  for j in range(H) for i in range(2)]  # fmt: skip
    else:  # update
        lines.append(f"Every weight and bias moves against its gradient, lr = {lr}:")
        lines += [f"x{i + 1} → h1.{j}: {w.W1[j, i]:+.4f} − {lr} · ({w.dW1[j, i]:+.5f}) = **{w.W1_new[j, i]:+.4f}**"
                  for j in range(H) for i in range(2)]  # fmt: skip
        lines += [f"h1.{j} → out: {w.W2[0, j]:+.4f} − {lr} · ({w.dW2[0, j]:+.5f}) = **{w.W2_new[0, j]:+.4f}**"
                  for j in range(H)]  # fmt: skip
        biases = ", ".join(f"h1.{j} {w.b1[j]:+.4f} → **{w.b1_new[j]:+.4f}**" for j in range(H))
        lines.append(f"biases: {biases}, out {w.b2[0]:+.4f} → **{w.b2_new[0]:+.4f}**")
        lines.append(f"The loss on this example: {w.loss:.4f} before, **{w.loss_after:.4f}** after the step.")
    return lines
