"""A regression run on the Playground page (issue 13 §1): the task control, the regression views, no class charts."""
from apptest_helpers import app, chart, page_charts, progress, rerun_until


def test_a_wine_quality_regression_run_shows_the_scatter_and_metrics():
    at = app(dataset="wine_quality", task="regression", loss="mae", epochs="6", seed="0")
    assert at.radio(key="task").value == "regression" and at.radio(key="loss").value == "mae"
    assert not [r for r in at.radio if r.key == "class_weights_mode"]  # no classes, no class weights
    at.button(key="start").click().run()
    assert not at.exception, at.exception
    rerun_until(at, lambda a: "Finished" in progress(a), "'Finished' in the progress line")
    assert [m.label for m in at.metric] == ["Test MAE", "Mean-predictor MAE", "Test RMSE", "Test R²", "Pearson r"]
    mae, baseline = float(at.metric[0].value), float(at.metric[1].value)
    assert 0 < mae < baseline  # six epochs already beat always predicting the training mean
    scatter = chart(at, "test_scatter_chart")["data"]
    assert scatter[0]["mode"] == "markers" and scatter[1]["name"] == "predicted = actual"
    assert chart(at, "test_residual_chart")["data"][0]["type"] == "bar"
    assert [t["name"] for t in chart(at, "mae_chart")["data"]] == ["train", "validation", "mean predictor"]  # dashed: the baseline
    assert chart(at, "surface_chart")["data"][0]["type"] == "heatmap"
    ids = [c.proto.id for c in page_charts(at)]
    assert not [i for i in ids if "confusion" in i or "recall" in i or "accuracy" in i]  # replaced, not left empty
    at.radio(key="task").set_value("auto").run()  # back to quality classes: a valid classification config
    assert not at.exception and not at.error and "task" not in at.query_params
