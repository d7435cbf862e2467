"""``train --save FILE`` and ``train --init-from FILE``: model files from the command line (playground/model_file.py).

``--init-from``: the file's config is the default setup and the given flags override it; the run starts
from the file's weights, so a flag that changes the network's shapes (units, BatchNorm, a dataset with
other features or classes) is refused naming the mismatch. ``--layers "64:relu:frozen,64:relu"`` with the
file's shapes freezes its first layer and trains the rest.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playground.cli.flags import config_from_args
from playground.config import RunConfig
from playground.model_file import MAX_BYTES, BadModelFile, ModelFile, load_into, model_bytes, read


def add_model_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--save", metavar="FILE", help="write the trained model (config, weights, scaling) to FILE")
    p.add_argument("--init-from", metavar="FILE", dest="init_from",
                   help="start from FILE's weights; its config is the default, flags override compatible fields")  # fmt: skip


def read_file(path: str) -> ModelFile:
    """A model file from disk; BadModelFile (exit 2) when it is missing, too large or not a model file."""
    file = Path(path)
    if not file.is_file():
        raise BadModelFile(f"init_from == {path!r}: no such file")
    if file.stat().st_size > MAX_BYTES:
        raise BadModelFile(f"init_from == {path!r} is {file.stat().st_size / 2**20:.1f} MB, must be <= {MAX_BYTES // 2**20} MB")
    return read(file.read_bytes())


def config_and_init(args: argparse.Namespace) -> tuple[RunConfig, ModelFile | None]:
    """The run's config (over the file's, with ``--init-from``) and the model file to start from."""
    if not getattr(args, "init_from", None):
        return config_from_args(args), None
    mf = read_file(args.init_from)
    return config_from_args(args, base=mf.cfg), mf


def start_from(trainer, mf: ModelFile | None) -> None:
    """Before training: the file's weights into the trainer (BadModelFile on a shape mismatch)."""
    if mf is not None:
        load_into(trainer, mf)


def save_model(args: argparse.Namespace, trainer) -> None:
    """After training: ``--save FILE``, unless the run ended without usable weights (diverged: NaN)."""
    if not getattr(args, "save", None):
        return
    if not trainer.status.has_model:
        print(f"warning: not saved to {args.save}: the run ended {trainer.status} and kept no usable weights",
              file=sys.stderr)
        return
    Path(args.save).write_bytes(model_bytes(trainer))
