"""A run id's versions and booking legs in plain words: what its dashlet row, its journal pages
and its timeline say.

:class:`RunStory` is built from plain values — the dashlet reads them for 1,000 runs in two
queries (:mod:`payjournal.sending.dashlet`), the run page from
:func:`payjournal.sending.booking.run_state` (:func:`story_of`) — and answers:

* where the books stand (:attr:`RunStory.booked`, :attr:`RunStory.target`) and the row's
  :attr:`RunStory.status`: ``sent``/``withdrawn`` (red: the latest version, or the withdrawal,
  is booked and nothing is on its way) or what is still to book (grey: ``not_sent``,
  ``correction_to_send``, ``reversal_to_send``, or the state of the leg on its way);
* one line per version: "v1 sent A3 · reversed by A9", "v2 sent A10", "v2: no change to book",
  "v2 superseded by v3", and "withdrawn — reversal of A3 to send" (:meth:`RunStory.lines`);
* the title of each leg for the timeline: "Reversal of v1 (A3)" (:meth:`RunStory.leg_title`).

Every text goes through Django's gettext, so it is in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from payjournal.domain.booking import NOTHING, LegKind, SettledLeg, booked_version
from payjournal.domain.submission import OPEN_STATES, Event, SubmissionState

__all__ = [
    "LEG_FACT_COLUMNS",
    "PREFLIGHT_PREFIX",
    "TO_SEND",
    "LegFacts",
    "RunStory",
    "attempt_sentence",
    "state_word",
    "status_label",
    "status_labels",
]

#: A run's statuses besides the state of its open leg (a :class:`SubmissionState`).
SENT = SubmissionState.SENT.value
WITHDRAWN = "withdrawn"
NOT_SENT = "not_sent"
CORRECTION_TO_SEND = "correction_to_send"
REVERSAL_TO_SEND = "reversal_to_send"
#: How the outbox starts the message of a leg the pre-flight stopped (found before sending: no
#: Visma message exists for it).
PREFLIGHT_PREFIX = "Pre-flight: "
#: Statuses whose run offers Send: something is to book and nothing is on its way.
TO_SEND = frozenset({NOT_SENT, CORRECTION_TO_SEND, REVERSAL_TO_SEND})


def status_label(status: str) -> str:
    """The text of a row's mark for ``status`` (a :class:`RunStory` status)."""
    return status_labels()[status]


def status_labels() -> dict[str, str]:
    """Every status's mark text in the current language (a page of rows translates once)."""
    return {
        SENT: _("Sent"),
        WITHDRAWN: _("Withdrawn"),
        NOT_SENT: _("Not sent"),
        CORRECTION_TO_SEND: _("Correction to send"),
        REVERSAL_TO_SEND: _("Reversal to send"),
        SubmissionState.QUEUED: _("Queued"),
        SubmissionState.SENDING: _("Sending"),
        SubmissionState.RECONCILING: _("Checking Visma"),
        SubmissionState.NEEDS_ACTION: _("Needs action"),
    }


def state_word(state: str) -> str:
    """A leg's state, or a run's status, inside a sentence: "queued", "checking Visma",
    "superseded", "not sent"…"""
    words = {
        SubmissionState.QUEUED: _("queued"),
        SubmissionState.SENDING: _("sending"),
        SubmissionState.RECONCILING: _("checking Visma"),
        SubmissionState.NEEDS_ACTION: _("needs action"),
        SubmissionState.SUPERSEDED: _("superseded"),
        SubmissionState.SENT: _("sent"),
        NOT_SENT: _("not sent"),
        WITHDRAWN: _("withdrawn"),
    }
    return words.get(state, state)


#: The leg's columns :class:`LegFacts` takes as they are, after its id, kind and versions.
LEG_FACT_COLUMNS = (
    "state",
    "voucher_id",
    "voucher_number",
    "sent_at",
    "error_code",
    "error_message",
)


@dataclass(frozen=True, slots=True)
class LegFacts:
    """What a page shows of one leg: its kind, the version it is of, its state and voucher."""

    id: str
    kind: LegKind
    version: int
    base: int | None
    state: str
    voucher_id: str = ""
    number: str = ""
    sent_at: datetime | None = None
    error_code: str = ""
    error_message: str = ""

    @property
    def is_sent(self) -> bool:
        return self.state == SENT

    @property
    def is_empty(self) -> bool:
        """Recorded as booked with no voucher: the version books like the one before."""
        return self.is_sent and not self.voucher_id

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def needs_action(self) -> bool:
        """Refused, or stopped: it waits for a person to fix the cause and retry."""
        return self.state == SubmissionState.NEEDS_ACTION

    @property
    def voucher(self) -> str:
        return self.number or self.voucher_id


@dataclass(slots=True)
class RunStory:
    """One run id: its version numbers (oldest first), whether the latest is withdrawn, and its
    legs (oldest first, superseded ones included). Read only; not frozen because the dashlet
    builds 1,000 of them per page and a frozen dataclass takes twice as long to build."""

    versions: tuple[int, ...]
    withdrawn: bool
    legs: tuple[LegFacts, ...]
    #: The version the settled legs net to, or NOTHING.
    booked: int = field(init=False)
    #: The leg that still stands between the run and the books (at most one per run id).
    open_leg: LegFacts | None = field(init=False)
    #: ``sent``/``withdrawn`` (settled), the open leg's state, or what is still to send.
    status: str = field(init=False)

    def __post_init__(self) -> None:
        booked, leg = NOTHING, None
        legs = self.legs
        if len(legs) == 1:  # most runs on a page of 1,000: one leg, or none (below)
            only = legs[0]
            if only.is_sent and only.kind is not LegKind.REVERSAL:
                booked = only.version
            elif only.is_open:
                leg = only
        elif legs:
            booked = booked_version(SettledLeg(x.kind, x.version) for x in legs if x.is_sent)
            leg = next((x for x in legs if x.is_open), None)
        self.booked = booked
        self.open_leg = leg
        self.status = self._status(booked, leg)

    @property
    def latest(self) -> int:
        return self.versions[-1]

    @property
    def target(self) -> int:
        """What the books should hold: the latest version, or NOTHING when withdrawn."""
        return NOTHING if self.withdrawn else self.latest

    def _status(self, booked: int, leg: LegFacts | None) -> str:
        if leg is not None:
            return leg.state
        if booked == self.target:
            return WITHDRAWN if self.withdrawn else SENT
        if self.withdrawn:
            return REVERSAL_TO_SEND
        return NOT_SENT if booked == NOTHING else CORRECTION_TO_SEND

    @property
    def is_booked(self) -> bool:
        """Red: the books hold the target and nothing is on its way."""
        return self.status in (SENT, WITHDRAWN)

    @property
    def is_corrected(self) -> bool:
        """More than one version, a withdrawal, or a correction leg: worth a line per version."""
        return (
            len(self.versions) > 1
            or self.withdrawn
            or any(leg.kind is not LegKind.FULL for leg in self.legs)
        )

    def booking_leg(self, version: int) -> LegFacts | None:
        """The last settled leg that put ``version`` into the books."""
        found = None
        for leg in self.legs:
            if leg.is_sent and leg.kind is not LegKind.REVERSAL and leg.version == version:
                found = leg
        return found

    def voucher_of(self, version: int) -> str:
        """The voucher that booked ``version`` ("A3"); a version that needed no voucher is
        booked through its base's. Empty when unknown."""
        leg = self.booking_leg(version)
        if leg is None:
            return ""
        if leg.is_empty and leg.base is not None and leg.base != version:
            return self.voucher_of(leg.base)
        return leg.voucher

    def version_parts(self, version: int) -> list[str]:
        """What happened to ``version`` in the books, as sentence parts (may be empty)."""
        parts: list[str] = []
        for leg in self.legs:
            if leg.version != version:
                continue
            if leg.is_sent and leg.kind is LegKind.REVERSAL:
                parts.append(_("reversed by %(voucher)s") % {"voucher": leg.voucher})
            elif leg.is_empty:
                parts.append(_("v%(version)s: no change to book") % {"version": version})
            elif leg.is_sent and leg.kind is LegKind.DIFFERENCE:
                parts.append(
                    _("v%(version)s sent %(voucher)s (difference from v%(base)s)")
                    % {"version": version, "voucher": leg.voucher, "base": leg.base}
                )
            elif leg.is_sent:
                parts.append(
                    _("v%(version)s sent %(voucher)s")
                    % {"version": version, "voucher": leg.voucher}
                )
            elif leg.is_open:
                parts.append(f"{self._what(leg)}: {state_word(leg.state)}")
        return parts

    def superseded_by(self, version: int) -> int | None:
        """The next version when ``version`` was never booked and a newer one exists."""
        later = [number for number in self.versions if number > version]
        if not later or self.booking_leg(version) is not None:
            return None
        return later[0]

    def lines(self) -> list[str]:
        """One line per version with something to say, then the withdrawal if any."""
        lines = []
        for version in self.versions:
            parts = self.version_parts(version)
            newer = self.superseded_by(version)
            if not parts and newer is not None:
                parts = [
                    _("v%(version)s superseded by v%(newer)s")
                    % {"version": version, "newer": newer}
                ]
            if parts:
                lines.append(" · ".join(parts))
        if self.withdrawn:
            lines.append(self._withdrawal())
        return lines

    def _withdrawal(self) -> str:
        if self.booked != NOTHING and self.open_leg is None:
            return _("withdrawn — reversal of %(voucher)s to send") % {
                "voucher": self.voucher_of(self.booked)
            }
        if self.booked == NOTHING and not any(leg.is_sent for leg in self.legs):
            return _("withdrawn — nothing was booked")
        return _("withdrawn")

    def _what(self, leg: LegFacts) -> str:
        """An open leg inside its version's line."""
        if leg.kind is LegKind.REVERSAL:
            return _("reversal")
        if leg.kind is LegKind.DIFFERENCE:
            return _("v%(version)s as difference from v%(base)s") % {
                "version": leg.version,
                "base": leg.base,
            }
        return _("v%(version)s in full") % {"version": leg.version}

    def leg_title(self, leg: LegFacts) -> str:
        """A leg as the timeline names it: "Reversal of v1 (A3)", "v2 in full"…"""
        if leg.kind is LegKind.REVERSAL:
            voucher = self.voucher_of(leg.version)
            if voucher:
                return _("Reversal of v%(version)s (%(voucher)s)") % {
                    "version": leg.version,
                    "voucher": voucher,
                }
            return _("Reversal of v%(version)s") % {"version": leg.version}
        if leg.is_empty:
            return _("v%(version)s: no change to book") % {"version": leg.version}
        if leg.kind is LegKind.DIFFERENCE:
            return _("Difference v%(base)s → v%(version)s") % {
                "version": leg.version,
                "base": leg.base,
            }
        return _("v%(version)s in full") % {"version": leg.version}

    def leg_outcome(self, leg: LegFacts) -> str:
        """Where a leg stands: "sent as A9", "queued", "superseded"…"""
        if leg.is_empty:
            return _("no voucher needed")
        if leg.is_sent:
            return _("sent as %(voucher)s") % {"voucher": leg.voucher}
        return state_word(leg.state)


def attempt_sentence(event: str, state: str, voucher: str = "") -> str:
    """One attempt of a leg in business words: "Sent as voucher A3", "Visma did not answer —
    checking whether the voucher arrived"… (never the machine's event and state names)."""
    if event == Event.CLAIMED:
        if state == SubmissionState.RECONCILING:
            return _("Sending was interrupted — checking whether the voucher arrived")
        return _("Sending to Visma")
    if event in (Event.POSTED, Event.FOUND_BY_MARKER):
        sent = _("Sent as voucher %(voucher)s") % {"voucher": voucher} if voucher else _("Sent")
        if event == Event.FOUND_BY_MARKER:
            return _("Checked whether the voucher arrived: yes — %(sent)s") % {"sent": sent}
        return sent
    if event == Event.NOT_FOUND_BY_MARKER:
        return _("Checked whether the voucher arrived: no — sent again")
    if event == Event.AMBIGUOUS_FAILURE:
        return _("Visma did not answer — checking whether the voucher arrived")
    if event == Event.RETRYABLE_FAILURE:
        if state == SubmissionState.RECONCILING:
            return _("Visma could not be asked yet — checks again shortly")
        return _("Visma could not be reached — tries again shortly")
    words: dict[str, str] = {
        Event.REFUSED: _("Stopped: needs action"),
        Event.RETRIED_BY_USER: _("Retried after the fix"),
        Event.RESTARTED: _("Sending resumed where it stood"),
        Event.JOB_FAILED: _("Sending stopped unfinished: needs action"),
        Event.SUPERSEDED: _("Replaced by a newer version before it was sent"),
        Event.NOTHING_TO_BOOK: _("Nothing to book: no voucher needed"),
    }
    return words.get(event, state_word(state))
