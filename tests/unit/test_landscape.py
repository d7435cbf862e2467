"""Loss landscape: PCA plane vs sklearn, filter normalisation, grid jobs on a real trainer, limits."""

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA

from playground.callbacks import standard_callbacks
from playground.config import LayerSpec, RunConfig
from playground.datasets import prepare
from playground.diagnostics import diagnostic_callbacks
from playground.landscape import (
    MAX_POINT_ROWS, LandscapeError, PlaneLoss, check_grid, filter_normalized_direction, pca_plane,
    random_directions_job, trajectory_plane_job, PlaneResult, SliceResult,
)  # fmt: skip
from playground.model import build_mlp
from playground.jobs import JobStatus
from playground.runner import Runner
from playground.status import Status
from polling import wait_for
from playground.trainer import Trainer

SMALL = RunConfig(n_samples=60, epochs=4, layers=(LayerSpec(8, "relu", 0.0, True), LayerSpec(6, "tanh", 0.2)), seed=3)


def drain(job, trainer):
    update = None
    for update in job(trainer):
        pass
    return update.result


@pytest.fixture(scope="module")
def trained() -> Trainer:
    trainer = Trainer(SMALL, prepare(SMALL), [*standard_callbacks(SMALL), *diagnostic_callbacks(SMALL)])
    trainer.fit()
    return trainer


def test_straight_line_trajectory_is_one_direction():
    rng = np.random.default_rng(0)
    t = np.linspace(0, 1, 30)[:, None]  # (T, 1)
    weights = (rng.standard_normal(200) * t + 1e-4 * rng.standard_normal((30, 200))).astype(np.float32)
    plane = pca_plane(weights, weights[-1])
    assert plane.explained[0] >= 0.99
    assert np.allclose(plane.path[-1], 0)  # the path ends at the final weights
    assert plane.path[0, 0] < 0  # and starts on the negative side
    assert np.allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-5)


def test_pca_plane_matches_sklearn():
    rng = np.random.default_rng(1)
    t = np.linspace(0, 1, 40)[:, None]
    weights = rng.standard_normal(300) * t + 0.3 * np.sin(6 * t) * rng.standard_normal(300)  # a curved path
    plane = pca_plane(weights, weights[-1])
    ref = PCA(n_components=2).fit(weights - weights[-1])
    assert np.allclose(plane.explained, ref.explained_variance_ratio_, atol=1e-6)
    assert np.allclose(np.abs(plane.directions @ ref.components_.T), np.eye(2), atol=1e-6)  # equal up to sign


def test_pca_plane_refuses_too_short_a_path():
    with pytest.raises(LandscapeError, match="needs >= 3"):
        pca_plane(np.zeros((2, 5)), np.zeros(5))


def test_filter_normalised_direction_matches_each_row_norm():
    torch.manual_seed(0)
    model = build_mlp(4, [LayerSpec(8, "relu", 0.0, True), LayerSpec(5, "tanh")], 3)
    d = filter_normalized_direction(model, torch.Generator().manual_seed(0))
    offset = 0
    for p in model.parameters():
        block = d[offset : offset + p.numel()].view_as(p)
        offset += p.numel()
        if p.dim() == 1:  # biases and BatchNorm weight/bias
            assert torch.count_nonzero(block) == 0
        else:  # (out, in): each neuron's direction has the norm of its weights
            torch.testing.assert_close(block.norm(dim=1), p.detach().norm(dim=1))
    assert offset == d.numel()


def test_plane_loss_matches_a_direct_forward(trained):
    """The first-layer shortcut equals writing center + a*d1 + b*d2 into the model and evaluating it."""
    from torch.nn.utils import parameters_to_vector, vector_to_parameters

    import copy

    center = parameters_to_vector(trained.model.parameters()).detach()
    g = torch.Generator().manual_seed(1)
    d1, d2 = (filter_normalized_direction(trained.model, g) for _ in range(2))
    X, y = trained.data["train"]
    f = PlaneLoss(trained.model, center, [d1, d2], X, y, trained.loss)
    ref = copy.deepcopy(trained.model).eval()
    vector_to_parameters(center + 0.3 * d1 - 0.7 * d2, ref.parameters())
    with torch.no_grad():
        expected = float(trained.loss(ref(X), y))
    assert f(0.3, -0.7) == pytest.approx(expected, rel=1e-5)
    assert f(0.0, 0.0) == pytest.approx(trained.evaluate("train").loss, rel=1e-5)


def test_grid_jobs_leave_the_model_unchanged(trained):
    before = {k: v.clone() for k, v in trained.model.state_dict().items()}  # weights and BN buffers
    rng_before = torch.get_rng_state()
    plane = drain(trajectory_plane_job(resolution=7), trained)
    assert isinstance(plane, PlaneResult) and plane.loss.shape == (7, 7) and np.isfinite(plane.loss).all()
    assert np.allclose(plane.path[-1], 0) and plane.explained.sum() <= 1 + 1e-6
    surface = drain(random_directions_job(2, resolution=5), trained)
    assert surface.dims == 2 and surface.loss.shape == (5, 5) and surface.loss[2, 2] == pytest.approx(surface.center_loss)
    line = drain(random_directions_job(1, resolution=9), trained)
    assert line.dims == 1 and line.loss.shape == (9,) and line.loss[4] == pytest.approx(line.center_loss)
    for k, v in trained.model.state_dict().items():
        assert torch.equal(v, before[k]), k
    assert torch.equal(torch.get_rng_state(), rng_before)


def test_grid_job_yields_in_chunks_with_progress(trained):
    updates = list(random_directions_job(2, resolution=9, budget=0.0)(trained))
    progress = [u.progress for u in updates]
    assert len(updates) > 10 and progress == sorted(progress) and progress[-1] == 1.0
    assert isinstance(updates[-1].result, SliceResult) and all(u.result is None for u in updates[:-1])


def test_limits_are_refused_with_the_limit():
    with pytest.raises(LandscapeError, match=r"grid == 200, must be <= 101"):
        check_grid(200, 100)
    with pytest.raises(LandscapeError, match=r"grid == 2, must be >= 3"):
        check_grid(2, 100)
    with pytest.raises(LandscapeError, match=rf"= 20,402,000, must be <= {MAX_POINT_ROWS:,}"):
        check_grid(101, 2000)
    check_grid(25, 2048)  # the default fits


def test_job_refuses_a_grid_before_any_work(trained):
    with pytest.raises(LandscapeError, match="must be <= 101"):
        next(random_directions_job(2, resolution=200)(trained))


def test_runner_computes_the_plane_of_a_live_run():
    """The runner hook attaches the recorder; a job submitted mid-run finishes and training completes."""
    runner = Runner()
    cfg = SMALL.replace(epochs=60)
    runner.start(cfg, prepare(cfg))
    try:
        wait_for(lambda: runner.snapshot().epoch >= 3, what="3 epochs")
        assert runner.submit("plane", trajectory_plane_job(resolution=5))
        job = wait_for(lambda: (j := runner.snapshot().jobs["plane"]) and not j.running and j, what="the plane job")
        assert job.status is JobStatus.DONE, job.message
        assert job.result.loss.shape == (5, 5)
        snap = wait_for(lambda: (s := runner.snapshot()).status.ended and s, what="the run's end")
        assert snap.status is Status.FINISHED and snap.epoch == 60
        assert snap.extras.trajectory.points >= 3 and snap.extras.gradflow.epoch == 60
    finally:
        runner.close()


def test_trajectory_memory_is_bounded_and_evenly_spaced():
    from playground.diagnostics.trajectory import TrajectoryRecorder, points_for

    assert points_for(603) == 300 and points_for(407_050) == 64  # ~100 MB of float32 for an MNIST-size net
    assert points_for(5_000_000) == 5 and points_for(50_000_000) == 4  # never fewer than MIN_POINTS
    cfg = SMALL.replace(epochs=15, batch_size=4)  # 22 steps per epoch
    splits = prepare(cfg)
    recorder = TrajectoryRecorder(max_points=10)
    trainer = Trainer(cfg, splits, [recorder])
    trainer.fit()
    steps, weights = recorder.trajectory()
    assert recorder.step == 15 * np.ceil(len(splits.y_train) / 4)
    assert 5 <= len(steps) <= 10 and weights.shape == (len(steps), trainer.n_params)
    assert steps[0] == 0 and np.all(np.diff(steps) == recorder.every)  # evenly spaced over the whole run
    assert steps[-1] > recorder.step - 2 * recorder.every  # ... up to the end
