"""Widget <-> config values: one dict in session_state holds every RunConfig field.

Widgets are keyed by field name. Streamlit drops the state of a widget that is not drawn in a
run (noise is hidden for Wine; every widget vanishes on a page switch), so each widget is seeded
from this dict when it (re)appears and writes its value back on every run. Nothing a user typed
is lost, even while the config as a whole is invalid.
"""
from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from playground.config import FIELDS, ConfigError, RunConfig
from playground.ui import presenter

VALUES = "_config_values"  # session_state key: field name -> current value


def ready() -> bool:
    return VALUES in st.session_state


def init(cfg: RunConfig) -> None:
    st.session_state[VALUES] = {name: getattr(cfg, name) for name in FIELDS}


def values() -> dict[str, Any]:
    return st.session_state[VALUES]


def help_for(name: str) -> str:
    return FIELDS[name].metadata.get("help", "")


def seed(key: str, value: Any) -> None:
    """Give a widget its starting value unless Streamlit still holds one for it."""
    if key not in st.session_state:
        st.session_state[key] = value


def field(widget: Callable, label: str, key: str, **kwargs) -> Any:
    """Draw ``widget(label, key=key, ...)`` for config field ``key`` and store its value; a field the
    URL hides (presenter ``hide=``) draws nothing and keeps its value."""
    if presenter.is_hidden(key):
        return values()[key]
    seed(key, values()[key])
    kwargs.setdefault("help", help_for(key))
    values()[key] = widget(label, key=key, **kwargs)
    return values()[key]


def config(names=None) -> RunConfig:
    """RunConfig from the stored values (all fields, or only ``names`` over the defaults).

    Raises ConfigError naming the first field outside its limits. A stored value may itself be
    a ConfigError: the widget holds text that does not parse yet (an emptied layer cell).
    """
    chosen = values() if names is None else {n: values()[n] for n in names}
    for value in chosen.values():
        if isinstance(value, ConfigError):
            raise value
    return RunConfig(**chosen)


# Widgets whose state is not a field's value but follows from one (the layer editor's frame and depth
# stepper, the class-weights radio and its typed text): dropped on restore so they re-seed from VALUES.
DERIVED_KEYS = ("n_layers", "_layers_base", "class_weights_mode", "_custom_weights")


def restore(cfg: RunConfig) -> None:
    """Put ``cfg``'s every field back into the widgets (call from an on_click, before they are drawn).
    The page then writes it to the URL, as for any change."""
    init(cfg)
    for key in (*FIELDS, *DERIVED_KEYS):
        st.session_state.pop(key, None)
