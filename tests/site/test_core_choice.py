"""Which core the process holds its threads on (:mod:`payjournal.site.core_choice`): the
decision as a table of what the cores did and where the threads go, the ``/proc/stat``
arithmetic, and the promise that a move is never undone while the loads stay as they were."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payjournal.site.core_choice import (
    PROBE_CHECKS,
    SETTLE_CHECKS,
    CoreSample,
    Placement,
    busy_shares,
    next_placement,
    starting_placement,
)

SETTLED = SETTLE_CHECKS + 3  # checks since the last move: free to move again
BOTH = frozenset({0, 1})


# fmt: off
#: why, where the threads are held, checks since that was decided, the cores' busy shares,
#: the process's own CPU (cores), where they go.
WHERE = [
    # one core: stays unless other programs take half of it or more
    ("quiet: its own work only",         {0}, SETTLED, {0: 0.60, 1: 0.10}, 0.55, {0}),
    ("others at 0.45: under half",       {0}, SETTLED, {0: 0.90, 1: 0.00}, 0.45, {0}),
    ("crowded, the other core quiet",    {0}, SETTLED, {0: 1.00, 1: 0.20}, 0.30, {1}),
    ("crowded, other quieter by margin", {0}, SETTLED, {0: 0.90, 1: 0.45}, 0.20, {1}),
    ("crowded, other not quieter enough", {0}, SETTLED, {0: 0.90, 1: 0.48}, 0.20, {0}),
    ("every core crowded: spread",       {0}, SETTLED, {0: 1.00, 1: 0.90}, 0.20, BOTH),
    ("full, others 0.40, the other idle", {0}, SETTLED, {0: 1.00, 1: 0.10}, 0.60, {1}),
    ("full, shared half and half",       {0}, SETTLED, {0: 1.00, 1: 0.30}, 0.50, {1}),
    ("full, the other without room",     {0}, SETTLED, {0: 1.00, 1: 0.35}, 0.60, {0}),
    ("full of its own work: stays",      {0}, SETTLED, {0: 1.00, 1: 0.00}, 0.85, {0}),
    ("not full, others 0.40: stays",     {0}, SETTLED, {0: 0.90, 1: 0.00}, 0.50, {0}),
    ("just moved: settles first",        {1}, 0,       {0: 0.10, 1: 1.00}, 0.10, {1}),
    ("own CPU above the core's busy",    {0}, SETTLED, {0: 0.30, 1: 0.00}, 0.50, {0}),
    ("four cores: the quietest",         {2}, SETTLED,
        {0: 0.90, 1: 0.40, 2: 1.00, 3: 0.10}, 0.20, {3}),
    ("four cores, tie: the lowest",      {2}, SETTLED,
        {0: 0.10, 1: 0.90, 2: 1.00, 3: 0.10}, 0.20, {0}),
    # spread: one core again when the others leave room, or to probe
    ("spread, others use every core",    BOTH, 3,     {0: 0.90, 1: 0.90}, 0.30, BOTH),
    ("spread, others use little",        BOTH, 3,     {0: 0.30, 1: 0.20}, 0.40, {1}),
    ("spread, the probe is due",         BOTH, PROBE_CHECKS - 1,
        {0: 0.90, 1: 0.80}, 0.30, {1}),
    # a machine with one core the process may use: nothing to choose
    ("one core only",                    {0}, SETTLED, {0: 1.00}, 0.10, {0}),
]
# fmt: on


@pytest.mark.parametrize(("why", "held", "checks", "busy", "own", "goes_to"), WHERE)
def test_where_the_threads_go(
    why: str,
    held: set[int] | frozenset[int],
    checks: int,
    busy: dict[int, float],
    own: float,
    goes_to: set[int] | frozenset[int],
) -> None:
    placement = next_placement(Placement(frozenset(held), checks), CoreSample(busy, own))
    assert placement.cores == frozenset(goes_to), why
    assert placement.checks == (checks + 1 if placement.cores == frozenset(held) else 0)


def test_it_starts_spread_and_its_first_check_takes_the_quietest_core() -> None:
    start = starting_placement(BOTH)
    assert start.cores == BOTH
    assert next_placement(start, CoreSample({0: 0.9, 1: 0.7}, own=0.2)).cores == {1}


LOADS = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


def _sample(others: list[float], own: float, core: int) -> CoreSample:
    """What the cores show with the process on ``core``: the other programs' load on each,
    and its own CPU on its core (a core is never more than fully busy)."""
    return CoreSample(
        {c: min(1.0, load + (own if c == core else 0.0)) for c, load in enumerate(others)}, own
    )


@given(
    others=st.lists(LOADS, min_size=2, max_size=4),
    own=st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
    start=st.integers(min_value=0, max_value=3),
)
def test_a_move_is_never_undone_while_the_loads_stay(
    others: list[float], own: float, start: int
) -> None:
    """With the other programs' load unchanged, a process never moves back to a core it
    left, and never lands on a core that other programs use more than the one it left."""
    core = start % len(others)
    placement = Placement(frozenset({core}), SETTLED)
    left: set[int] = set()
    for _ in range(6):
        now = next(iter(placement.cores))
        new = next_placement(Placement(placement.cores, SETTLED), _sample(others, own, now))
        if new.is_spread:
            break
        (there,) = new.cores
        if there != now:
            assert there not in left
            assert others[there] < others[now]
            left.add(now)
        placement = new


STAT_BEFORE = """cpu  6983 0 3743 25267 444 0 89 18 0 0
cpu0 2255 0 1251 14728 37 0 8 5 0 0
cpu1 4727 0 2491 10538 407 0 80 12 0 0
intr 335304 0 0 0
"""
# 100 ticks later on each core: core 0 75 busy (steal 5 of them), core 1 10 busy, 20 iowait.
STAT_AFTER = """cpu  7053 0 3748 25337 464 0 89 23 0 0
cpu0 2320 0 1256 14753 37 0 8 10 0 0
cpu1 4737 0 2491 10608 427 0 80 12 0 0
intr 335999 0 0 0
"""


def test_busy_shares_count_everything_but_idle_and_iowait() -> None:
    assert busy_shares(STAT_BEFORE, STAT_AFTER, BOTH) == pytest.approx({0: 0.75, 1: 0.10})


def test_a_core_missing_from_a_reading_or_with_no_time_passed_counts_as_idle() -> None:
    assert busy_shares(STAT_BEFORE, STAT_BEFORE, BOTH) == {0: 0.0, 1: 0.0}
    assert busy_shares(STAT_BEFORE, STAT_AFTER, frozenset({0, 7})) == pytest.approx(
        {0: 0.75, 7: 0.0}
    )
