"""Model files: one safetensors file with a run's config, its weights and its feature scaling.

    data = to_bytes(cfg, trainer.model.state_dict(), splits.scaler, splits.n_features)  # download, --save
    mf = read(data)                    # ModelFile, or BadModelFile saying why not (never unpickles)
    load_into(trainer, mf)             # the weights into a Trainer built for mf.cfg (or a compatible one)

Layout: tensors ``model.<state_dict key>`` (float32, as trained) and ``scaler.scale`` / ``scaler.offset`` /
``scaler.fill`` (float64, (d,): raw row -> ``fill NaN, * scale + offset`` -> model input, followed for a 2-D set
by the config's feature crosses, ``with_crosses(x, cfg.crosses)``; ``n_features`` counts them). The header's
metadata (strings) holds ``format``, ``version``, the config as a URL query (``query``, the same text as
a Playground link), ``n_features`` and ``sha256``: the hash of the tensor bytes, so a flipped byte in
the weights is a corrupted file and not a silently different model.

Reading needs numpy only (``safetensors.numpy``): the page checks an upload before any torch work.
"""
from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode

import numpy as np

from playground.config import FIELDS, ConfigError, RunConfig, format_layers, parse_value, to_query
from playground.datasets.crosses import cross_names
from playground.datasets.scaler import Scaler

if TYPE_CHECKING:
    import torch

FORMAT = "playground-model"  # metadata "format": what makes a safetensors file one of ours
VERSION = "1"
MAX_BYTES = 20 * 1024 * 1024  # .streamlit/config.toml maxUploadSize = 20 (MB); the CLI and page check it too
MODEL, SCALER = "model.", "scaler."


class BadModelFile(ValueError):
    """Not a model file, a corrupted one, or one whose network does not fit the data; the message says which."""


@dataclass(frozen=True)
class ModelFile:
    cfg: RunConfig  # the config it was trained with (its query string, parsed)
    state: dict[str, np.ndarray]  # state_dict key -> array
    scaler: Scaler | None  # the training rows' feature scaling
    n_features: int  # inputs of its first layer
    warnings: tuple[str, ...] = ()  # query keys this version does not know (ignored)

    @property
    def query(self) -> str:
        return urlencode(to_query(self.cfg))

    def torch_state(self) -> dict[str, "torch.Tensor"]:
        import torch

        return {k: torch.from_numpy(np.array(v)) for k, v in self.state.items()}


# ------------------------------------------------------------------ writing


def to_bytes(cfg: RunConfig, state: dict[str, "torch.Tensor"], scaler: Scaler | None, n_features: int) -> bytes:
    """The model file of a run: config, weights (copied to the CPU) and scaling."""
    import torch
    from safetensors.torch import save

    tensors = {MODEL + k: v.detach().to("cpu").contiguous() for k, v in state.items()}
    if scaler is not None:
        parts = {"scale": scaler.scale, "offset": scaler.offset, "fill": scaler.fill}
        tensors.update({SCALER + k: torch.as_tensor(np.asarray(v, dtype=np.float64)) for k, v in parts.items() if v is not None})
    meta = {"format": FORMAT, "version": VERSION, "query": urlencode(to_query(cfg)), "n_features": str(n_features)}
    body = _body(save(tensors, metadata=meta))  # the tensor bytes do not depend on the metadata
    return save(tensors, metadata={**meta, "sha256": hashlib.sha256(body).hexdigest()})


def _header(data: bytes) -> tuple[dict, int]:
    """(header JSON, where the tensor bytes start); BadModelFile when there is no safetensors header."""
    if len(data) < 8:
        raise BadModelFile(f"not a model file: {len(data)} bytes, too short to hold a header")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8 or n > 100_000_000:
        raise BadModelFile("not a model file: it does not start with a safetensors header")
    try:
        header = json.loads(data[8 : 8 + n])
    except (UnicodeDecodeError, ValueError):
        raise BadModelFile("not a model file: its header is not safetensors JSON") from None
    if not isinstance(header, dict):
        raise BadModelFile("not a model file: its header is not safetensors JSON")
    return header, 8 + n


def _body(data: bytes) -> bytes:
    return data[_header(data)[1] :]


# ------------------------------------------------------------------ reading


def read(data: bytes) -> ModelFile:
    """Parse and check a model file's bytes (numpy only). Raises BadModelFile naming the problem."""
    if len(data) > MAX_BYTES:
        raise BadModelFile(f"file size == {len(data) / 2**20:.1f} MB, must be <= {MAX_BYTES // 2**20} MB")
    header, start = _header(data)
    meta = header.get("__metadata__") or {}
    if meta.get("format") != FORMAT:
        raise BadModelFile(f"not a model file: a safetensors file without format == {FORMAT!r} in its metadata")
    if meta.get("version") != VERSION:
        raise BadModelFile(f"model file version == {meta.get('version')!r}, must be {VERSION!r}")
    if hashlib.sha256(data[start:]).hexdigest() != meta.get("sha256"):
        raise BadModelFile("corrupted model file: its weights do not match their checksum (truncated or altered)")
    from safetensors.numpy import load

    try:
        arrays = load(bytes(data))
    except Exception as err:  # safetensors' own error type: offsets outside the file, bad dtypes
        raise BadModelFile(f"corrupted model file: {err}") from None
    cfg, warnings = _config(meta.get("query", ""))
    state = {k[len(MODEL) :]: v for k, v in arrays.items() if k.startswith(MODEL)}
    if not state:
        raise BadModelFile("corrupted model file: it holds no weights")
    try:
        n_features = int(meta.get("n_features", ""))
    except ValueError:
        raise BadModelFile(f"corrupted model file: n_features == {meta.get('n_features')!r}") from None
    return ModelFile(cfg, state, _scaler(arrays), n_features, tuple(warnings))


def _config(query: str) -> tuple[RunConfig, list[str]]:
    """The file's config, strictly: a bad value refuses the file (a link keeps the default instead)."""
    values, warnings = {}, []
    for name, text in parse_qsl(query, keep_blank_values=True):
        if name not in FIELDS:
            warnings.append(f"the model file's setting {name}={text!r} is unknown here and was ignored")
            continue
        values[name] = text
    try:
        ordered = {n: parse_value(n, values[n]) for n in FIELDS if n in values}
        return RunConfig(**ordered), warnings
    except ConfigError as err:
        raise BadModelFile(f"corrupted model file: its config is invalid ({err})") from None


def _scaler(arrays: dict[str, np.ndarray]) -> Scaler | None:
    if SCALER + "scale" not in arrays:
        return None
    return Scaler(arrays[SCALER + "scale"], arrays[SCALER + "offset"], arrays.get(SCALER + "fill"))


# ------------------------------------------------------------------ fitting a network


def expected_shapes(n_in: int, layers, n_out: int) -> dict[str, tuple[int, ...]]:
    """The state_dict shapes ``build_mlp(n_in, layers, n_out)`` has, without torch (the page checks a loaded
    file against its chosen data in its script thread). Keys follow the Sequential's indices."""
    shapes, index, width = {}, 0, n_in
    for spec in layers:
        shapes.update({f"{index}.weight": (spec.units, width), f"{index}.bias": (spec.units,)})
        index += 1
        if spec.batchnorm:
            shapes.update({f"{index}.{k}": (spec.units,) for k in ("weight", "bias", "running_mean", "running_var")})
            shapes[f"{index}.num_batches_tracked"] = ()
            index += 1
        index += 1 + (spec.dropout > 0)  # the activation, then Dropout when there is one
        width = spec.units
    shapes.update({f"{index}.weight": (n_out, width), f"{index}.bias": (n_out,)})
    return shapes


def check_fits(mf: ModelFile, shapes: dict[str, tuple[int, ...]], cfg: RunConfig, n_features: int, n_classes: int) -> None:
    """BadModelFile unless the file's weights have exactly the names and ``shapes`` of the network ``cfg`` builds
    for the chosen data (``expected_shapes``, or a built model's state_dict shapes)."""
    what = f"layers {format_layers(cfg.layers) or '(none)'} on {cfg.dataset} ({n_features} features, {n_classes} classes)"
    if mf.n_features != n_features:
        raise BadModelFile(f"wrong architecture for the chosen data: the model file's network takes "
                           f"{mf.n_features} features{_with(mf.cfg)}, {cfg.dataset} has {n_features}{_with(cfg)}")  # fmt: skip
    missing, extra = sorted(set(shapes) - set(mf.state)), sorted(set(mf.state) - set(shapes))
    if missing or extra:
        raise BadModelFile(f"wrong architecture for the chosen data: the model file has weights {extra[:3]} that "
                           f"{what} lacks, and lacks {missing[:3]}")  # fmt: skip
    for name, need in shapes.items():
        have = tuple(mf.state[name].shape)
        if have != tuple(need):
            raise BadModelFile(f"wrong architecture for the chosen data: the model file's {name} has shape "
                               f"{have}, {what} needs {tuple(need)}")  # fmt: skip


def _with(cfg: RunConfig) -> str:
    """`` (with x1², sin x1)``: the feature crosses counted among a 2-D set's features, else ""."""
    return f" (with {', '.join(cross_names(cfg.crosses))})" if cfg.crosses else ""


def load_into(trainer, mf: ModelFile) -> None:
    """Copy the file's weights into ``trainer.model`` (in place: the optimizer keeps its parameters) and make
    them the run's initial weights. BadModelFile when the architectures differ."""
    import copy

    model = trainer.model
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    check_fits(mf, shapes, trainer.cfg, trainer.splits.n_features, trainer.n_classes)
    model.load_state_dict(mf.torch_state())
    trainer.initial_state = copy.deepcopy(model.state_dict())  # the LR range test starts over from these


class InitWeights:
    """A callback (a ``trainer.Callback`` by its methods) that loads a model file's weights as training begins:
    the page's way in (``Runner.start(extra_callbacks=functools.partial(init_weights, data))``)."""

    loads_weights = True  # the runner puts it before every other callback: observers see the loaded start

    def __init__(self, mf: ModelFile):
        self.mf = mf

    def on_train_begin(self, trainer) -> None:
        load_into(trainer, self.mf)

    def on_epoch_end(self, trainer, logs: dict) -> None: ...

    def on_train_end(self, trainer, logs: dict) -> None: ...


def init_weights(data: bytes) -> list[InitWeights]:
    """``[InitWeights]`` from a model file's bytes, built in the training process (it pickles as bytes)."""
    return [InitWeights(read(data))]


def model_bytes(trainer) -> bytes:
    """The model file of a trainer's current weights."""
    splits = trainer.splits
    return to_bytes(trainer.cfg, trainer.model.state_dict(), splits.scaler, splits.n_features)


def with_init(record, data: bytes) -> list:
    """``extra_callbacks`` for a Start from a loaded file: the file's weights, then the run store's recorder
    (``record``: a factory or None). Module-level, so ``functools.partial(with_init, record, data)`` pickles."""
    return [*init_weights(data), *(record() if record is not None else [])]
