"""The model/data flags shared by every command that builds a run (train, lr-find).

Every RunConfig field is a flag (``--field-name VALUE``), generated from ``config.FIELDS`` and parsed
with the same codecs as the URL, so the CLI, the page and links never drift apart.
"""
from __future__ import annotations

import argparse
from dataclasses import replace

from playground.config import DEFAULT, FIELDS, ConfigError, RunConfig, format_value, parse_value


def add_config_flags(p: argparse.ArgumentParser) -> None:
    """One flag per RunConfig field, plus ``--dropout`` / ``--batchnorm`` shortcuts for every hidden layer."""
    for name, f in FIELDS.items():
        is_bool = f.type == "bool"
        p.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            default=None,  # None = not given: keep RunConfig's default
            metavar="0|1" if is_bool else name.upper(),
            nargs="?" if is_bool else None,
            const="1" if is_bool else None,  # a bare --restore-best means 1
            help=f"{f.metadata['help']} (default: {format_value(name, getattr(DEFAULT, name))})",
        )
    p.add_argument("--dropout", metavar="P", help="dropout after every hidden layer (overrides per-layer values)")
    p.add_argument("--batchnorm", action="store_true", help="BatchNorm1d in every hidden layer")


def config_from_args(args: argparse.Namespace, base: RunConfig = DEFAULT) -> RunConfig:
    """Parse the given flags with the URL codecs over ``base`` (a model file's config for ``--init-from``);
    RunConfig validation raises ConfigError."""
    values = {name: parse_value(name, getattr(args, name)) for name in FIELDS if getattr(args, name) is not None}
    layers = values.get("layers", base.layers)
    if args.dropout is not None:
        try:
            p = float(args.dropout)
        except ValueError:
            raise ConfigError(f"dropout == {args.dropout!r}, must be a number in [0, 1)") from None
        layers = tuple(replace(layer, dropout=p) for layer in layers)
    if args.batchnorm:
        layers = tuple(replace(layer, batchnorm=True) for layer in layers)
    return base.replace(**{**values, "layers": layers})
