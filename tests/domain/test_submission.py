"""The submission state machine keeps exactly-once sending; the marker finds a voucher again."""

import pytest

from payjournal.domain.journal import MAX_VOUCHER_TEXT
from payjournal.domain.submission import (
    IN_FLIGHT_STATES,
    MOVING_STATES,
    OPEN_STATES,
    Event,
    InvalidTransitionError,
    SubmissionState,
    find_marker,
    next_state,
    voucher_marker,
    voucher_text_with_marker,
)

S, E = SubmissionState, Event


def walk(*events, start=S.QUEUED):
    state = start
    for event in events:
        state = next_state(state, event)
    return state


def test_the_happy_path():
    assert walk(E.CLAIMED, E.POSTED) is S.SENT


def test_an_ambiguous_failure_is_reconciled_before_anything_else():
    assert walk(E.CLAIMED, E.AMBIGUOUS_FAILURE) is S.RECONCILING
    assert walk(E.CLAIMED, E.AMBIGUOUS_FAILURE, E.FOUND_BY_MARKER) is S.SENT
    assert (
        walk(E.CLAIMED, E.AMBIGUOUS_FAILURE, E.NOT_FOUND_BY_MARKER, E.CLAIMED, E.POSTED) is S.SENT
    )
    assert walk(E.CLAIMED, E.AMBIGUOUS_FAILURE, E.RETRYABLE_FAILURE) is S.RECONCILING


@pytest.mark.parametrize("event", [E.POSTED, E.CLAIMED, E.RETRIED_BY_USER])
def test_a_submission_with_an_unknown_outcome_may_not_be_posted_or_claimed_again(event):
    with pytest.raises(InvalidTransitionError, match="reconciling submission cannot take"):
        next_state(S.RECONCILING, event)


def test_a_worker_that_died_while_sending_is_resumed_by_reconciling():
    assert walk(E.CLAIMED, E.CLAIMED) is S.RECONCILING


def test_business_refusals_wait_for_the_user_then_go_back_to_the_queue():
    assert walk(E.CLAIMED, E.REFUSED) is S.NEEDS_ACTION
    assert walk(E.CLAIMED, E.REFUSED, E.RETRIED_BY_USER) is S.QUEUED
    with pytest.raises(InvalidTransitionError):
        walk(E.CLAIMED, E.REFUSED, E.CLAIMED)


@pytest.mark.parametrize("state", [S.QUEUED, S.SENDING, S.RECONCILING])
def test_a_job_that_ended_unfinished_restarts_where_the_submission_stands(state):
    assert next_state(state, E.RESTARTED) is state
    # a restarted "sending" submission is resumed by reconciling, never by posting
    assert walk(E.CLAIMED, E.RESTARTED, E.CLAIMED) is S.RECONCILING


@pytest.mark.parametrize("state", [S.QUEUED, S.SENDING, S.RECONCILING])
def test_a_job_that_may_not_restart_waits_for_the_user(state):
    assert next_state(state, E.JOB_FAILED) is S.NEEDS_ACTION
    assert walk(E.JOB_FAILED, E.RETRIED_BY_USER, start=state) is S.QUEUED
    with pytest.raises(InvalidTransitionError):
        next_state(S.NEEDS_ACTION, E.RESTARTED)


def test_retryable_failures_go_back_to_the_queue():
    assert walk(E.CLAIMED, E.RETRYABLE_FAILURE, E.CLAIMED, E.POSTED) is S.SENT


@pytest.mark.parametrize("event", list(Event))
def test_nothing_happens_to_a_sent_submission(event):
    assert S.SENT.is_final
    with pytest.raises(InvalidTransitionError):
        next_state(S.SENT, event)


def test_in_flight_states():
    assert {state for state in S if state.is_in_flight} == {S.SENDING, S.RECONCILING}


def test_open_states_are_the_moving_ones_and_the_one_waiting_for_a_person():
    """One vocabulary: in flight (a POST may be under way) ⊂ moving (payjournal moves it on by
    itself: also queued) ⊂ open (stands between the run and the books: also needs action)."""
    assert {state for state in S if state.is_moving} == {S.QUEUED, S.SENDING, S.RECONCILING}
    assert {state for state in S if state.is_open} == {
        S.QUEUED,
        S.SENDING,
        S.RECONCILING,
        S.NEEDS_ACTION,
    }
    assert IN_FLIGHT_STATES < MOVING_STATES < OPEN_STATES
    assert {S.NEEDS_ACTION} == OPEN_STATES - MOVING_STATES
    assert not any(state.is_final for state in OPEN_STATES)


def test_markers_are_stable_and_differ_per_version_run_and_company():
    first = voucher_marker("acme", "2026-09", 1)
    assert first == voucher_marker("acme", "2026-09", 1)
    assert (
        len(
            {
                first,
                voucher_marker("acme", "2026-09", 2),
                voucher_marker("acme", "2026-10", 1),
                voucher_marker("other", "2026-09", 1),
            }
        )
        == 4
    )
    assert first.startswith("[pj:") and len(first) == 21
    with pytest.raises(ValueError, match="count from 1"):
        voucher_marker("acme", "R", 0)


def test_the_marker_survives_whole_when_the_text_is_cut_to_visma_s_limit():
    marker = voucher_marker("acme", "R1", 3)
    short = voucher_text_with_marker("Payroll 2026-09", marker)
    assert short == f"Payroll 2026-09 {marker}"
    long = voucher_text_with_marker("x" * 2000, marker)
    assert len(long) == MAX_VOUCHER_TEXT
    assert long.endswith(f"… {marker}")
    assert find_marker(long) == marker
    with pytest.raises(ValueError, match="not a payjournal marker"):
        voucher_text_with_marker("t", "pj-123")


def test_find_marker_in_texts_that_have_none():
    assert find_marker(None) is None
    assert find_marker("Salaris september [pj:xyz]") is None
