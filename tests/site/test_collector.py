"""A long-running process's garbage collector (:mod:`payjournal.site.collector`)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from payjournal.site.collector import YOUNGEST_THRESHOLD, tune_for_serving


@pytest.fixture
def collector_as_it_was() -> Iterator[None]:
    """The test process's collector back as it was after each test."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def _collections_while_allocating(containers: int) -> int:
    """Collections of any generation while ``containers`` short-lived lists are made, with
    the objects of a send's size alive meanwhile (as a leg and its voucher are)."""
    started: list[int] = []

    def count(phase: str, _info: dict[str, object]) -> None:
        if phase == "start":
            started.append(1)

    gc.callbacks.append(count)
    try:
        alive = [[index] for index in range(containers)]
        del alive
    finally:
        gc.callbacks.remove(count)
    return len(started)


def test_a_send_sized_burst_of_objects_runs_the_collector_with_cpythons_thresholds(
    collector_as_it_was: None,
) -> None:
    gc.set_threshold(700, 10, 10)
    assert _collections_while_allocating(20_000) >= 20


def test_once_tuned_the_same_burst_runs_no_collection(collector_as_it_was: None) -> None:
    tune_for_serving()
    assert gc.get_threshold()[0] == YOUNGEST_THRESHOLD
    assert _collections_while_allocating(YOUNGEST_THRESHOLD // 2) == 0


def test_what_start_up_made_is_frozen_and_the_older_generations_keep_their_thresholds(
    collector_as_it_was: None,
) -> None:
    gc.set_threshold(700, 10, 10)
    made_at_start_up = [[index] for index in range(1000)]
    tune_for_serving()
    made_after = [[index] for index in range(1000)]
    walked = {id(item) for item in made_after}
    assert gc.get_threshold()[1:] == (10, 10)
    # The collector walks what it tracks in its generations; the frozen objects are in none.
    tracked = {id(item) for item in gc.get_objects()}
    assert not any(id(item) in tracked for item in made_at_start_up)
    assert walked <= tracked
