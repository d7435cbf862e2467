"""A state_dict as bytes and back: safetensors when it is installed, else ``torch.save`` of plain tensors.

Loading never unpickles: safetensors is a plain tensor format, and the fallback is read with
``torch.load(weights_only=True)``, which refuses anything but tensors and containers. torch is
imported here lazily, so listing runs (the CLI, the Compare page) never loads it.
"""
from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

SAFETENSORS, TORCH = "safetensors", "torch"


def _has_safetensors() -> bool:
    try:
        import safetensors.torch  # noqa: F401
    except ImportError:
        return False
    return True


def dump(state: dict[str, "torch.Tensor"]) -> tuple[str, bytes]:
    """(format, bytes) of a state_dict; tensors are copied to the CPU, contiguous, detached."""
    plain = {name: t.detach().to("cpu").contiguous() for name, t in state.items()}
    if _has_safetensors():
        from safetensors.torch import save

        return SAFETENSORS, save(plain)
    import torch

    buffer = io.BytesIO()
    torch.save(plain, buffer)
    return TORCH, buffer.getvalue()


def load(fmt: str, data: bytes) -> dict[str, "torch.Tensor"]:
    """The state_dict (CPU tensors) that ``dump`` wrote; raises ValueError for an unknown format."""
    if fmt == SAFETENSORS:
        from safetensors.torch import load as load_safetensors

        return load_safetensors(bytes(data))
    if fmt == TORCH:
        import torch

        return torch.load(io.BytesIO(bytes(data)), map_location="cpu", weights_only=True)
    raise ValueError(f"weights format == {fmt!r}, must be one of {(SAFETENSORS, TORCH)}.")
