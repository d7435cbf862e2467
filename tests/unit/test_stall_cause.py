"""The stall message names what actually happened (dead ReLUs after a blow-up, vanishing sigmoids, equal weights)."""
import pytest

from playground.callbacks import standard_callbacks
from playground.config import RunConfig, parse_layers
from playground.datasets import prepare
from playground.status import Status
from playground.trainer import Trainer

CASES = {
    "too large a step": (RunConfig(optimizer="sgd", lr=10.0, epochs=300),
                         ["the steps were too large (lr 10)", "blew up", "ReLU of hidden layer 1 died"],
                         ["sigmoid", "same weights"]),  # fmt: skip
    "8 sigmoid layers": (RunConfig(layers=parse_layers(",".join(["32:sigmoid"] * 8)), epochs=300),
                         ["vanishing gradients", "of the output layer's gradient", "try relu, or batchnorm"],
                         ["dead", "leaky_relu"]),  # fmt: skip
    "zeros init": (RunConfig(n_samples=300, init="zeros", layers=parse_layers("16:tanh"), epochs=300),
                   ["every unit of hidden layer 1 has the same weights (zeros init)"], ["blew up", "sigmoid"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_stall_message_fits_the_cause(case):
    cfg, says, never = CASES[case]
    trainer = Trainer(cfg, prepare(cfg), standard_callbacks(cfg))
    trainer.fit()
    assert trainer.status is Status.STALLED, trainer.message
    assert all(part in trainer.message for part in says), trainer.message
    assert not any(part in trainer.message for part in never), trainer.message
