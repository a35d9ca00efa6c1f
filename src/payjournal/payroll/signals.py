"""Signals of payroll processing.

``journal_frozen`` is sent once a new run version's journal is stored whole — its lines too —
inside the import's transaction, with ``journal=`` the :class:`JournalSnapshot`. (A
``post_save`` of the snapshot comes before its lines exist: whoever compares journals then,
such as automatic sending deciding whether a correction changes anything, would see none.)
"""

from django.dispatch import Signal

__all__ = ["journal_frozen"]

journal_frozen = Signal()
