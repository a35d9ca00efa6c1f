"""Automatic sending and superseding: a new version of a run (a journal frozen by an import)
goes to :func:`payjournal.sending.services.payroll_changed` in the import's own transaction —
booked at once when the company sends automatically (every run kind: regular, correction,
off-cycle), else only the legs still waiting for the old version are replaced."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from payjournal.payroll.models import JournalSnapshot


def _journal_saved(
    sender: type[JournalSnapshot], instance: JournalSnapshot, created: bool, **_: Any
) -> None:
    if not created:
        return
    from payjournal.sending.services import payroll_changed

    payroll_changed(instance.run)


def connect() -> None:
    post_save.connect(_journal_saved, sender=JournalSnapshot, dispatch_uid="sending.auto_send")
