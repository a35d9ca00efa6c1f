"""The three errors of the seed integration's table, each stopped by a pre-flight check on the
dashlet, and passing after the fix: fiscal year missing (created with the one-click fix), API
module off (switched on at Visma), and a row without a ledger account (mapping completed).
Plus the cache: Visma's request log shows one read per company per day."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import httpx2
import pytest
from django.core.cache import caches
from django.test import Client

from payjournal import catalog, preflight
from payjournal.emulator import stable_id
from payjournal.integrations.services import create_account
from payjournal.payroll.models import JournalLine, PayrollCompany, PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.payroll.services import RunRejectedError, map_company
from payjournal.preflight import CheckKey, DailyCache, Status
from payjournal.sending.services import import_run
from payjournal.tenancy.models import Membership
from tests import oauth
from tests.fixtures.books import next_january
from tests.fixtures.tenants import Tenant

pytestmark = pytest.mark.django_db


def connect(
    tenant: Tenant, http: httpx2.Client, company: PayrollCompany, email: str, key: str
) -> None:
    """Authorize a Visma account for ``key`` through the real OAuth pages and map to it."""
    account = create_account(tenant.master, f"{key} account")
    admin = tenant.client(tenant.admin)
    oauth.connect(admin, http, account.pk, email, str(stable_id("company", key)))
    account.refresh_from_db()
    map_company(company, account)


def sample(key: str, name: str) -> bytes:
    return (samples_dir() / key / name).read_bytes()


def check_page(client: Client, run: PayrollRun) -> str:
    response = client.post(f"/companies/{run.company_id}/runs/{run.pk}/check/")
    assert response.status_code == 200
    return response.content.decode()


def status_of(page: str, key: CheckKey) -> str:
    return page.split(f'data-check="{key.value}" data-status="', 1)[1].split('"', 1)[0]


def speak(member: Membership, language: str) -> Client:
    """A signed-in browser of ``member``, who chose ``language`` (the browser asks English)."""
    member.language = language
    member.save()
    client = Client(headers={"accept-language": "en"})
    client.force_login(member.user)
    return client


def requests_to(control: httpx2.Client, endpoint: str) -> int:
    log = control.get("/_emulator/requests", params={"endpoint": endpoint}).json()
    return len(log["requests"] if isinstance(log, dict) else log)


def test_fiscal_year_missing_is_caught_and_created_with_one_click(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    # the year end has not happened yet at Nordisk Trä: next year's books do not exist
    connect(tenant, browser_http, tenant.nordisk, "erik@nordisk.example", "se-nordisk")
    next_year = stable_id("se-nordisk", "fiscalyear", "2027")
    control.delete(f"/_emulator/companies/se-nordisk/fiscalyears/{next_year}").raise_for_status()
    january = next_january(sample("se-nordisk", "run-2026-10.csv"))
    run = import_run(tenant.nordisk, january, "run-2027-01.csv").run
    admin = speak(tenant.admin, "nl")

    page = check_page(admin, run)
    assert status_of(page, CheckKey.FISCAL_YEAR) == "failed"
    assert 'data-passed="false"' in page
    assert "Visma heeft geen boekjaar voor de boekdatum." in page
    assert "Boekjaar 01-01-2027 – 31-12-2027 aanmaken in Visma" in page  # Dutch dates

    fix = f"/companies/{run.company_id}/runs/{run.pk}/check/fiscal-year/"
    dates = {"start_date": "2027-01-01", "end_date": "2027-12-31"}
    unconfirmed = admin.post(fix, dates).content.decode()
    assert "Er is niets aangemaakt: bevestig eerst het boekjaar." in unconfirmed
    assert tenant.client(tenant.viewer).post(fix, dates | {"confirm": "yes"}).status_code == 403

    done = admin.post(fix, dates | {"confirm": "yes"}).content.decode()
    assert "Boekjaar 2027-01-01 – 2027-12-31 is aangemaakt in Visma." in done
    assert status_of(done, CheckKey.FISCAL_YEAR) == "passed"
    assert preflight.check_run(run).passed
    with pytest.raises(preflight.FixRefusedError):  # a second click creates nothing
        preflight.create_fiscal_year(run, date(2027, 1, 1), date(2027, 12, 31))


def test_api_module_off_is_caught_and_passes_once_switched_on(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    connect(tenant, browser_http, tenant.bakkerij, "anna@bakkerij.example", "nl-bakkerij")
    run = import_run(tenant.bakkerij, sample("nl-bakkerij", "run-2026-10.json"), "run.json").run
    settings_url = "/_emulator/companies/nl-bakkerij/settings"
    control.put(settings_url, json={"api_module_enabled": False}).raise_for_status()
    admin = tenant.client(tenant.admin)

    page = check_page(admin, run)
    assert status_of(page, CheckKey.API_MODULE) == "failed"
    assert "The API module is not activated for this Visma company." in page
    assert "No access to module: api_standard" in page
    assert (
        status_of(
            speak(tenant.admin, "nl")
            .post(f"/companies/{run.company_id}/runs/{run.pk}/check/")
            .content.decode(),
            CheckKey.API_MODULE,
        )
        == "failed"
    )

    control.put(settings_url, json={"api_module_enabled": True}).raise_for_status()
    # the failure dropped the cached reads: the next check asks Visma again and passes
    page = check_page(admin, run)
    assert 'data-passed="true"' in page and "Klaar om te versturen" in page


def test_a_row_without_a_ledger_account_is_caught_and_passes_once_mapped(
    tenant: Tenant, books_url: str, browser_http: httpx2.Client
) -> None:
    connect(tenant, browser_http, tenant.bakkerij, "anna@bakkerij.example", "nl-bakkerij")
    data = json.loads(sample("nl-bakkerij", "run-2026-10.json"))
    data["lines"].append(dict(data["lines"][0], component="BONUS", amount="250.00"))
    with_bonus = json.dumps(data).encode()
    # the import already refuses a component without accounts, and says why
    with pytest.raises(RunRejectedError):
        import_run(tenant.bakkerij, with_bonus, "run.json")
    explained = catalog.explain("'Ledger' cannot be empty", "nl")
    assert explained.message == "Een looncomponent heeft geen grootboekrekening."

    # a journal row without an account (stored before its mapping was complete) is caught
    run = import_run(tenant.bakkerij, sample("nl-bakkerij", "run-2026-10.json"), "run.json").run
    JournalLine.objects.filter(journal__run=run, position=1).update(account="")
    checklist = preflight.check_run(run)
    assert [(i.key, i.code, i.subject) for i in checklist.failed] == [
        (CheckKey.LEDGER_ACCOUNTS, "unmapped_component", "1")
    ]
    page = check_page(tenant.client(tenant.admin), run)
    assert "A wage component has no ledger account." in page

    # mapping completed: BONUS gets its accounts, the run is imported and every check passes
    scheme = json.loads(tenant.bakkerij.scheme_source)
    scheme["components"].append(dict(scheme["components"][0], component="BONUS"))
    tenant.bakkerij.scheme_source = json.dumps(scheme)
    tenant.bakkerij.save()
    completed = import_run(tenant.bakkerij, with_bonus, "run.json").run
    assert preflight.check_run(completed).passed


def test_reads_are_cached_per_company_per_day_and_dropped_on_failure(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    connect(tenant, browser_http, tenant.bakkerij, "anna@bakkerij.example", "nl-bakkerij")
    runs = [
        import_run(tenant.bakkerij, sample("nl-bakkerij", name), name).run
        for name in ("run-2026-09.json", "run-2026-10.json")
    ]
    day = [date(2026, 11, 25)]
    cache = DailyCache(today=lambda: day[0])
    endpoints = (
        "GET /v2/companysettings",
        "GET /v2/fiscalyears",
        "GET /v2/accounts/{fiscalyearId}",
        "GET /v2/costcenters",
    )
    before = {e: requests_to(control, e) for e in endpoints}

    def reads() -> dict[str, int]:
        return {e: requests_to(control, e) - before[e] for e in endpoints}

    for _ in range(3):
        for run in runs:
            assert preflight.check_run(run, cache=cache).passed
    assert reads() == dict.fromkeys(endpoints, 1)

    day[0] = date(2026, 11, 26)
    assert preflight.check_run(runs[0], cache=cache).passed
    assert reads() == dict.fromkeys(endpoints, 2)

    control.put("/_emulator/companies/nl-bakkerij/accounts/4000", json={"is_active": False})
    day[0] = date(2026, 11, 27)
    failed = preflight.check_run(runs[0], cache=cache)
    assert [(i.code, i.subject) for i in failed.failed] == [("account_inactive", "4000")]
    control.put("/_emulator/companies/nl-bakkerij/accounts/4000", json={"is_active": True})
    assert preflight.check_run(runs[0], cache=cache).passed  # same day, read again
    assert reads() == dict.fromkeys(endpoints, 4)
    assert failed.failed[0].status is Status.FAILED


def test_a_locked_period_and_a_removed_account_are_caught_before_sending(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    # Nordisk Trä's books are locked to the end of last month: October's run cannot be booked
    connect(tenant, browser_http, tenant.nordisk, "erik@nordisk.example", "se-nordisk")
    run = import_run(tenant.nordisk, sample("se-nordisk", "run-2026-10.csv"), "run.csv").run
    checklist = preflight.check_run(run)
    assert [(i.key, i.code) for i in checklist.failed] == [(CheckKey.PERIOD_OPEN, "period_locked")]
    page = check_page(speak(tenant.admin, "sv"), run)
    assert "Verifikationsdatumet ligger i en låst period." in page
    assert status_of(page, CheckKey.PERIOD_OPEN) == "failed"

    control.put(
        "/_emulator/companies/se-nordisk/settings", json={"accounting_locked_to": None}
    ).raise_for_status()
    control.put(
        "/_emulator/companies/se-nordisk/accounts/7410", json={"is_active": False}
    ).raise_for_status()
    checklist = preflight.check_run(run)
    assert [(i.code, i.subject) for i in checklist.failed] == [("account_inactive", "7410")]


def test_a_failure_on_cached_reads_is_confirmed_on_fresh_ones(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    """Reads cached before a bookkeeper's fix (another process's, or the memo's) never stop a
    send: the failure is checked again on fresh reads, which pass. A failure found on fresh
    reads is not read twice."""
    connect(tenant, browser_http, tenant.bakkerij, "anna@bakkerij.example", "nl-bakkerij")
    run = import_run(tenant.bakkerij, sample("nl-bakkerij", "run-2026-09.json"), "r.json").run
    cache = DailyCache()
    assert preflight.check_run(run, cache=cache).passed
    key, day = tenant.bakkerij.visma_company_id, run.journal.voucher_date
    year = next(y for y in cache.get_or_load(key, "fiscalyears", tuple) if y.contains(day))
    chart = cache.get_or_load(key, f"accounts:{year.id}", dict)
    stale = dict(chart, **{"4000": dataclasses.replace(chart["4000"], is_active=False)})
    DailyCache.forget_memo()
    # Both keys the chart is kept under: its year's, and the one a prefetch brings it by.
    caches["default"].set(f"payjournal:preflight:{key}:accounts:{year.id}", (date.today(), stale))
    caches["default"].set(
        f"payjournal:preflight:{key}:accounts:last", (date.today(), (year.id, stale))
    )
    accounts = "GET /v2/accounts/{fiscalyearId}"
    before = requests_to(control, accounts)

    assert preflight.check_run(run, cache=cache).passed
    assert requests_to(control, accounts) == before + 1

    control.put("/_emulator/companies/nl-bakkerij/accounts/4000", json={"is_active": False})
    cache.invalidate(key)
    failed = preflight.check_run(run, cache=cache)
    assert [(i.code, i.subject) for i in failed.failed] == [("account_inactive", "4000")]
    assert requests_to(control, accounts) == before + 2
