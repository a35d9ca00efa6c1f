"""One run id's history for its pages: the story of its versions and legs
(:func:`story_of`), and its timeline — every leg with its kind and version, and the attempts of
each (:func:`timeline_of`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from payjournal.catalog.entries_visma import VISMA_ENTRIES
from payjournal.domain.booking import LegKind
from payjournal.domain.submission import Event
from payjournal.payroll.models import PayrollCompany
from payjournal.sending.booking import RunState, run_state
from payjournal.sending.dashlet import error_title
from payjournal.sending.models import Attempt, Submission
from payjournal.sending.run_story import PREFLIGHT_PREFIX, LegFacts, RunStory, attempt_sentence

__all__ = [
    "TimelineLeg",
    "TimelineStep",
    "leg_facts",
    "said_by_visma",
    "story_of",
    "timeline_of",
]

#: The codes of failures Visma answers (or the network between): their stored message is what
#: Visma (or the connection) said. Every other code is payjournal's own finding, whose stored
#: message is a note for the log, never shown as Visma's "original message".
_VISMA_CODES = frozenset(entry.code for entry in VISMA_ENTRIES)


def said_by_visma(code: str, message: str) -> bool:
    """Whether ``message`` stored with ``code`` is Visma's own answer."""
    return code in _VISMA_CODES and bool(message) and not message.startswith(PREFLIGHT_PREFIX)


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
class TimelineStep:
    """One attempt as the timeline says it: when, what in business words, and — for a problem —
    what it was: the catalog's title and Visma's own words, or "Found before sending"."""

    at: datetime
    text: str
    problem: str = ""
    said: str = ""


#: Events whose message is what Visma (or the network) answered; the others' messages are notes
#: for the log, not for the screen.
_VISMA_SAID = frozenset({Event.REFUSED, Event.RETRYABLE_FAILURE, Event.AMBIGUOUS_FAILURE})


def timeline_step(attempt: Attempt, voucher: str, titles: dict[str, str]) -> TimelineStep:
    """``attempt`` in plain words; ``titles`` caches the catalog's title per error code."""
    text = attempt_sentence(attempt.event, attempt.state, voucher)
    if not attempt.error_code:
        return TimelineStep(attempt.at, text)
    if attempt.error_code not in titles:
        titles[attempt.error_code] = error_title(attempt.error_code, "")
    problem = titles[attempt.error_code]
    if attempt.message.startswith(PREFLIGHT_PREFIX):  # our pre-flight: Visma said nothing
        return TimelineStep(attempt.at, _("Found before sending: needs action"), problem)
    visma = attempt.event in _VISMA_SAID and said_by_visma(attempt.error_code, attempt.message)
    return TimelineStep(attempt.at, text, problem, attempt.message if visma else "")


@dataclass(frozen=True, slots=True)
class TimelineLeg:
    """One leg in the timeline: "Reversal of v1 (A3)", where it stands, and its attempts."""

    leg: LegFacts
    title: str
    outcome: str
    attempts: tuple[Attempt, ...]
    steps: tuple[TimelineStep, ...] = ()


def timeline_of(company: PayrollCompany, run_key: str) -> list[TimelineLeg]:
    """Every leg of the run id, oldest first, each with its attempts (oldest first)."""
    state = run_state(company, run_key)
    story = story_of(state)
    attempts: dict[str, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(
        submission__company=company, submission__run_key=run_key
    ).order_by("at", "id"):
        attempts.setdefault(str(attempt.submission_id), []).append(attempt)
    titles: dict[str, str] = {}
    return [
        TimelineLeg(
            leg,
            story.leg_title(leg),
            story.leg_outcome(leg),
            tuple(attempts.get(leg.id, ())),
            tuple(timeline_step(a, leg.voucher, titles) for a in attempts.get(leg.id, ())),
        )
        for leg in story.legs
    ]
