"""The one place a submission changes state: the domain's machine, a compare-and-set, a timeline row
and, into *needs action* or *sent*, the notification (:func:`payjournal.notifications.service.notify`).
The cockpit's summary is not written here: it follows the company's change stamp when read
(:mod:`payjournal.sending.summary`).

Every transition is an UPDATE conditioned on the state, round and batch the caller saw, so two
workers can never both move one submission, nor can a workflow move it once another round (or its
own workflow, out of a batch) has it; the loser gets :class:`StaleSubmissionError`.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone

from payjournal.domain.submission import Event, SubmissionState, next_state
from payjournal.notifications import events
from payjournal.notifications.service import notify
from payjournal.notifications.wanted import is_wanted, known_unwanted
from payjournal.sending.models import Attempt, Submission
from payjournal.site.compiled import insert_row, update_where

MESSAGE_LENGTH = 500
log = logging.getLogger("payjournal.sending")


class StaleSubmissionError(RuntimeError):
    """The submission moved on since it was read (another worker, a user)."""


def transition(
    submission: Submission,
    event: Event,
    *,
    error_code: str = "",
    message: str = "",
    **fields: Any,
) -> Submission:
    """Apply ``event`` to ``submission`` (``InvalidTransitionError`` when the machine forbids it).

    ``fields`` are stored with the new state in the same UPDATE; an attempt row records the
    event with the error code and message. Returns ``submission`` with the stored values set
    (the same object: the UPDATE wrote exactly these, so it is not read back).
    """
    seen = submission.state_enum
    new = next_state(seen, event)
    message = message[:MESSAGE_LENGTH]
    changes: dict[str, Any] = {"state": new.value, "updated_at": timezone.now(), **fields}
    if new is SubmissionState.NEEDS_ACTION:
        changes.update(error_code=error_code, error_message=message)
    elif new is SubmissionState.SENT:
        changes.update(error_code="", error_message="")
    # No savepoint of its own: nothing is written when the compare-and-set fails (the caller's
    # transaction goes on), and a failed write fails the caller's transaction as it should.
    with transaction.atomic(savepoint=False):
        # The round and the batch guard too: a workflow holding the leg of an earlier round (or
        # of a batch it left) moves nothing once a new round or its own workflow has it.
        updated = update_where(
            Submission,
            submission.pk,
            ("state", seen.value),
            ("round", submission.round),
            ("batch", submission.batch),
            **changes,
        )
        if updated == 1:
            insert_row(
                Attempt,
                submission_id=submission.pk,
                at=changes["updated_at"],
                event=event.value,
                state=new.value,
                error_code=error_code,
                message=message,
            )
            if new in _NOTIFIED:
                code = error_code or str(fields.get("voucher_number", ""))
                _notify(submission, _NOTIFIED[new], code)
    if updated != 1:
        raise StaleSubmissionError(f"{submission} is no longer {seen.value}")
    for name, value in changes.items():
        setattr(submission, name, value)
    return submission


_NOTIFIED = {
    SubmissionState.NEEDS_ACTION: events.EventKind.NEEDS_ACTION,
    SubmissionState.SENT: events.EventKind.VOUCHER_SENT,
}


def _notify(submission: Submission, kind: events.EventKind, code: str) -> None:
    """The event of a leg that needs a person, or was sent: its company, run id and code.
    A sent voucher nobody asked for costs at most this one query (:func:`is_wanted`). A failure to
    record the event is logged and never stops the transition (a savepoint keeps it apart;
    an event known to be unwanted costs not even that)."""
    company = submission.company  # loaded with the leg on the send path
    if known_unwanted(kind, company.master_id):
        return
    try:
        with transaction.atomic():
            if not is_wanted(kind, company.master_id):
                return
            notify(
                events.Event(
                    kind,
                    master_id=company.master_id,
                    company_id=company.pk,
                    company_name=company.name,
                    subject=submission.run_key,
                    code=code,
                    path=f"/companies/{company.pk}/",
                )
            )
    except DatabaseError as exc:
        log.warning(
            "notification not recorded",
            extra={"event": "notifications.not_recorded", "error": type(exc).__name__},
        )
