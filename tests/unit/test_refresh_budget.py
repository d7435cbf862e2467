"""The live pages' redraw budget: a lone page redraws at the base rate; many pages slow down together, so that
their measured cost stays within the share of a core; no flapping at a step's edge; gone pages stop counting."""
import pytest

from playground.refresh_budget import LADDER, SHARE_ENV, SLACK, RefreshBudget, share_from_env


def budget_with(pages: int, cost: float, share: float = 0.5, now: float = 100.0) -> RefreshBudget:
    b = RefreshBudget(share)
    for i in range(pages):
        b.record(f"s{i}", cost, now, LADDER[0])
    return b


def test_a_lone_page_redraws_at_the_base_rate():
    b = budget_with(1, cost=0.08)
    assert b.interval("s0", None, 100.0) == LADDER[0]
    assert RefreshBudget().interval("new", None, 0.0) == LADDER[0]  # nothing measured yet


@pytest.mark.parametrize("share", [0.25, 0.5, 1.0])
@pytest.mark.parametrize("cost", [0.02, 0.06, 0.15])
def test_pages_together_stay_within_the_share_until_the_top_of_the_ladder(share, cost):
    for pages in range(1, 41):
        b = budget_with(pages, cost, share)
        every = b.interval("s0", None, 100.0)
        load = pages * cost / every  # the share of the server's time the redraws take at this interval
        assert load <= share + 1e-9 or every == LADDER[-1], (pages, every, load)
        if every > LADDER[0]:  # and no slower than needed: the step below would overrun the share
            assert pages * cost / LADDER[LADDER.index(every) - 1] > share * (1 - 1e-9)


def test_every_live_page_gets_the_same_interval():
    b = budget_with(12, cost=0.05)
    assert len({b.interval(f"s{i}", None, 100.0) for i in range(12)}) == 1


def test_the_mean_cost_follows_the_measured_redraws():
    b = budget_with(10, cost=0.01)
    assert b.interval("s0", None, 100.0) == LADDER[0]
    for _ in range(60):  # the redraws got dearer (bigger charts, a busier machine)
        b.record("s0", 0.2, 100.0, LADDER[0])
    assert b.need(100.0) == pytest.approx(10 * 0.2 / 0.5, rel=0.01)
    assert b.interval("s0", None, 100.0) == next(s for s in LADDER if s >= 4.0)


def test_a_page_steps_down_only_when_the_need_is_well_below_the_lower_step():
    cost, share = 0.05, 0.5
    lower, current = LADDER[2], LADDER[3]
    just_below = int(lower * share / cost)  # pages whose need fits ``lower``, but only barely
    b = budget_with(just_below, cost, share)
    assert b.need(100.0) > SLACK * lower
    assert b.interval("s0", current, 100.0) == current  # stays: no full rerun for a page count's wobble
    few = budget_with(2, cost, share)
    assert few.interval("s0", current, 100.0) == LADDER[0]  # far below: straight down to what fits


def test_pages_that_stop_redrawing_stop_counting():
    b = budget_with(20, cost=0.05)
    assert b.live(100.0) == 20
    b.forget("s0")
    assert b.live(100.0) == 19
    b.record("s1", 0.05, 130.0, LADDER[0])  # 30 s later only s1 still redraws
    assert b.live(130.0) == 1
    assert b.interval("s1", None, 130.0) == LADDER[0]


def test_the_share_comes_from_the_environment_with_a_clear_message(monkeypatch):
    monkeypatch.delenv(SHARE_ENV, raising=False)
    assert share_from_env() == 0.5
    monkeypatch.setenv(SHARE_ENV, "1.5")
    assert share_from_env() == 1.5
    for bad in ("0", "-1", "lots"):
        monkeypatch.setenv(SHARE_ENV, bad)
        with pytest.raises(ValueError, match=f"{SHARE_ENV} == .*must be a number in \\(0, 64\\]"):
            share_from_env()
