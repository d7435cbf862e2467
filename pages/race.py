"""Optimizer race: real torch optimizers stepping one 2-D point each down a loss surface."""
import streamlit as st

from playground.figures.race import contour_figure, loss_figure, step_figure, surface_figure
from playground.optim import OPTIMIZERS
from playground.race import PRESETS
from playground.ui import presenter
from playground.ui import race_controls as ui
from playground.ui import race_url
from playground.ui.navigation import require_app_navigation

require_app_navigation()  # before anything renders: a cold deep link reruns through app.py

PLOTLY = {"displaylogo": False}  # Plotly toolbar options

title, present = st.columns([6, 1], vertical_alignment="center")
if presenter.active():  # a projector: a compact title, the charts get the height
    title.subheader("Optimizer race", anchor=False)
else:
    title.title("Optimizer race", anchor=False)
presenter.toggle(present)
if not presenter.active():
    st.caption(
        "Each optimizer is a real `torch.optim` optimizer moving one float64 point (x, y) downhill. "
        "Same start, same surface, same number of steps; only the update rule differs."
    )
race_url.load_once()  # a link's setup on the session's first visit; later visits keep the user's
ui.preset_buttons()

controls, charts = st.columns([1.15, 2.6], gap="large")
with controls:
    ui.surface_controls()
    ui.optimizer_controls()

with charts:
    config = ui.read_config()
    race_url.sync(config)  # the link reproduces this race, whatever set it (widget, preset, URL)
    race_url.show_warnings(config)
    try:
        run = ui.run_cached(config)  # in the server's race worker process: no torch in this thread
    except ValueError as err:  # bad lr / knob / empty selection: say which field and why
        st.error(f"Can't run the race: {err}")
        st.stop()
    except ui.RaceFailed as err:  # the worker raised, crashed or timed out; the server carries on
        st.error(f"The race could not be computed: {err}", icon=":material/error:")
        st.stop()
    result, flat_grid, mesh_grid = run.result, run.contour, run.mesh

    preset = ui.active_preset(config)
    if preset:
        st.info(f"**{PRESETS[preset].title}.** {PRESETS[preset].claim}", icon=":material/school:")
    for name, track in result.tracks.items():
        if track.diverged_at is not None:
            st.warning(f"**{name}** diverged at step {track.diverged_at}: its path stops there; the others carry on.")

    # Only the open tab's chart is built and sent (the 3-D one is heavy for the browser).
    flat, lifted = st.tabs(["Contour", "3-D surface"], key="race_view", on_change="rerun")
    if flat.open:
        flat.plotly_chart(presenter.figure(contour_figure(result, flat_grid)), key="race_chart_contour", config=PLOTLY)
    if lifted.open:
        lifted.plotly_chart(presenter.figure(surface_figure(result, mesh_grid)), key="race_chart_3d", config=PLOTLY)
    by_loss, by_step = st.tabs(["Loss", "Step length"], key="race_curve", on_change="rerun")
    if by_loss.open:
        by_loss.plotly_chart(presenter.figure(loss_figure(result)), key="race_chart_loss", config=PLOTLY)
    if by_step.open:
        by_step.plotly_chart(presenter.figure(step_figure(result)), key="race_chart_steps", config=PLOTLY)

    for name in result.tracks:
        st.caption(f"**{name}** — {OPTIMIZERS[name].summary}")
    ui.results_table(result)
