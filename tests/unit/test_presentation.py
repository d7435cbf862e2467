"""present= and hide= URL parameters: TensorFlow Playground's hide flags as one list, unknown names warned about."""
from playground.presentation import format_hide, parse_hide, parse_present


def test_present_takes_the_usual_true_spellings():
    assert [parse_present(t) for t in ("1", "true", "Yes", "on", "0", "", None, "no")] == [True] * 4 + [False] * 4


def test_hide_keeps_known_fields_in_order_and_warns_about_the_rest():
    names, warnings = parse_hide(" optimizer,dataset,bogus, optimizer ,batch-size,")
    assert names == ("optimizer", "dataset", "batch_size")
    assert len(warnings) == 1 and "'bogus' is not a setting" in warnings[0]
    assert format_hide(names) == "optimizer,dataset,batch_size"


def test_no_hide_hides_nothing():
    assert parse_hide(None) == ((), []) and parse_hide("") == ((), [])
