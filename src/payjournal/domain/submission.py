"""Sending one journal version to Visma, as a state machine with a marker that makes it findable.

Visma eAccounting has no idempotency key and no voucher DELETE, so exactly-once sending rests
on three things this module defines:

- a **marker** unique to the journal version, carried in the voucher text, so a voucher whose
  POST had an unknown outcome can be found again by reading the company's vouchers back;
- the **states** a submission moves through, with only the transitions that keep the
  invariant "exactly one voucher per journal version" (e.g. an ambiguous failure may only be
  retried after reconciliation found no voucher);
- the **kinds of failure** that decide the next state.

```
            claim             posted
 queued ──────────▶ sending ─────────▶ sent
   ▲  ▲                │ │ │
   │  │  retry later   │ │ └─ refused (business) ─▶ needs_action ──(user fixed it)──▶ queued
   │  └────────────────┘ │
   │  (never reached)    └─ ambiguous ─▶ reconciling ──(marker found)──▶ sent
   └──────────────────────────────────────┘ (no voucher with the marker: safe to post again)
```

The durable job that drives a submission can itself end without finishing it (an exception, a
cancellation, too many recoveries). Then the sweep either starts a new round where the
submission stands (``restarted``: a ``sending`` one is reconciled by the new round before any
POST) or, when that is not safe or keeps failing, stops it in ``needs_action`` (``job_failed``)
for a person to retry.
"""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum

from payjournal.domain.journal import MAX_VOUCHER_TEXT

__all__ = [
    "IN_FLIGHT_STATES",
    "MOVING_STATES",
    "OPEN_STATES",
    "Event",
    "InvalidTransitionError",
    "SubmissionState",
    "find_marker",
    "next_state",
    "voucher_marker",
    "voucher_text_with_marker",
]

_MARKER = re.compile(r"\[pj:([0-9a-f]{16})\]")


class SubmissionState(StrEnum):
    """Where a submission of one journal version stands."""

    QUEUED = "queued"  # decided; waiting for a worker (or for its retry time)
    SENDING = "sending"  # a worker holds it; the POST may be under way
    RECONCILING = "reconciling"  # a POST's outcome is unknown: read vouchers back before anything
    SENT = "sent"  # Visma holds the voucher (number known), or the leg needed no voucher
    NEEDS_ACTION = "needs_action"  # Visma refused for a reason a person must fix
    SUPERSEDED = "superseded"  # never posted, and a newer decision replaced it

    @property
    def is_final(self) -> bool:
        """True for sent and superseded: nothing may happen to the submission any more."""
        return self in (SubmissionState.SENT, SubmissionState.SUPERSEDED)

    @property
    def is_open(self) -> bool:
        """True while the submission still stands between its run and the books."""
        return self in OPEN_STATES

    @property
    def is_moving(self) -> bool:
        """True while payjournal moves it on by itself: queued for a worker, or in flight."""
        return self in MOVING_STATES

    @property
    def is_in_flight(self) -> bool:
        """True while a worker may be talking to Visma about it (a POST may have happened)."""
        return self in IN_FLIGHT_STATES


#: The states of a submission that still stands between its run and the books: at most one
#: per run id. Open and not moving is ``needs_action``: it waits for a person.
OPEN_STATES = frozenset(
    {
        SubmissionState.QUEUED,
        SubmissionState.SENDING,
        SubmissionState.RECONCILING,
        SubmissionState.NEEDS_ACTION,
    }
)
#: The open states payjournal moves on without anyone: a worker will claim a queued one, one
#: in flight settles by itself (the month-end benchmarks wait for none to be left).
MOVING_STATES = frozenset(
    {SubmissionState.QUEUED, SubmissionState.SENDING, SubmissionState.RECONCILING}
)
#: The states in which a worker may be talking to Visma: a POST may be under way or have
#: happened unseen, so the submission is never replaced and is reconciled before a new POST.
#: A queued one is not in flight: it waits for a worker (``needs_reconcile`` on the outbox row
#: says when a POST of an earlier round may still have reached Visma).
IN_FLIGHT_STATES = frozenset({SubmissionState.SENDING, SubmissionState.RECONCILING})


class Event(StrEnum):
    """What happened to a submission."""

    CLAIMED = "claimed"  # a worker took it
    POSTED = "posted"  # Visma answered with the voucher
    RETRYABLE_FAILURE = (
        "retryable_failure"  # never reached Visma, rate limited, or a server error before commit
    )
    REFUSED = "refused"  # a business error: fiscal year missing, period locked, invalid_grant…
    AMBIGUOUS_FAILURE = "ambiguous_failure"  # the request left and no answer came
    FOUND_BY_MARKER = "found_by_marker"  # reconciliation found the voucher
    NOT_FOUND_BY_MARKER = "not_found_by_marker"  # reconciliation proved no voucher exists
    RETRIED_BY_USER = "retried_by_user"  # after fixing the cause, one click
    RESTARTED = "restarted"  # its durable job ended unfinished; a new round starts where it stands
    JOB_FAILED = "job_failed"  # its durable job ended unfinished and may not be restarted by itself
    SUPERSEDED = "superseded"  # a newer version or a withdrawal replaced it before it was posted
    NOTHING_TO_BOOK = "nothing_to_book"  # the version books like the booked one: no voucher


_TRANSITIONS: dict[tuple[SubmissionState, Event], SubmissionState] = {
    (SubmissionState.QUEUED, Event.CLAIMED): SubmissionState.SENDING,
    (SubmissionState.SENDING, Event.POSTED): SubmissionState.SENT,
    (SubmissionState.SENDING, Event.RETRYABLE_FAILURE): SubmissionState.QUEUED,
    (SubmissionState.SENDING, Event.REFUSED): SubmissionState.NEEDS_ACTION,
    (SubmissionState.SENDING, Event.AMBIGUOUS_FAILURE): SubmissionState.RECONCILING,
    # A worker that died while sending leaves "sending": whoever resumes must reconcile first.
    (SubmissionState.SENDING, Event.CLAIMED): SubmissionState.RECONCILING,
    (SubmissionState.RECONCILING, Event.FOUND_BY_MARKER): SubmissionState.SENT,
    (SubmissionState.RECONCILING, Event.NOT_FOUND_BY_MARKER): SubmissionState.QUEUED,
    # Reading vouchers back can itself fail; the outcome stays unknown until it succeeds.
    (SubmissionState.RECONCILING, Event.RETRYABLE_FAILURE): SubmissionState.RECONCILING,
    (SubmissionState.RECONCILING, Event.REFUSED): SubmissionState.NEEDS_ACTION,
    (SubmissionState.NEEDS_ACTION, Event.RETRIED_BY_USER): SubmissionState.QUEUED,
    # A new round keeps the state: the next worker claims a queued one and reconciles a
    # sending or reconciling one (its POST may have happened) before posting anything.
    (SubmissionState.QUEUED, Event.RESTARTED): SubmissionState.QUEUED,
    (SubmissionState.SENDING, Event.RESTARTED): SubmissionState.SENDING,
    (SubmissionState.RECONCILING, Event.RESTARTED): SubmissionState.RECONCILING,
    (SubmissionState.QUEUED, Event.JOB_FAILED): SubmissionState.NEEDS_ACTION,
    (SubmissionState.SENDING, Event.JOB_FAILED): SubmissionState.NEEDS_ACTION,
    (SubmissionState.RECONCILING, Event.JOB_FAILED): SubmissionState.NEEDS_ACTION,
    # Only what was certainly never posted may be replaced: a queued or refused leg whose
    # outcome is known (the caller checks ``needs_reconcile``), never one in flight.
    (SubmissionState.QUEUED, Event.SUPERSEDED): SubmissionState.SUPERSEDED,
    (SubmissionState.NEEDS_ACTION, Event.SUPERSEDED): SubmissionState.SUPERSEDED,
}


class InvalidTransitionError(ValueError):
    """An event that would break exactly-once sending in the submission's state."""


def next_state(state: SubmissionState, event: Event) -> SubmissionState:
    """The state after `event`, or `InvalidTransitionError` when it may not happen now."""
    try:
        return _TRANSITIONS[(state, event)]
    except KeyError:
        raise InvalidTransitionError(
            f"a {state.value} submission cannot take {event.value}"
        ) from None


def voucher_marker(company: str, run_id: str, version: int, kind: str = "full") -> str:
    """The marker of one leg: ``[pj:<16 hex>]``, the same every time it is asked.

    It depends on the company, the run, the journal version and the leg's kind (``full``,
    ``reversal``, ``difference``) only, so no two legs that may both be sent share a marker and
    the marker survives a restart of everything. A full posting's marker is the one journal
    versions had before there were other kinds of legs.
    """
    if version < 1:
        raise ValueError("journal versions count from 1")
    key = f"{company}\x1f{run_id}\x1f{version}"
    if kind != "full":
        key += f"\x1f{kind}"
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"[pj:{digest[:16]}]"


def voucher_text_with_marker(text: str, marker: str) -> str:
    """The voucher text Visma receives: the human text, then the marker, within 1,000 characters.

    The human part is cut (with an ellipsis) rather than the marker, which must survive whole.
    """
    if not _MARKER.fullmatch(marker):
        raise ValueError(f"{marker!r} is not a payjournal marker")
    room = MAX_VOUCHER_TEXT - len(marker) - 1
    human = text if len(text) <= room else text[: room - 1] + "…"
    return f"{human} {marker}"


def find_marker(voucher_text: str | None) -> str | None:
    """The payjournal marker in a voucher's text, if it has one."""
    match = _MARKER.search(voucher_text or "")
    return match.group(0) if match else None
