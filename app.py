"""Entry point: page config, one-time warm-up, and navigation over pages/."""
import streamlit as st

from playground.ui import cold_start


def main() -> None:
    # A fresh server takes its sessions through the imports one at a time: app.py and its page's
    # first runs; "app" is warm once a whole run has finished (playground/ui/cold_start.py).
    with cold_start.first_run("app"):
        navigation = _app()
        with cold_start.first_run(navigation.title):
            navigation.run()
    from playground.ui.warmup import warm_up

    warm_up()  # after the page, never before it: keeps a spare training process and the race worker started


def _app():
    """Page config, the plotly preload and the navigation (returned: the page to run)."""
    from playground.ui import presenter
    from playground.ui.charts import preload
    from playground.ui.navigation import mark_app_navigation

    st.set_page_config(page_title="Neural Network Playground", page_icon=":material/hub:", layout="wide")
    # The top navigation bar already separates the page from the browser chrome: Streamlit's default
    # ~6rem of padding above the page would push a 720-px projector's charts below the fold.
    st.html("<style>[data-testid='stMainBlockContainer']{padding-top:3.25rem}</style>")
    preload()  # the browser evaluates plotly.js while the page's script runs
    navigation = st.navigation(
        [
            st.Page("pages/playground.py", title="Playground", icon=":material/model_training:", default=True),
            st.Page("pages/lessons.py", title="Lessons", icon=":material/school:"),
            st.Page("pages/compare.py", title="Compare runs", icon=":material/compare_arrows:"),
            st.Page("pages/sweeps.py", title="Sweeps", icon=":material/tune:"),
            st.Page("pages/race.py", title="Optimizer race", icon=":material/sports_score:"),
            st.Page("pages/landscape.py", title="Loss landscape", icon=":material/landscape:"),
            st.Page("pages/backprop.py", title="Backprop step", icon=":material/undo:"),
        ],
        position="top",  # no sidebar: on a 1280-px projector every pixel of width goes to the charts
    )
    mark_app_navigation()  # pages opened before this in a session hand over to it (playground/ui/navigation.py)
    presenter.load_once()  # ?present=1 and ?hide=...: on every page, kept in the URL across page switches
    presenter.style()
    presenter.keep_in_url()
    presenter.show_warnings()
    return navigation


# Streamlit runs this file as __main__, so every spawned child (a session's training process, the race
# worker) first re-imports it as __mp_main__: there it must draw nothing and start nothing.
if __name__ != "__mp_main__":
    main()
