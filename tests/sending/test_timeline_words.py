"""The timeline in business words: each attempt as a sentence, never the machine's event and
state names; Visma's own words kept where Visma said them, and nothing shown as Visma's that
payjournal found itself (the pre-flight, its own notes)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import translation

from payjournal.domain.submission import Event, SubmissionState
from payjournal.sending.models import Attempt
from payjournal.sending.run_history import said_by_visma, timeline_step
from payjournal.sending.run_story import PREFLIGHT_PREFIX, attempt_sentence

AT = datetime(2026, 11, 26, 9, 5, tzinfo=UTC)
S = SubmissionState


def attempt(event: Event, state: SubmissionState, code: str = "", message: str = "") -> Attempt:
    return Attempt(at=AT, event=event.value, state=state.value, error_code=code, message=message)


@pytest.mark.parametrize(
    ("event", "state", "said"),
    [
        (Event.CLAIMED, S.SENDING, "Sending to Visma"),
        (Event.POSTED, S.SENT, "Sent as voucher A3"),
        (
            Event.AMBIGUOUS_FAILURE,
            S.RECONCILING,
            "Visma did not answer — checking whether the voucher arrived",
        ),
        (
            Event.NOT_FOUND_BY_MARKER,
            S.QUEUED,
            "Checked whether the voucher arrived: no — sent again",
        ),
        (
            Event.FOUND_BY_MARKER,
            S.SENT,
            "Checked whether the voucher arrived: yes — Sent as voucher A3",
        ),
        (Event.RETRIED_BY_USER, S.QUEUED, "Retried after the fix"),
    ],
)
def test_each_attempt_is_a_sentence_of_the_business(event: Event, state: S, said: str) -> None:
    assert attempt_sentence(event.value, state.value, "A3") == said


def test_no_event_or_state_name_reaches_the_timeline_in_any_language() -> None:
    names = {e.value for e in Event} | {s.value for s in S}
    machine = {name for name in names if "_" in name} | {"claimed", "posted", "reconciling", "→"}
    for language in ("en", "nl", "sv"):
        with translation.override(language):
            for event in Event:
                for state in S:
                    words = set(attempt_sentence(event.value, state.value, "A3").split())
                    assert not words & machine, (language, event, state)


def test_visma_words_stay_and_payjournal_notes_are_not_shown_as_visma_s() -> None:
    refused = attempt(Event.REFUSED, S.NEEDS_ACTION, "period_locked", "Period is locked (4026)")
    assert timeline_step(refused, "", {}).said == "Period is locked (4026)"
    assert said_by_visma("period_locked", "Period is locked (4026)")
    found = attempt(Event.REFUSED, S.NEEDS_ACTION, "period_locked", PREFLIGHT_PREFIX + "x")
    step = timeline_step(found, "", {})
    assert step.text == "Found before sending: needs action" and step.said == ""
    note = attempt(Event.REFUSED, S.NEEDS_ACTION, "retries_exhausted", "Visma failed 5 times")
    assert timeline_step(note, "", {}).said == "" and not said_by_visma(note.error_code, "x")
    assert timeline_step(note, "", {}).problem  # the catalog's title says what it was
