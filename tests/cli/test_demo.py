"""``payjournal demo`` holds, ready to try, one case for each error of the original
integration's table — seeded as the demo seeds them (``cli.demo.seed``, the demo-seed emulator
on loopback, the clock on a given day) and tried the way the README's walk-through tries them:

* a company without the fiscal year of its next run (Sundsvall: Check offers the fix);
* a company with the API module off (Fietsenmaker: authorizing fails, then works once on);
* a Visma user with a default company set (jan@fietsen.example: the grant lands in it);
* a run with a wage component missing from the ledger scheme (the Bakkerij's bonus run);

and the banner it prints lists every Visma demo user with the case each company shows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest
import time_machine
from django.core.cache import caches
from django.test import Client

from payjournal import preflight
from payjournal.cli.demo import DEMO_LOGINS, DEMO_MASTER, banner, seed
from payjournal.emulator import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_USERS,
    create_app,
    emulator_of,
    stable_id,
)
from payjournal.emulator.server import run_in_thread
from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.integrations.services import create_account
from payjournal.payroll.models import PayrollCompany, PayrollRun, SeenComponent
from payjournal.payroll.services import RunRejectedError, load_scheme, map_company, store_run
from payjournal.preflight import CheckKey
from payjournal.tenancy.models import Membership
from tests import oauth
from tests.fixtures.tenants import PUBLIC_URL
from tests.visma.browser import authorize
from tests.wiring import rewired

pytestmark = pytest.mark.django_db

#: December: the next run is next month's; January: Visma's year has just begun.
DAYS = [date(2026, 12, 15), date(2027, 1, 10)]


@pytest.fixture(params=DAYS, ids=str)
def demo_day(request: pytest.FixtureRequest, settings: Any) -> Iterator[tuple[date, str]]:
    """The clock on the day and, on it, a fresh demo-seed emulator on loopback with the app's
    Visma settings pointed at it, as ``payjournal demo`` starts them: (the day, its URL)."""
    day: date = request.param
    with (
        time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=UTC)),
        run_in_thread(create_app(seed="demo"), host="127.0.0.1", port=0) as url,
    ):
        caches["default"].clear()
        settings.VISMA_IDENTITY_URL = url
        settings.VISMA_API_URL = f"{url}/v2/"
        settings.VISMA_CLIENT_ID = DEMO_CLIENT_ID
        settings.VISMA_CLIENT_SECRET = DEMO_CLIENT_SECRET
        settings.PAYJOURNAL_PUBLIC_URL = PUBLIC_URL
        with rewired():
            yield day, url
        caches["default"].clear()


def signed_in_admin() -> Client:
    admin = Client()
    admin.force_login(Membership.objects.get(master__name=DEMO_MASTER, user__username="admin").user)
    return admin


def authorize_as(admin: Client, account: VismaAccount, email: str, company_key: str) -> str:
    """Authorize ``account`` at Visma as ``email``, picking the company if Visma asks; the
    callback page's problem code ('' when it worked)."""
    with httpx2.Client() as browser:
        visit = authorize(
            browser,
            oauth.start(admin, account.pk),
            email,
            DEMO_USERS[email],
            company_id=str(stable_id("company", company_key)),
            callback_prefix=PUBLIC_URL,
        )
    page = admin.get(oauth.local(visit.callback)).content.decode()
    account.refresh_from_db()
    return page.split('data-problem="', 1)[1].split('"', 1)[0] if "data-problem" in page else ""


def company(key: str) -> PayrollCompany:
    return PayrollCompany.objects.get(master__name=DEMO_MASTER, key=key)


def test_the_demo_holds_one_case_for_each_error(demo_day: tuple[date, str], tmp_path: Path) -> None:
    day, visma_url = demo_day
    to_try = seed(tmp_path)
    admin = signed_in_admin()

    # a company without the fiscal year of its next run: Check says so and offers the fix
    sundsvall = company("se-sundsvall")
    (next_run,) = PayrollRun.objects.filter(company=sundsvall)
    assert (next_run.period_start, next_run.payment_date.year) == (
        date(day.year + 1, 1, 1),
        day.year + 1,
    )
    account = create_account(sundsvall.master, "Sundsvall – Erik")
    assert authorize_as(admin, account, "erik@nordisk.example", "se-sundsvall") == ""
    map_company(sundsvall, account)
    failed = preflight.check_run(next_run).failed
    assert [item.key for item in failed] == [CheckKey.FISCAL_YEAR]
    next_year = (date(day.year + 1, 1, 1), date(day.year + 1, 12, 31))
    assert failed[0].fix is not None and (failed[0].fix.start_date, failed[0].fix.end_date) == (
        next_year
    )
    preflight.create_fiscal_year(next_run, *next_year)  # the walk-through's one click
    assert preflight.check_run(next_run).passed

    # a company with the API module off: authorizing it fails until the module is on
    fietsen = company("nl-fietsen")
    account = create_account(fietsen.master, "Fietsenmaker – Lena")
    assert authorize_as(admin, account, "lena@fietsen.example", "nl-fietsen") == (
        "module_not_activated"
    )
    assert account.status == AccountStatus.NOT_AUTHORIZED
    switch_on = f"{visma_url}/_emulator/companies/nl-fietsen/settings"
    httpx2.put(switch_on, json={"api_module_enabled": True}).raise_for_status()
    assert authorize_as(admin, account, "lena@fietsen.example", "nl-fietsen") == ""
    map_company(fietsen, account)
    for run in PayrollRun.objects.filter(company=fietsen):
        assert preflight.check_run(run).passed, run.run_id

    # a Visma user with a default company: he picks the Bakkerij, the grant lands elsewhere
    bakkerij = company("nl-bakkerij")
    account = create_account(bakkerij.master, "Bakkerij – Jan")
    httpx2.put(switch_on, json={"api_module_enabled": False}).raise_for_status()
    assert authorize_as(admin, account, "jan@fietsen.example", "nl-bakkerij") == (
        "module_not_activated"
    )
    assert account.status == AccountStatus.NOT_AUTHORIZED

    # a run with a wage component missing from the ledger scheme, left to import
    (bonus,) = [run for run in to_try if run.company.key == "nl-bakkerij"]
    assert bonus.path.is_file() and bonus.path.is_relative_to(tmp_path)
    assert any("'BONUS' has no ledger accounts" in problem for problem in bonus.problems)
    assert "BONUS" not in load_scheme(bakkerij).components
    assert SeenComponent.objects.filter(company=bakkerij, component="BONUS").exists()
    with pytest.raises(RunRejectedError, match="BONUS"):
        store_run(bakkerij, bonus.path.read_bytes(), bonus.path.name)
    assert f"{day.year}-{day.month:02d}-B1" in bonus.path.name  # this month's bonus run


def test_a_restarted_demo_lists_the_run_to_try_again_without_importing_it(
    tmp_path: Path,
) -> None:
    first = seed(tmp_path)
    again = seed(tmp_path)
    assert [run.path for run in again] == [run.path for run in first]
    assert [run.problems for run in again] == [()]  # listed, not tried again


def test_the_banner_lists_every_visma_user_and_what_each_company_shows(tmp_path: Path) -> None:
    to_try = seed(tmp_path)
    emulator = emulator_of(create_app(seed="demo"))
    text = "\n".join(banner(8123, "http://127.0.0.1:9999", tmp_path, emulator, to_try))

    for username, password, _role in DEMO_LOGINS:
        assert f"sign in: {username} / {password}" in text
    for email, password in DEMO_USERS.items():
        assert f"{email} / {password}" in text
    year = datetime.now(UTC).year
    shows = {
        line.split(":", 1)[0].strip(): line
        for line in text.split("What each Visma company shows:", 1)[1].splitlines()
    }
    assert "everything in order" in shows["Bakkerij De Vries B.V."]
    assert "API module is off" in shows["Fietsenmaker Jansen B.V."]
    assert "/_emulator/companies/nl-fietsen/settings" in shows["Fietsenmaker Jansen B.V."]
    assert "lock-date check" in shows["Nordisk Trä AB"]
    assert f"only the fiscal year {year}" in shows["Sundsvall Konsult AB"]
    assert "Create fiscal year" in shows["Sundsvall Konsult AB"]
    assert str(to_try[0].path) in text and "'BONUS' has no ledger accounts" in text
    trap = text.split("jan@fietsen.example / jan-demo", 1)[1]
    assert "default-company trap" in trap
    assert "http://127.0.0.1:9999/settings/default-company" in trap
    mails = next(line for line in text.splitlines() if "mails" in line)
    assert "http://127.0.0.1:8123/notifications/demo-mail/" in mails  # the demo's mail page
