"""Freezing (issue 13: 3): a frozen layer keeps its weights while the layers after it adapt."""
from __future__ import annotations

from playground.lessons.lesson import Lesson, Setup
from playground.lessons.measures import pct
from playground.lessons.results import Measured

# spiral, full batch: two ReLU layers of 64; the second setup freezes the first layer at its random initial weights
BASE = "dataset=spiral&batch_size=0&lr=0.01&epochs=200"
TRAINED, FROZEN = "every layer trains", "first layer frozen"
CLOSE = 0.05  # the claim: the frozen network's test accuracy within 5 points of the fully trained one


def frozen_stays(m: Measured) -> tuple[bool, str]:
    trained, frozen = m[TRAINED], m[FROZEN]
    moved, kept, rest = trained.weight_change[0], frozen.weight_change[0], frozen.weight_change[1:].min()
    held = kept == 0.0 and moved > 0.1 and rest > 0.1 and frozen.test.accuracy >= trained.test.accuracy - CLOSE
    return held, (
        f"first-layer weights changed by {kept:g} when frozen (bit-identical) and by {moved:.0%} when trained; "
        f"the frozen network's later layers changed by {rest:.0%} or more; test accuracy {pct(frozen.test.accuracy)} "
        f"with the first layer frozen, {pct(trained.test.accuracy)} with every layer training"
    )


LESSONS = (
    Lesson(
        "freezing", "Freezing a layer", "optimisation",
        "We freeze the first hidden layer at its random initial weights (64:relu:frozen) and train the rest. "
        "What happens to the frozen weights, and can the network still learn the spiral?",
        "The frozen weights end exactly where they started, and the network still learns: the layer after it "
        "adapts to whatever features the frozen layer computes. The same happens when the first layers come from "
        "a saved model: freeze them, train the rest.",
        "boundary", frozen_stays,
        (Setup(TRAINED, f"{BASE}&layers=64:relu,64:relu"), Setup(FROZEN, f"{BASE}&layers=64:relu:frozen,64:relu")),
        measured="first-layer weights: change 0 when frozen, 93-98% when trained; the frozen network's later layers "
                 "384-431%; test accuracy 99-100% with the first layer frozen, 99-100% with every layer training",
    ),
)  # fmt: skip
