"""The live run on the Playground page, as a teacher clicks through it (AppTest, widgets by key)."""
import time

from streamlit.testing.v1 import AppTest

from apptest_helpers import app, chart, progress, rerun_until

LONG = {"n_samples": "100", "epochs": "100000", "seed": "0"}


def epoch(at: AppTest) -> int:
    text = progress(at)
    return int(text.split("epoch ")[1].split(" ")[0]) if "epoch " in text else -1


def lr_labels(at: AppTest) -> list[str]:
    return [a["text"] for a in chart(at, "loss_chart")["layout"].get("annotations", []) if "lr →" in a["text"]]


def test_one_lr_change_is_marked_once_however_often_the_page_reruns():
    at = app(**LONG)
    at.button(key="step").click().run()
    rerun_until(at, lambda at: "Paused" in progress(at) and epoch(at) == 1, "the first step")
    at.select_slider(key="lr").set_value(0.003).run()
    for _ in range(3):  # Step, Step, Step, and reruns in between, as Pause/Resume clicks make
        at.button(key="step").click().run()
        at.run()
    at.number_input(key="weight_decay").set_value(0.001).run()  # an edit reruns the whole page again
    rerun_until(at, lambda at: epoch(at) == 4 and "Paused" in progress(at), "three more steps")
    at.run()
    assert lr_labels(at) == [" lr → 0.003"]
    dashed = [s for s in chart(at, "loss_chart")["layout"].get("shapes", []) if s.get("line", {}).get("dash") == "dash"]
    assert len(dashed) == 1 and dashed[0]["x0"] == 1.5  # taken effect at epoch 2, the first trained with it


def test_changing_only_the_dataset_names_only_the_dataset():
    at = app(**LONG)
    at.button(key="step").click().run()
    rerun_until(at, lambda at: "Paused" in progress(at), "a paused run")
    at.selectbox(key="dataset").set_value("circles").run()
    warnings = " ".join(w.value for w in at.warning)
    assert "(dataset)" in warnings and "classes" not in warnings


def test_a_finished_run_shows_test_recall_beside_the_test_confusion():
    at = app(n_samples="50", epochs="3", seed="0")
    at.button(key="start").click().run()
    rerun_until(at, lambda at: "Finished" in progress(at), "the run to finish")
    recall = chart(at, "test_recall_chart")
    assert len(recall["data"][0]["y"]) == 3 and all(recall["data"][0]["text"])


def test_adding_a_layer_after_none_gives_the_default_layer():
    at = app()
    at.number_input(key="n_layers").set_value(0).run()
    at.number_input(key="n_layers").set_value(1).run()
    assert "layers" not in dict(at.query_params)  # back to the default stack: nothing to put in the link
    assert any("603 trainable parameters" in m.value for m in at.markdown)  # 2*100+100 + 100*3+3: one 100-unit layer


def test_a_live_page_redraws_at_the_budgets_interval_and_leaves_it_when_the_run_ends():
    """With thirty other pages redrawing on this server, a Start redraws as seldom as they do (refresh_budget.py)."""
    from playground.refresh_budget import LADDER
    from playground.ui import refresh

    budget = refresh.budget()  # st.cache_resource: the one this server's sessions share (AppTest: this process)
    now = time.monotonic()
    for i in range(30):  # stamped ten minutes ahead: live for the whole test, however slow the machine
        budget.record(f"other-{i}", 0.1, now + 600, 8.0)
    try:
        expected = budget.interval("probe", None, now)
        assert expected > LADDER[0]
        at = app(**LONG)
        at.button(key="start").click().run()
        rerun_until(at, lambda at: "Running" in progress(at) and epoch(at) >= 1, "a running run")
        assert at.session_state[refresh.CURRENT] == expected
        assert budget.live(time.monotonic()) == 31  # the thirty and this page
        at.button(key="stop").click().run()
        rerun_until(at, lambda at: "Stopped" in progress(at), "the stop")
        assert budget.live(time.monotonic()) == 30
    finally:
        for i in range(30):
            budget.forget(f"other-{i}")
