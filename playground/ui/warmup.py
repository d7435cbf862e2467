"""Pay torch's cold-start costs once per server process, not on the first click."""
import streamlit as st


@st.cache_resource(show_spinner="Starting the engine (importing torch)...")
def warm_up() -> bool:
    # ``import torch`` takes ~0.8 s; the first optimizer construction another ~0.8 s (torch._dynamo).
    # Two-element tensors: no intra-op parallel region runs in this (script) thread.
    import torch

    from playground.ui.workers import start_server_worker  # imports the race engine: under this spinner too

    p = torch.nn.Parameter(torch.zeros(2))
    torch.optim.Adam([p], lr=0.1)
    start_server_worker()  # spawns the server worker, which warms up while the first page renders
    return True
