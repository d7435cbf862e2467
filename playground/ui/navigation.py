"""Hand a page that was opened without app.py's navigation back to app.py.

Streamlit treats a ``pages/`` folder beside the entry script as its older multipage layout until
some session has called ``st.navigation``. So on a freshly started server, the first visitor of a
deep link such as ``/race`` got that page script alone: an auto-discovered sidebar ("app",
"landscape", ...), no page config, no warm-up. app.py calls ``mark_app_navigation()`` after
``st.navigation``, and every page calls ``require_app_navigation()`` first: in a session that has
not been through app.py yet it switches Streamlit to app.py's navigation (what ``st.navigation``
records on its first call) and reruns, and app.py then opens the same page by its URL path.
"""
import streamlit as st

SEEN = "_app_navigation"  # session_state: app.py's navigation has run in this session


def mark_app_navigation() -> None:
    st.session_state[SEEN] = True


def require_app_navigation() -> None:
    if st.session_state.get(SEEN):
        return
    try:  # an internal flag of Streamlit (pinned in requirements.txt); without it, do nothing
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()
