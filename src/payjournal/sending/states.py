"""The one place a submission changes state: the domain's machine, a compare-and-set, a timeline row.

Every transition is an UPDATE conditioned on the state the caller saw, so two workers can never
both move one submission; the loser gets :class:`StaleSubmissionError`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from payjournal.domain.submission import Event, SubmissionState, next_state
from payjournal.sending.models import Attempt, Submission
from payjournal.sending.summary import refresh

MESSAGE_LENGTH = 500


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
    event with the error code and message, and the company's summary follows
    (:func:`payjournal.sending.summary.refresh`). Returns ``submission`` with the stored values set
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
    with transaction.atomic():
        updated = Submission.objects.filter(pk=submission.pk, state=seen.value).update(**changes)
        if updated != 1:
            raise StaleSubmissionError(f"{submission} is no longer {seen.value}")
        Attempt.objects.create(
            submission_id=submission.pk,
            event=event.value,
            state=new.value,
            error_code=error_code,
            message=message,
        )
        refresh(submission.company_id)
    for name, value in changes.items():
        setattr(submission, name, value)
    return submission
