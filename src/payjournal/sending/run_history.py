"""One run id's history for its pages: the story of its versions and legs
(:func:`story_of`), and its timeline — every leg with its kind and version, and the attempts of
each (:func:`timeline_of`)."""

from __future__ import annotations

from dataclasses import dataclass

from payjournal.domain.booking import LegKind
from payjournal.payroll.models import PayrollCompany
from payjournal.sending.booking import RunState, run_state
from payjournal.sending.models import Attempt, Submission
from payjournal.sending.run_story import LegFacts, RunStory

__all__ = ["TimelineLeg", "leg_facts", "story_of", "timeline_of"]


def leg_facts(state: RunState, leg: Submission) -> LegFacts:
    """What the pages show of ``leg``, its journals named by version number."""
    return LegFacts(
        str(leg.pk),
        LegKind(leg.kind),
        state.version_of(leg),
        state.base_of(leg),
        leg.state,
        leg.voucher_id,
        leg.voucher_number,
        leg.sent_at,
        leg.error_code,
        leg.error_message,
    )


def story_of(state: RunState) -> RunStory:
    """The plain-words story of a run id read with :func:`payjournal.sending.booking.run_state`."""
    return RunStory(
        tuple(run.version for run in state.versions),
        state.is_withdrawn,
        tuple(leg_facts(state, leg) for leg in state.legs),
    )


@dataclass(frozen=True, slots=True)
class TimelineLeg:
    """One leg in the timeline: "Reversal of v1 (A3)", where it stands, and its attempts."""

    leg: LegFacts
    title: str
    outcome: str
    attempts: tuple[Attempt, ...]


def timeline_of(company: PayrollCompany, run_key: str) -> list[TimelineLeg]:
    """Every leg of the run id, oldest first, each with its attempts (oldest first)."""
    state = run_state(company, run_key)
    story = story_of(state)
    attempts: dict[str, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(
        submission__company=company, submission__run_key=run_key
    ).order_by("at", "id"):
        attempts.setdefault(str(attempt.submission_id), []).append(attempt)
    return [
        TimelineLeg(
            leg, story.leg_title(leg), story.leg_outcome(leg), tuple(attempts.get(leg.id, ()))
        )
        for leg in story.legs
    ]
