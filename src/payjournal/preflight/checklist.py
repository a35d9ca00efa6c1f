"""The result of a pre-flight: checklist items, each passed, failed (with its catalog entry)
or skipped (an earlier item failed), and the one-click fixes Visma's API allows."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from payjournal import catalog

__all__ = [
    "CheckItem",
    "CheckKey",
    "Checklist",
    "CreateFiscalYear",
    "FixRefusedError",
    "Status",
]


class Status(enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


class CheckKey(enum.Enum):
    """The checks, in the order they run; the title is what the checklist shows."""

    CONNECTION = "connection"
    API_MODULE = "api_module"
    LEDGER_ACCOUNTS = "ledger_accounts"
    FISCAL_YEAR = "fiscal_year"
    PERIOD_OPEN = "period_open"
    ACCOUNTS = "accounts"
    COST_CENTERS = "cost_centers"

    @property
    def title(self) -> Promise:
        return _TITLES[self]


_TITLES: dict[CheckKey, Promise] = {
    CheckKey.CONNECTION: _("The connection works and is bound to the mapped Visma company"),
    CheckKey.API_MODULE: _("Visma's API module answers for the company"),
    CheckKey.LEDGER_ACCOUNTS: _("Every row of the journal has a ledger account"),
    CheckKey.FISCAL_YEAR: _("A fiscal year covers the voucher date and is open"),
    CheckKey.PERIOD_OPEN: _("The voucher date is after the accounting lock date"),
    CheckKey.ACCOUNTS: _("Every account exists, is active and open for manual booking"),
    CheckKey.COST_CENTERS: _("Every cost center exists and is allowed on its account"),
}


class FixRefusedError(Exception):
    """The one-click fix does not apply (the check passes now, or proposes other dates)."""


@dataclass(frozen=True, slots=True)
class CreateFiscalYear:
    """The one-click fix for a missing fiscal year: ``POST /v2/fiscalyears`` with these dates."""

    start_date: date
    end_date: date


@dataclass(frozen=True, slots=True)
class CheckItem:
    """One line of the checklist. ``code`` is the catalog entry of a failure; ``subject`` names
    what it concerns (an account number, a cost center on an account); ``error`` keeps the
    Visma error that made it fail, for its original message."""

    key: CheckKey
    status: Status
    code: str = ""
    subject: str = ""
    fix: CreateFiscalYear | None = None
    error: BaseException | None = field(default=None, compare=False)
    #: the voucher date a date check judged (a locked period names it beside the lock date)
    voucher_date: date | None = field(default=None, compare=False)
    lock_date: date | None = field(default=None, compare=False)

    @property
    def title(self) -> str:
        return str(self.key.title)

    def explain(
        self,
        language: str | None = None,
        *,
        ids: Mapping[str, int] | None = None,
        here: str | None = None,
    ) -> catalog.Explanation | None:
        """The catalog's explanation of a failure (``None`` when passed or skipped); ``ids``
        and ``here`` place its link (:func:`payjournal.catalog.explain`). A failure found by a
        check of ours, not answered by Visma, has no original message: the catalog's sample of
        Visma's wording is not shown as if Visma had said it."""
        if self.status is not Status.FAILED:
            return None
        if self.error is not None:
            return catalog.explain(self.error, language, ids=ids, here=here)
        explained = catalog.explain(self.code, language, ids=ids, here=here)
        return replace(explained, original="", details=())

    @property
    def found_before_sending(self) -> bool:
        """Failed on what payjournal read of the books, not on an error Visma answered."""
        return self.status is Status.FAILED and self.error is None

    def as_dict(self, language: str | None = None) -> dict[str, Any]:
        explained = self.explain(language)
        return {
            "key": self.key.value,
            "status": self.status.value,
            "title": self.title,
            "subject": self.subject,
            "error": explained.as_dict() if explained else None,
            "fix": (
                {
                    "action": "create_fiscal_year",
                    "start_date": self.fix.start_date.isoformat(),
                    "end_date": self.fix.end_date.isoformat(),
                }
                if self.fix
                else None
            ),
        }


@dataclass(frozen=True, slots=True)
class Checklist:
    """Every item of one run's pre-flight; the run may be sent only when ``passed``."""

    items: tuple[CheckItem, ...]

    @property
    def passed(self) -> bool:
        return all(item.status is Status.PASSED for item in self.items)

    @property
    def failed(self) -> tuple[CheckItem, ...]:
        return tuple(item for item in self.items if item.status is Status.FAILED)

    def item(self, key: CheckKey) -> tuple[CheckItem, ...]:
        return tuple(i for i in self.items if i.key is key)

    def as_dict(self, language: str | None = None) -> dict[str, Any]:
        return {"passed": self.passed, "items": [i.as_dict(language) for i in self.items]}
