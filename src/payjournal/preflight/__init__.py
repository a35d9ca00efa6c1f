"""Pre-flight checks: what Visma would refuse, found before a journal is sent.

One call for the sending jobs and the dashlet::

    from payjournal import preflight
    checklist = preflight.check_run(run)       # -> Checklist
    checklist.passed                           # send only when True
    for item in checklist.failed:
        item.explain(language)                 # the catalog's what / why / what to do
    preflight.create_fiscal_year(run, start, end)   # the one-click fix, after confirmation

Reads go through a day-long cache per Visma company (:mod:`.cache`); a failed check drops it.
The checks themselves (:mod:`.checks`) work on plain values and a ``Books`` port.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from payjournal.preflight.cache import DailyCache
from payjournal.preflight.checklist import (
    CheckItem,
    CheckKey,
    Checklist,
    CreateFiscalYear,
    FixRefusedError,
    Status,
)
from payjournal.preflight.checks import JournalRow, Target, next_fiscal_year, run_checks

if TYPE_CHECKING:
    from payjournal.payroll.models import PayrollRun
    from payjournal.visma import FiscalYear

__all__ = [
    "CheckItem",
    "CheckKey",
    "Checklist",
    "CreateFiscalYear",
    "DailyCache",
    "FixRefusedError",
    "JournalRow",
    "Status",
    "Target",
    "check_run",
    "create_fiscal_year",
    "next_fiscal_year",
    "run_checks",
]


def check_run(run: PayrollRun, **options: Any) -> Checklist:
    """The checklist of ``run``; see :func:`payjournal.preflight.service.check_run`."""
    from payjournal.preflight import service  # models: imported once the apps are loaded

    return service.check_run(run, **options)


def create_fiscal_year(
    run: PayrollRun, start_date: date, end_date: date, **options: Any
) -> FiscalYear:
    """The one-click fix; see :func:`payjournal.preflight.service.create_fiscal_year`."""
    from payjournal.preflight import service

    return service.create_fiscal_year(run, start_date, end_date, **options)
