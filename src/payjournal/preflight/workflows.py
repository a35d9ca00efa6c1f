"""The daily checks as a durable workflow: every day at 03:00 (``TIME_ZONE``) the drift check of
every mapped company (:func:`payjournal.preflight.daily.check_every_company`), which also reads
the day's books into the cache ahead of the sends.

It lives with the code it runs; the executor schedules it (:data:`DAILY_CHECKS`, started with
the sending workflows by :func:`payjournal.sending.workflows.start`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dbos import DBOS
from django.db import close_old_connections

from payjournal.jobs import Schedule
from payjournal.preflight.daily import check_every_company

__all__ = ["DAILY_CHECKS", "DAILY_CHECKS_CRON", "DAILY_CHECKS_SCHEDULE", "daily_checks_workflow"]

DAILY_CHECKS_SCHEDULE = "payjournal-daily-checks"
#: Six-field cron (seconds first) in ``TIME_ZONE``: the drift check at 03:00.
DAILY_CHECKS_CRON = "0 0 3 * * *"


@DBOS.step(name="payjournal.daily_checks_step")
def daily_checks_step() -> int:
    close_old_connections()
    try:
        return check_every_company().drifted
    finally:
        close_old_connections()


@DBOS.workflow(name="payjournal.daily_checks")
def daily_checks_workflow(scheduled_at: datetime, context: Any) -> None:
    """Every day: the drift check of every mapped company (it also warms the day's reads)."""
    daily_checks_step()


DAILY_CHECKS = Schedule(DAILY_CHECKS_SCHEDULE, DAILY_CHECKS_CRON, daily_checks_workflow)
