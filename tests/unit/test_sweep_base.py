"""The Sweeps page's base config text: a Playground link's query or train flags, strict about bad fields."""
import pytest

from playground.config import ConfigError, LayerSpec, RunConfig
from playground.sweep.base import parse_base


def test_a_query_and_the_same_flags_give_the_same_config():
    want = RunConfig(dataset="xor", lr=0.03, layers=(LayerSpec(8, "relu"), LayerSpec(4, "tanh")), restore_best=True)
    assert parse_base("?dataset=xor&lr=0.03&layers=8%3Arelu%2C4%3Atanh") == want
    assert parse_base("dataset=xor&lr=0.03&layers=8:relu,4:tanh") == want
    assert parse_base("--dataset xor --lr=0.03 --layers 8:relu,4:tanh --restore-best") == want
    assert parse_base("   ") == RunConfig()


@pytest.mark.parametrize(("text", "message"), [
    ("learning_rate=0.1", "base config field == 'learning_rate', must be a RunConfig field"),
    ("--lr", "base config flag --lr has no value, must be --lr VALUE"),
    ("--lr x", "lr == 'x', must be a number"),
    ("lr=20", "lr == 20.0, must be in (0, 10]"),
    ("--dataset xor lr", "base config flag == 'lr', must be --field-name VALUE"),
])  # fmt: skip
def test_bad_text_names_the_field_and_the_limit(text, message):
    with pytest.raises(ConfigError) as err:
        parse_base(text)
    assert message in str(err.value)
