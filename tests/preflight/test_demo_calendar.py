"""The demo works on any day it is started: seeded as ``payjournal demo`` seeds it (the demo
seed's emulator, ``cli.demo.seed``) with the clock on a given day, every sample run meant to
be sent passes the pre-flight against the seeded Visma books, and Nordisk's regular runs show
the deliberate lock-date case (Visma locked up to the last day of the previous month)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import httpx2
import pytest
import time_machine
from django.core.cache import caches
from django.test import Client

from payjournal import preflight
from payjournal.cli.demo import DEMO_MASTER, seed
from payjournal.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, create_app, stable_id
from payjournal.emulator.server import run_in_thread
from payjournal.integrations.services import create_account
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.payroll.services import map_company
from payjournal.preflight import CheckKey
from payjournal.tenancy.models import Master, Membership
from tests import oauth
from tests.fixtures.tenants import PUBLIC_URL
from tests.wiring import rewired

pytestmark = pytest.mark.django_db

DAYS = [date(2026, 12, 15), date(2027, 1, 1), date(2027, 3, 1), date(2027, 12, 31)]


@pytest.fixture(params=DAYS, ids=str)
def demo_day(request: pytest.FixtureRequest, settings: Any) -> Iterator[date]:
    """The clock on the day (ticking from 10:00 UTC) and, on it, a fresh demo-seed emulator
    with the app's Visma settings pointed at it, as ``payjournal demo`` starts them."""
    day: date = request.param
    now = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
    # the seed is built when the app is created: inside the travel, on ``day``
    with (
        time_machine.travel(now),
        run_in_thread(create_app(seed="demo"), host="127.0.0.1", port=0) as url,
    ):
        caches["default"].clear()
        settings.VISMA_IDENTITY_URL = url
        settings.VISMA_API_URL = f"{url}/v2/"
        settings.VISMA_CLIENT_ID = DEMO_CLIENT_ID
        settings.VISMA_CLIENT_SECRET = DEMO_CLIENT_SECRET
        settings.PAYJOURNAL_PUBLIC_URL = PUBLIC_URL
        with rewired():
            yield day
        caches["default"].clear()


def connect(admin: Client, company: PayrollCompany, email: str) -> None:
    """Authorize a Visma account as ``email`` for the company's Visma twin and map to it."""
    account = create_account(company.master, f"{company.key} account")
    with httpx2.Client() as browser:
        oauth.connect(admin, browser, account.pk, email, str(stable_id("company", company.key)))
    account.refresh_from_db()
    map_company(company, account)


def runs_of(company: PayrollCompany) -> dict[str, PayrollRun]:
    return {run.run_id: run for run in PayrollRun.objects.filter(company=company)}


def month_label(day: date, months_back: int) -> str:
    index = day.year * 12 + day.month - 1 - months_back
    return f"{index // 12}-{index % 12 + 1:02d}"


def test_every_sample_run_meant_to_be_sent_passes_the_preflight(demo_day: date) -> None:
    seed()
    master = Master.objects.get(name=DEMO_MASTER)
    admin = Client()
    admin.force_login(Membership.objects.get(master=master, user__username="admin").user)
    bakkerij = PayrollCompany.objects.get(master=master, key="nl-bakkerij")
    nordisk = PayrollCompany.objects.get(master=master, key="se-nordisk")
    connect(admin, bakkerij, "anna@bakkerij.example")
    connect(admin, nordisk, "erik@nordisk.example")
    bakkerij_runs, nordisk_runs = runs_of(bakkerij), runs_of(nordisk)
    (off_cycle,) = [run for run in nordisk_runs.values() if run.kind == "off_cycle"]
    regular = sorted(run.run_id for run in nordisk_runs.values() if run.kind == "regular")

    for run in [*bakkerij_runs.values(), off_cycle]:
        checklist = preflight.check_run(run)
        assert checklist.passed, (run.run_id, [(i.key, i.code) for i in checklist.failed])

    # the deliberate case stays: Nordisk's regular runs are paid on or before its lock date
    locked_to = date.fromordinal(demo_day.replace(day=1).toordinal() - 1)
    for run_id in regular:
        assert nordisk_runs[run_id].payment_date <= locked_to
        failed = preflight.check_run(nordisk_runs[run_id]).failed
        assert [(i.key, i.subject) for i in failed] == [
            (CheckKey.PERIOD_OPEN, locked_to.isoformat())
        ]

    # the runs sit in the two months before today; the off-cycle run pays out this month
    two_back, last = month_label(demo_day, 2), month_label(demo_day, 1)
    assert sorted(bakkerij_runs) == [two_back, last, f"{last}-C1"]
    assert regular == [two_back, last]
    assert (off_cycle.run_id, off_cycle.period_label) == (f"{last}-X1", last)
    assert off_cycle.payment_date == demo_day.replace(day=5)


def test_a_restarted_demo_keeps_the_runs_of_its_first_start(demo_day: date) -> None:
    seed()
    master = Master.objects.get(name=DEMO_MASTER)
    first = {c.key: sorted(runs_of(c)) for c in PayrollCompany.objects.filter(master=master)}
    with time_machine.travel(datetime(2028, 6, 1, 10, tzinfo=UTC)):  # months later, same data
        seed()
    again = {c.key: sorted(runs_of(c)) for c in PayrollCompany.objects.filter(master=master)}
    assert again == first
    assert PayrollRun.objects.filter(company__master=master, version__gt=1).count() == 0
