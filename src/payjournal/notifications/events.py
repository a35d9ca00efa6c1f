"""The events payjournal notifies about, as values: what happened, to which company, where to look.

An event carries no personal payroll data: a company name, a run id, a catalog code and a
short subject (an account number, a date) — what an operations lead needs to act, and what a
webhook receiver may log.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = ["Event", "EventKind"]


class EventKind(enum.Enum):
    """The kinds of event, by the name webhooks carry (``type``)."""

    NEEDS_ACTION = "journal.needs_action"
    REAUTHORIZATION = "connection.needs_reauthorization"
    DRIFT = "scheme.drift_found"
    FISCAL_YEAR_MISSING = "books.fiscal_year_missing"
    VOUCHER_SENT = "journal.sent"

    @property
    def label(self) -> Promise:
        return _LABELS[self]

    @classmethod
    def choices(cls) -> list[tuple[str, Promise]]:
        return [(kind.value, kind.label) for kind in cls]


_LABELS: dict[EventKind, Promise] = {
    EventKind.NEEDS_ACTION: _("A journal needs action"),
    EventKind.REAUTHORIZATION: _("A connection needs re-authorization"),
    EventKind.DRIFT: _("Drift found in a ledger scheme"),
    EventKind.FISCAL_YEAR_MISSING: _("No fiscal year for the next voucher date"),
    EventKind.VOUCHER_SENT: _("A voucher was sent"),
}

#: What a person gets unless they choose otherwise: everything but each sent voucher.
DEFAULT_KINDS = tuple(kind.value for kind in EventKind if kind is not EventKind.VOUCHER_SENT)


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened. ``company_id`` is ``None`` for a master-wide event (an
    account's connection); ``path`` is where in payjournal to act (site-relative)."""

    kind: EventKind
    master_id: int
    company_id: int | None = None
    company_name: str = ""
    #: What the event concerns, e.g. a run id, an account number, a voucher date.
    subject: str = ""
    #: A catalog code (``fiscal_year_missing``, ``account_inactive``) or an error code.
    code: str = ""
    path: str = ""
    occurred_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def payload(self, event_id: str, occurred_at: datetime) -> dict[str, Any]:
        """The JSON a webhook receives (no personal payroll data)."""
        return {
            "id": event_id,
            "type": self.kind.value,
            "occurred_at": occurred_at.isoformat(),
            "master_id": self.master_id,
            "company": (
                {"id": self.company_id, "name": self.company_name}
                if self.company_id is not None
                else None
            ),
            "subject": self.subject,
            "code": self.code,
            "path": self.path,
            **({"data": self.extra} if self.extra else {}),
        }
