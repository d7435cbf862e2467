"""One backprop step, by hand: a 2-(2..3)-1 net on one XOR example, walked stage by stage.

The numbers are the engine's (build_mlp, HandBackprop, torch.optim.SGD), computed in the server
worker process; this script only draws them. Next moves one stage: forward, loss, backward, update.
"""
import streamlit as st

from playground.ui import backprop_view as ui
from playground.ui import presenter
from playground.ui.navigation import require_app_navigation

require_app_navigation()  # before anything renders: a cold deep link reruns through app.py

title, present = st.columns([6, 1], vertical_alignment="center")
title.subheader("One backprop step, by hand", anchor=False)
presenter.toggle(present)
settings = ui.settings_row()
try:
    walk = ui.computed(settings)  # in the server worker process: no torch in this thread
except ValueError as err:
    st.error(f"Can't compute the step: {err}")
    st.stop()
except ui.WalkFailed as err:
    st.error(f"The step could not be computed: {err}", icon=":material/error:")
    st.stop()
stage = ui.stage_buttons()
ui.stage_view(walk, stage)
