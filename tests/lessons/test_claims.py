"""Every lesson's claim, checked on seeds 0-4 through the headless engine (issue 11: 4).

A lesson whose claim fails on any seed is a bug in the lesson. The measured sentences are printed
(``pytest -s``) and listed after the results under "lesson claims: measured".
"""
import pytest

from playground.lessons import LESSONS, run_lesson

SEEDS = range(5)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("lesson_id", list(LESSONS))
def test_the_claim_holds(lesson_id, seed, measured_log):
    result = run_lesson(lesson_id, seed)
    measured_log.append((lesson_id, seed, result.held, result.sentence, result.seconds))
    print(f"{lesson_id} seed {seed}: {result.sentence}")
    assert result.held, f"{LESSONS[lesson_id].title!r} did not hold on seed {seed}: {result.sentence}"
