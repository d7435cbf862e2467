"""The Data tab's "Feature crosses" row: one checkbox per cross (x1², x2², x1·x2, sin x1, sin x2), 2-D sets only.

Each checkbox is its RunConfig field (widget key == field name), labelled with its input's name; a set the
crosses do not apply to (its ``DatasetInfo.uses``, from the fields' metadata) shows no row, and the values
stay as they were, ignored by that set (``RunConfig.crosses``). The row's one help icon says what they are:
five icons of their own left the labels "x..", "s.." in the 1280-px settings column.
"""
from __future__ import annotations

import streamlit as st

from playground.config import CROSS_FIELDS
from playground.datasets import DATASETS
from playground.datasets.crosses import NAMES
from playground.ui import presenter
from playground.ui.state import field, values

HELP = ("Extra inputs computed from the scaled x1 and x2, as in TensorFlow Playground: with x1² and x2² a network "
        "without a hidden layer can draw a circle. The boundary stays drawn over x1 and x2; the network graph "
        "shows each cross as an input.")  # fmt: skip


def crosses_row() -> None:
    """The shown crosses' checkboxes side by side under a "Feature crosses" label; nothing for a set that is not 2-D."""
    uses = DATASETS[values()["dataset"]].uses
    shown = [name for name in CROSS_FIELDS if name in uses and not presenter.is_hidden(name)]
    if not shown:
        return
    st.markdown("Feature crosses", help=HELP)
    for column, name in zip(st.columns(len(shown), gap="small"), shown):
        with column:
            field(st.checkbox, NAMES[name], name, help=None)
