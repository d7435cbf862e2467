"""Device and thread-count policy shared by the trainer, the CLI and the benchmarks."""
from __future__ import annotations

import os

import torch

# Measured on 2 cores: one intra-op thread is as fast or faster for the small 2-D nets;
# MNIST-size nets (hundreds of thousands of weights) want two.
SMALL_MODEL_PARAMS = 50_000


def resolve_device(name: str) -> torch.device:
    """'auto' -> cuda when available, else cpu. 'cuda' without a GPU raises with a clear message."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("device == 'cuda', but no CUDA GPU is available; use 'auto' or 'cpu'")
    return torch.device(name)


def threads_for(n_params: int) -> int:
    return 1 if n_params < SMALL_MODEL_PARAMS else max(1, min(2, os.cpu_count() or 1))
