"""Automatic sending and superseding: a new version of a run (a journal frozen by an import,
:data:`payjournal.payroll.signals.journal_frozen`, its lines stored) goes to
:func:`payjournal.sending.services.payroll_changed` in the import's own transaction — booked
at once when the company sends automatically (every run kind: regular, correction, off-cycle),
else only the legs still waiting for the old version are replaced."""

from __future__ import annotations

from typing import Any

from payjournal.payroll.models import JournalSnapshot
from payjournal.payroll.signals import journal_frozen


def _journal_frozen(sender: type[JournalSnapshot], journal: JournalSnapshot, **_: Any) -> None:
    from payjournal.sending.services import payroll_changed

    payroll_changed(journal.run)


def connect() -> None:
    journal_frozen.connect(_journal_frozen, dispatch_uid="sending.auto_send")
