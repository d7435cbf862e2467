"""Start the server's processes after each page (cheap once they run): nothing here delays a page."""
import os

import streamlit as st


def warm_up() -> None:
    # Imported here, not above: every spawned child re-runs app.py (as __mp_main__), and these would
    # load the whole page stack (sklearn, plotly...) into each training process.
    from playground.ui.session import BACKEND_ENV
    from playground.ui.workers import start_server_processes

    # The children (a spare training process, then the race worker) import torch on their own,
    # beside the server. Called after the page's script: on a cold server the first page does not
    # share the two cores with them, and the first Start finds a spare that is at least on its way.
    start_server_processes()
    if os.environ.get(BACKEND_ENV) == "thread":
        _warm_up_server_torch()


@st.cache_resource(show_spinner=False)
def _warm_up_server_torch() -> bool:
    """Training in this process (the thread backend): pay its first optimizer (torch._dynamo, ~0.8 s) now.
    Two elements: no intra-op parallel region runs in this script thread."""
    import torch

    torch.optim.Adam([torch.nn.Parameter(torch.zeros(2))], lr=0.1)
    return True
