"""present= and hide= URL parameters: TensorFlow Playground's hide flags as one list, unknown names warned about."""
from playground.config import FIELDS
from playground.lessons import LESSONS
from playground.presentation import format_hide, hide_all_but, parse_hide, parse_present


def test_present_takes_the_usual_true_spellings():
    assert [parse_present(t) for t in ("1", "true", "Yes", "on", "0", "", None, "no")] == [True] * 4 + [False] * 4


def test_hide_keeps_known_fields_in_order_and_warns_about_the_rest():
    names, warnings = parse_hide(" optimizer,dataset,bogus, optimizer ,batch-size,")
    assert names == ("optimizer", "dataset", "batch_size")
    assert len(warnings) == 1 and "'bogus' is not a setting" in warnings[0]
    assert format_hide(names) == "optimizer,dataset,batch_size"


def test_no_hide_hides_nothing():
    assert parse_hide(None) == ((), []) and parse_hide("") == ((), [])


def test_a_lessons_presenter_link_hides_every_setting_it_does_not_name():
    lesson = LESSONS["adam_vs_sgd"]
    named = lesson.named_fields()
    assert {"dataset", "layers", "optimizer", "lr"} <= set(named) and "seed" not in named
    hidden = hide_all_but(named)
    assert set(hidden) | set(named) == set(FIELDS) and set(hidden).isdisjoint(named)
    assert list(hidden) == [name for name in FIELDS if name in hidden]  # RunConfig order: a stable link
