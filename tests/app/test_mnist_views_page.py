"""Issue 12 §3 through AppTest: a finished MNIST run shows its first-layer weights, the test gallery
(misclassified first) and Draw a digit; choosing a confusion cell filters the gallery."""
from apptest_helpers import app, chart, progress, rerun_until
from playground.ui.mnist_view import FILTER


def gallery_labels(at) -> list[str]:
    return [a["text"] for a in chart(at, "gallery_chart")["layout"]["annotations"]]


def test_a_finished_mnist_run_shows_its_views_and_a_confusion_cell_filters_the_gallery():
    at = app(dataset="mnist", layers="32:relu", optimizer="adam", lr="0.003", batch_size="128", epochs="2", seed="0")
    at.button(key="start").click().run()
    rerun_until(at, lambda at: "Finished" in progress(at), "the run to finish")
    weights = chart(at, "first_layer_chart")
    assert len(weights["layout"]["annotations"]) == 32 and weights["data"][0]["type"] == "heatmap"  # 32 of 32 units
    labels = gallery_labels(at)
    assert len(labels) == 24
    wrong = [pred.split()[1] != true.split()[1] for pred, true in (label.split(" · ") for label in labels)]
    assert wrong == sorted(wrong, reverse=True) and wrong[0]  # misclassified first
    # the cell a click on the test confusion matrix would pick: the most frequent mistake
    box = at.selectbox(key=FILTER)
    cell = next(o for o in box.options if o.startswith("True"))
    true, pred = cell.split(",")[0].split()[-1], cell.split(",")[1].split()[1]
    at.session_state[FILTER] = (int(true), int(pred))  # what the confusion chart's on_select keeps after a click
    at.run()
    assert not at.exception
    filtered = gallery_labels(at)
    assert filtered and all(label == f"pred {pred} · true {true}" for label in filtered)
    assert len(filtered) == int(cell.rsplit("(", 1)[1].rstrip(")"))
    assert any("Draw a digit" in s.value for s in at.subheader)
    assert any("Draw a digit" in i.value for i in at.info)  # the empty canvas asks for one
