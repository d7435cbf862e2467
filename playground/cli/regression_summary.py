"""``train``'s summary of a regression run (issue 13): its JSON keys and its text lines.

The JSON has ``*_mae``, ``*_rmse``, ``*_r2`` and ``*_pearson_r`` per split and the mean-predictor
baseline beside them; a regression run has no accuracy, recall, confusion or class keys at all
(absent, not zero).
"""
from __future__ import annotations

SCORES = ("mae", "rmse", "r2", "pearson_r")


def regression_keys(train, val, test) -> dict:
    """``RegressionMetrics`` of the three splits -> the JSON's score keys (train_loss ... baseline_mae).

    With target_scaling minmax (``target_scale`` != 1) also ``val_mae_scaled`` / ``test_mae_scaled``, the MAE on the
    [0, 1] scale the network trained on (the course reports that one)."""
    out = {}
    for split, m in (("train", train), ("val", val), ("test", test)):
        out[f"{split}_loss"] = m.loss
        out.update({f"{split}_{k}": getattr(m, k) for k in SCORES})
    out["baseline_mae"] = test.baseline_mae  # always predicting the training mean, on the test split
    out["val_baseline_mae"] = val.baseline_mae
    if test.target_scale != 1.0:
        out.update(val_mae_scaled=val.mae / val.target_scale, test_mae_scaled=test.mae / test.target_scale)
    return out


def format_regression(r: dict) -> list[str]:
    """The score table of a regression run's text summary."""
    head = f"{'':6}{'loss':>9}{'MAE':>9}{'RMSE':>9}{'R²':>8}{'r':>8}"
    rows = [f"{s:6}{r[s + '_loss']:9.4f}{r[s + '_mae']:9.4f}{r[s + '_rmse']:9.4f}{_num(r[s + '_r2']):>8}"
            f"{_num(r[s + '_pearson_r']):>8}" for s in ("train", "val", "test")]  # fmt: skip
    baseline = f"test MAE {r['test_mae']:.4f} against {r['baseline_mae']:.4f} from always predicting the training mean"
    scaled = [f"test MAE on the [0, 1] target scale: {r['test_mae_scaled']:.4f}"] if "test_mae_scaled" in r else []
    return [head, *rows, baseline, *scaled]


def _num(v) -> str:
    return "n/a" if v is None or v != v else f"{v:.3f}"
