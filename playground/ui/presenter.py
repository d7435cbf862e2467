"""Presenter mode for a projector: bigger type and lines, the settings folded away, named controls hidden.

    ?present=1                      on (also the "Present" toggle on each page's title row)
    ?hide=dataset,optimizer         those settings' controls are left out (their values still apply)

app.py calls ``load_once()`` and ``style()`` before a page runs and ``keep_in_url()`` after it, so
the mode holds on every page and a link carries it; ``figure(fig)`` (through ui/charts.chart) scales
a chart's fonts and lines. Parsing lives in playground/presentation.py.
"""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from playground.presentation import HIDE_KEY, PRESENT_KEY, format_hide, parse_hide, parse_present

ON = "present"  # toggle key; each page draws its own toggle, and Streamlit drops a widget's state on a page switch,
MODE = "_present_mode"  # so the mode itself lives here (session_state), and seeds the toggle
HIDDEN = "_hidden_fields"  # session_state: the fields whose controls are left out (from ?hide=)
WARNINGS = "_hide_warnings"  # session_state: what ?hide= named that is not a setting
LOADED = "_presenter_loaded"
SETTINGS_SHOWN = "_settings_shown"  # ui/settings.SHOWN: presenter mode folds the settings away
SETTINGS_TOGGLE = "show_settings"  # ui/settings.SHOW, the toggle seeded from it
FONT_SCALE = 1.3  # chart text: 14 px -> ~18 px, readable from the back of a classroom
LINE_SCALE = 1.6
ROOT_FONT_PX = 18  # page text (Streamlit sizes it in rem from the root's 16 px); more pushes a 720-px
# projector's charts below the fold


def load_once() -> None:
    """On a session's first run: presenter mode and hidden fields from the URL."""
    if st.session_state.get(LOADED):
        return
    st.session_state[LOADED] = True
    st.session_state[MODE] = parse_present(st.query_params.get(PRESENT_KEY))
    st.session_state[HIDDEN], st.session_state[WARNINGS] = parse_hide(st.query_params.get(HIDE_KEY))
    if st.session_state[MODE]:
        st.session_state[SETTINGS_SHOWN] = False


def active() -> bool:
    return bool(st.session_state.get(MODE, False))


def hidden() -> tuple[str, ...]:
    return st.session_state.get(HIDDEN, ())


def is_hidden(name: str) -> bool:
    return name in hidden()


def toggle(where) -> bool:
    """The "Present" toggle (``where``: a column or container on the page's title row)."""
    if ON not in st.session_state:
        st.session_state[ON] = active()
    return where.toggle("Present", key=ON, on_change=_switched,
                        help="Presenter mode: bigger text and lines for a projector, settings folded away. "
                             "The link keeps it (present=1); hide=field,field leaves those controls out.")  # fmt: skip


def title_row(title: str, caption: str) -> None:
    """A page's compact title with the Present toggle at its right, and the page's caption, which a projector
    leaves out (it keeps the height for the charts)."""
    left, right = st.columns([6, 1], vertical_alignment="center")
    left.subheader(title, anchor=False)  # compact, as on the Playground: the charts get the height
    toggle(right)
    if not active():
        st.caption(caption)


def _switched() -> None:
    st.session_state[MODE] = st.session_state[ON]
    # on: the charts get the whole width; off: the settings come back
    st.session_state[SETTINGS_SHOWN] = st.session_state[SETTINGS_TOGGLE] = not active()


def url_params() -> dict[str, str]:
    """The query parameters that keep this mode in a link (none when off and nothing hidden)."""
    params = {PRESENT_KEY: "1"} if active() else {}
    if hidden():
        params[HIDE_KEY] = format_hide(hidden())
    return params


def keep_in_url() -> None:
    """Put ``present`` / ``hide`` back into the URL if a page's own URL write dropped them (or a page switch did)."""
    current = st.query_params.to_dict()
    query = {k: v for k, v in current.items() if k not in (PRESENT_KEY, HIDE_KEY)} | url_params()
    if query != current:
        st.query_params.from_dict(query)


def style() -> None:
    """Page CSS for presenter mode: larger root font (everything sized in rem follows)."""
    if active():
        st.html(f"<style>html{{font-size:{ROOT_FONT_PX}px}}</style>")


def show_warnings() -> None:
    for message in st.session_state.get(WARNINGS, []):
        st.warning(message, icon=":material/visibility_off:")


def figure(fig: go.Figure) -> go.Figure:
    """``fig`` with larger fonts and thicker lines in presenter mode (unchanged otherwise)."""
    if not active():
        return fig
    layout = fig.layout
    fig.update_layout(font_size=round((layout.font.size or 14) * FONT_SCALE))
    if layout.title.text:
        fig.update_layout(title_font_size=round((layout.title.font.size or 16) * FONT_SCALE))
    fig.update_layout(legend_font_size=round((layout.legend.font.size or 13) * FONT_SCALE))
    margin = layout.margin
    fig.update_layout(margin=dict(l=round((margin.l or 56) * FONT_SCALE), b=round((margin.b or 44) * FONT_SCALE)))
    for trace in fig.data:
        line = getattr(trace, "line", None)
        if line is not None and trace.type in ("scatter", "scattergl"):
            trace.line.width = (line.width or 2) * LINE_SCALE
    return fig
