"""A sweep's base config from text: a URL query (what the Playground's address bar holds) or train flags.

    parse_base("?dataset=xor&lr=0.03")          # a Playground link's query, with or without "?"
    parse_base("--dataset xor --lr 0.03")       # the CLI's train flags
    parse_base("")                              # RunConfig defaults

Stricter than a link (``config.from_query`` keeps the default for a bad value and warns): an unknown
field or a bad value is a ConfigError naming it, since the whole sweep would run on it.
"""
from __future__ import annotations

import shlex
from urllib.parse import parse_qsl

from playground.config import FIELDS, ConfigError, RunConfig, parse_value


def parse_base(text: str) -> RunConfig:
    text = text.strip()
    pairs = _flags(text) if text.startswith("-") else parse_qsl(text.lstrip("?"), keep_blank_values=True)
    values = {}
    for name, value in pairs:
        if name not in FIELDS:
            raise ConfigError(f"base config field == {name!r}, must be a RunConfig field (one of {list(FIELDS)})")
        values[name] = parse_value(name, value)
    return RunConfig(**values)


def _flags(text: str) -> list[tuple[str, str]]:
    """``--field-name VALUE`` pairs; a bool flag given alone means 1 (as the CLI's ``--restore-best``)."""
    try:
        tokens = shlex.split(text)
    except ValueError as err:
        raise ConfigError(f"base config flags {text!r}: {err}") from None
    pairs, i = [], 0
    while i < len(tokens):
        token = tokens[i]
        if not token.startswith("--"):
            raise ConfigError(f"base config flag == {token!r}, must be --field-name VALUE")
        name = token[2:].replace("-", "_")
        value, _, inline = token.partition("=")
        if inline:
            pairs.append((value[2:].replace("-", "_"), inline))
            i += 1
            continue
        has_value = i + 1 < len(tokens) and not tokens[i + 1].startswith("--")
        if not has_value and FIELDS.get(name) is not None and FIELDS[name].type != "bool":
            raise ConfigError(f"base config flag {token} has no value, must be {token} VALUE")
        pairs.append((name, tokens[i + 1] if has_value else "1"))
        i += 2 if has_value else 1
    return pairs
