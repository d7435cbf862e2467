"""Loss landscape of the session's run (Li et al. 2018): the trajectory plane and filter-normalised slices.

Grids are Runner jobs (torch thread, in chunks, on a copy of the model); this page only submits
them, shows their progress and draws the results. It keeps the run's heartbeat while training.
"""
import streamlit as st

from playground.config import format_layers
from playground.figures.landscape import slice_figure, surface_figure, trajectory_plane_figure
from playground.landscape import (
    DEFAULT_ROWS,
    MAX_RESOLUTION,
    PlaneResult,
    SliceResult,
    check_grid,
    random_directions_job,
    trajectory_plane_job,
)
from playground.status import Status
from playground.ui import presenter
from playground.ui.charts import chart
from playground.ui.jobs import job_panel, run_heartbeat, submit_button
from playground.ui.navigation import require_app_navigation
from playground.ui.session import get_runner

require_app_navigation()  # before anything renders: a cold deep link reruns through app.py

SLICE_POINTS = 51  # the 1-D slice is cheap: always this fine

runner = get_runner()
title, present = st.columns([6, 1], vertical_alignment="center")
(title.subheader if presenter.active() else title.title)("Loss landscape", anchor=False)
presenter.toggle(present)
st.caption("The training loss around the weights of the run on the Playground page: in the plane of the path the "
           "weights took, and along random directions scaled to each neuron's weights (Li et al. 2018).")  # fmt: skip
if runner.snapshot().status is Status.IDLE:
    st.info("No run yet: train a model on the Playground page first.", icon=":material/landscape:")
    st.page_link("pages/playground.py", label="Open the Playground", icon=":material/model_training:")
    st.stop()


def run_caption(snap) -> None:
    cfg, traj = snap.config, snap.extras.trajectory
    points, every, megabytes = (traj.points, traj.every, traj.megabytes) if traj else (0, 1, 0.0)
    st.caption(f"Run: **{cfg.dataset}**, layers `{format_layers(cfg.layers) or 'none'}`, {cfg.optimizer} lr {cfg.lr:g} · "
               f"{snap.status} at epoch {snap.epoch}/{snap.epochs} · trajectory: {points} snapshots, "
               f"one every {every} steps ({megabytes:.1f} MB)")  # fmt: skip


run_heartbeat(runner, run_caption)
left, middle, right = st.columns(3)
grid = left.number_input("Grid points per side", min_value=3, value=25, step=2, key="landscape_grid",
                         help=f"At most {MAX_RESOLUTION}; larger grids are refused.")  # fmt: skip
rows = middle.number_input("Training rows for the loss", min_value=16, value=DEFAULT_ROWS, step=256, key="landscape_rows",
                           help="A seeded subsample of the training set when it is larger.")  # fmt: skip
span = right.number_input("Random-direction range ±", min_value=0.05, max_value=5.0, value=1.0, step=0.25, key="landscape_span",
                          help="1 = a step as long as the weights themselves, per neuron.")  # fmt: skip
n_rows = min(int(rows), runner.snapshot().n_train or int(rows))  # n_train is 0 until the run's first publish

plane_tab, random_tab = st.tabs(["Trajectory plane", "Filter-normalised random directions"])
with plane_tab:
    st.caption("PCA of the recorded weight snapshots minus the current weights; the path is projected onto the "
               "first two directions and ends at the current weights (the origin).")  # fmt: skip
    submit_button(runner, "landscape_plane", "Compute the trajectory plane", lambda: trajectory_plane_job(grid, n_rows),
                  lambda: check_grid(grid, n_rows), icon=":material/timeline:", type="primary")  # fmt: skip

    def draw_plane(r: PlaneResult) -> None:
        figure, notes = st.columns([3, 2], gap="large")
        with figure:
            chart(trajectory_plane_figure(r), key="landscape_plane_chart")
        notes.markdown(f"**{r.explained[0]:.1%} + {r.explained[1]:.1%}** of the path's variance lies in this "
                       "plane: the higher, the more faithfully the drawn path is the real one.")  # fmt: skip
        notes.markdown("Contours are the training loss at each point of the plane. Li et al. found that wide, flat "
                       "basins tend to go with better generalisation than narrow ravines.")  # fmt: skip
        notes.caption(f"Epoch {r.epoch}, {len(r.path)} snapshots. Loss at the current weights "
                      f"{r.center_loss:.4f} on {r.rows:,} training rows; {len(r.xs)}×{len(r.ys)} grid "
                      f"in {r.seconds:.1f} s.")  # fmt: skip

    job_panel(runner, "landscape_plane", draw_plane, "Evaluating the loss on the plane:")

with random_tab:
    st.caption("Each direction is Gaussian, rescaled per neuron (row of a Linear weight) to that neuron's weight norm; "
               "biases and BatchNorm parameters stay fixed. The current weights are at 0.")  # fmt: skip
    one, two = st.columns(2, gap="large")
    with one:
        submit_button(runner, "landscape_1d", "Compute the 1-D slice", lambda: random_directions_job(1, SLICE_POINTS, span, n_rows),
                      lambda: check_grid(SLICE_POINTS, n_rows, dims=1), icon=":material/show_chart:")  # fmt: skip

        def draw_slice(r: SliceResult) -> None:
            chart(slice_figure(r), key="landscape_1d_chart")
            st.caption(f"★ the current weights (α = 0), loss {r.center_loss:.4f}; {len(r.axes[0])} points "
                       f"in {r.seconds:.1f} s. Steep walls close to 0 mean a sharp minimum.")  # fmt: skip

        job_panel(runner, "landscape_1d", draw_slice, "Evaluating the slice:")
    with two:
        submit_button(runner, "landscape_2d", "Compute the 2-D surface", lambda: random_directions_job(2, grid, span, n_rows),
                      lambda: check_grid(grid, n_rows), icon=":material/landscape:")  # fmt: skip

        def draw_surface(r: SliceResult) -> None:
            style = st.radio("View", ["contour", "surface"], horizontal=True, key="landscape_style", label_visibility="collapsed")
            chart(surface_figure(r, style), key="landscape_2d_chart")
            st.caption(f"★ the current weights (epoch {r.epoch}), loss {r.center_loss:.4f} on {r.rows:,} rows; "
                       f"{len(r.axes[0])}² grid in {r.seconds:.1f} s.")  # fmt: skip

        job_panel(runner, "landscape_2d", draw_surface, "Evaluating the surface:")
