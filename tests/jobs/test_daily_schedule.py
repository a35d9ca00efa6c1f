"""The daily checks as DBOS runs them: a running executor has the 03:00 schedule in the
configured time zone, and a firing of it (triggered now, the way the scheduler enqueues it)
stores a drift report for every mapped company."""

from __future__ import annotations

from typing import Any

import pytest
from dbos import DBOS

from payjournal.emulator import Emulator
from payjournal.preflight.models import DriftReport
from payjournal.preflight.workflows import DAILY_CHECKS_CRON, DAILY_CHECKS_SCHEDULE
from tests.fixtures.books import Books


@pytest.mark.django_db(transaction=True)
def test_the_executor_runs_the_daily_checks_on_schedule(
    books: Books, visma: Emulator, executor: None, settings: Any
) -> None:
    schedule = DBOS.get_schedule(DAILY_CHECKS_SCHEDULE)
    assert schedule is not None
    assert schedule["workflow_name"] == "payjournal.daily_checks"
    assert (schedule["schedule"], schedule["cron_timezone"]) == (
        DAILY_CHECKS_CRON,
        settings.TIME_ZONE,
    )
    assert DAILY_CHECKS_CRON.split()[:3] == ["0", "0", "3"]  # 03:00:00
    bakkerij = visma.state.company("nl-bakkerij")
    assert bakkerij is not None
    for year in bakkerij.fiscal_years.values():
        year.accounts[4000].is_active = False

    DBOS.trigger_schedule(DAILY_CHECKS_SCHEDULE).get_result()

    reports = {r.company_id: r for r in DriftReport.objects.all()}
    assert set(reports) == {books.bakkerij.pk, books.nordisk.pk}
    assert reports[books.bakkerij.pk].failures == [
        {"key": "accounts", "code": "account_inactive", "subject": "4000"}
    ]
    assert reports[books.nordisk.pk].passed
