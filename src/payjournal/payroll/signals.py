"""Signals the payroll app sends; other apps (sending) listen without payroll importing them."""

from __future__ import annotations

from django.dispatch import Signal

#: A new version's journal is frozen: the snapshot *and its lines* are stored, inside the
#: import's transaction. Sent with ``journal`` (the :class:`JournalSnapshot`). A receiver of
#: ``post_save`` would see the snapshot before its lines exist.
journal_frozen = Signal()
