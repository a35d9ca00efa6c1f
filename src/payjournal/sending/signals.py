"""Automatic sending: a run processed for a company that sends automatically is queued at once,
in the import's own transaction (every run kind: regular, correction, off-cycle)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from payjournal.payroll.models import JournalSnapshot


def _journal_saved(
    sender: type[JournalSnapshot], instance: JournalSnapshot, created: bool, **_: Any
) -> None:
    if not created:
        return
    from payjournal.sending.services import request_send, sends_automatically

    run = instance.run
    if sends_automatically(run.company) and run.company.visma_account_id is not None:
        request_send(run)


def connect() -> None:
    post_save.connect(_journal_saved, sender=JournalSnapshot, dispatch_uid="sending.auto_send")
