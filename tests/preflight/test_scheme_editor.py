"""The ledger scheme editor against the emulator on loopback: accounts picked from the mapped
Visma company's chart (and checked again on the server), roles and tenants, coverage of the
components seen in runs, drift, and saving — which changes later journals, never built ones."""

from __future__ import annotations

import json

import httpx2
import pytest
from django.test import Client
from django.utils import timezone

from payjournal.payroll.models import JournalLine, PayrollCompany, PayrollRun
from payjournal.payroll.schemes import MappingChange, SchemeRefusedError, save_mapping
from payjournal.payroll.services import RunRejectedError, load_scheme
from payjournal.preflight import daily
from payjournal.preflight.drift import check_scheme
from payjournal.sending.services import import_run
from tests.fixtures.tenants import Tenant
from tests.preflight.test_seed_errors import connect, sample, speak

pytestmark = pytest.mark.django_db


def url(company: PayrollCompany) -> str:
    return f"/companies/{company.pk}/scheme/"


def change(client: Client, company: PayrollCompany, **fields: str) -> str:
    """Post a change of one mapping (the GROSS row as it is, unless ``fields`` say otherwise)."""
    data = {
        "action": "change",
        "component": "GROSS",
        "debit_account": "4000",
        "credit_account": "1650",
        "cost_center_side": "debit",
    } | fields
    response = client.post(url(company), data)
    if response.status_code == 302:
        return client.get(response["Location"]).content.decode()
    assert response.status_code == 422  # refused: the chart or the scheme says no
    return response.content.decode()


def bakkerij_connected(tenant: Tenant, browser_http: httpx2.Client) -> PayrollCompany:
    connect(tenant, browser_http, tenant.bakkerij, "anna@bakkerij.example", "nl-bakkerij")
    tenant.bakkerij.refresh_from_db()
    return tenant.bakkerij


def test_the_picker_offers_only_active_bookable_accounts_of_the_mapped_company(
    tenant: Tenant, books_url: str, browser_http: httpx2.Client
) -> None:
    company = bakkerij_connected(tenant, browser_http)
    client = tenant.client(tenant.payroll)
    listed = client.get(url(company)).content.decode()
    assert 'aria-label="Change GROSS"' in listed and "Lonen en salarissen" in listed
    assert listed.count('<select name="debit_account"') == 1  # the form that adds a mapping
    page = client.get(url(company), {"edit": "GROSS"}).content.decode()
    assert 'aria-label="Debit account of GROSS"' in page
    assert 'aria-label="Debit account of NET_PAY"' not in page
    assert '<option value="4300">4300 — Reiskostenvergoeding</option>' in page
    assert '<option value="4000" selected>4000 — Lonen en salarissen</option>' in page
    for not_offered in ("1690", "4390", "1510"):  # inactive, inactive, blocked for manual booking
        assert f'<option value="{not_offered}"' not in page
    assert "fiscal year 20" in page and 'id="chart-problem"' not in page


def test_a_number_that_is_not_bookable_is_refused_on_the_server_and_nothing_changes(
    tenant: Tenant, books_url: str, browser_http: httpx2.Client
) -> None:
    company = bakkerij_connected(tenant, browser_http)
    before = company.scheme_source
    client = tenant.client(tenant.payroll)
    page = change(client, company, debit_account="4999", credit_account="4390")
    assert "Nothing was saved." in page
    assert "Component GROSS: debit account 4999 is not in the Visma chart of accounts" in page
    assert "Component GROSS: credit account 4390 is inactive in the Visma chart of accounts" in page
    blocked = change(client, company, credit_account="1510")
    assert "credit account 1510 is closed for manual booking in Visma" in blocked
    added = client.post(
        url(company),
        {"action": "add", "component": "BONUS", "debit_account": "12ab", "credit_account": "1650"},
    ).content.decode()
    assert "Component BONUS: debit account 12ab is not in the Visma chart" in added
    dutch = change(speak(tenant.payroll, "nl"), company, debit_account="4999")
    assert "Component GROSS: debetrekening 4999 staat niet in het rekeningschema van Visma" in dutch
    company.refresh_from_db()
    assert company.scheme_source == before


def test_roles_and_tenants(
    tenant: Tenant, other_tenant: Tenant, books_url: str, browser_http: httpx2.Client
) -> None:
    company = bakkerij_connected(tenant, browser_http)
    viewer = tenant.client(tenant.viewer)
    read = viewer.get(url(company)).content.decode()
    assert 'data-mapping="GROSS"' in read and "<select" not in read
    assert viewer.post(url(company), {"component": "GROSS"}).status_code == 403
    # the payroll administrator is assigned to the bakery only; another master sees nothing
    assert tenant.client(tenant.payroll).get(url(tenant.nordisk)).status_code == 404
    for member in (other_tenant.admin, other_tenant.payroll):
        assert other_tenant.client(member).get(url(company)).status_code == 404
        assert other_tenant.client(member).post(url(company), {}).status_code == 404
    company.refresh_from_db()
    assert load_scheme(company).components["GROSS"].debit_account == "4000"


def test_an_unconnected_company_says_so_and_offers_no_editing(tenant: Tenant) -> None:
    admin = speak(tenant.admin, "nl")
    page = admin.get(url(tenant.nordisk)).content.decode()
    assert 'id="chart-problem"' in page and 'data-problem="not_authorized"' in page
    assert "Grootboekschema van a Nordisk" in page
    assert "De werkgever is niet gekoppeld aan een geautoriseerde Visma-administratie." in page
    assert "<select" not in page and 'data-mapping="7210"' not in page
    refused = admin.post(
        url(tenant.nordisk),
        {"action": "change", "component": "GROSS", "debit_account": "1", "credit_account": "2"},
    ).content.decode()
    assert 'id="scheme-problems"' in refused
    assert (
        "Er is niets opgeslagen: het rekeningschema van Visma kon niet worden gelezen." in refused
    )
    before = tenant.nordisk.scheme_source
    tenant.nordisk.refresh_from_db()
    assert tenant.nordisk.scheme_source == before


def test_visma_refusing_shows_the_catalog_explanation_not_a_traceback(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    company = bakkerij_connected(tenant, browser_http)
    settings_url = "/_emulator/companies/nl-bakkerij/settings"
    control.put(settings_url, json={"api_module_enabled": False}).raise_for_status()
    response = tenant.client(tenant.payroll).get(url(company))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The API module is not activated for this Visma company." in page
    assert "No access to module: api_standard" in page and "<select" not in page


def test_coverage_lists_an_unmapped_component_and_mapping_it_lets_the_run_in(
    tenant: Tenant, books_url: str, browser_http: httpx2.Client
) -> None:
    company = bakkerij_connected(tenant, browser_http)
    data = json.loads(sample("nl-bakkerij", "run-2026-10.json"))
    data["lines"].append(dict(data["lines"][0], component="BONUS", amount="250.00"))
    with_bonus = json.dumps(data).encode()
    with pytest.raises(RunRejectedError):
        import_run(company, with_bonus, "run.json")
    assert not PayrollRun.objects.filter(company=company).exists()

    client = tenant.client(tenant.payroll)
    page = client.get(url(company)).content.decode()
    assert '<tr data-component="BONUS" data-mapped="false">' in page
    assert '<tr data-component="GROSS" data-mapped="true">' in page
    assert 'href="?component=BONUS#add-mapping"' in page
    assert 'value="BONUS"' in client.get(url(company), {"component": "BONUS"}).content.decode()

    new = {
        "action": "add",
        "component": "BONUS",
        "description": "Bonus",
        "cost_center_side": "debit",
    }
    saved = client.post(url(company), new | {"debit_account": "4300", "credit_account": "1650"})
    assert saved.status_code == 302
    assert 'data-component="BONUS" data-mapped="true"' in client.get(url(company)).content.decode()
    twice = change(client, company, **new, debit_account="4000", credit_account="1650")
    assert "Component BONUS is already mapped" in twice

    company.refresh_from_db()
    run = import_run(company, with_bonus, "run.json").run
    lines = JournalLine.objects.filter(journal__run=run)
    assert lines.filter(account="4300", text="Bonus", side="debit").exists()


def test_saving_changes_later_journals_and_never_a_built_one(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    # 1650 goes inactive in Visma: it is drift, and saving the other side of GROSS still works
    control.put("/_emulator/companies/nl-bakkerij/accounts/1650", json={"is_active": False})
    company = bakkerij_connected(tenant, browser_http)
    september = import_run(company, sample("nl-bakkerij", "run-2026-09.json"), "09.json").run
    frozen = list(
        JournalLine.objects.filter(journal__run=september).values_list("account", "amount_minor")
    )
    client = tenant.client(tenant.payroll)
    page = client.get(url(company)).content.decode()
    assert '<li data-drift="GROSS">' in page and 'data-state="inactive"' in page
    assert 'href="?edit=GROSS#mapping-1-row">Pick another account</a>' in page
    editing = client.get(url(company), {"edit": "GROSS"}).content.decode()
    assert '<option value="1650" selected>1650 — not bookable in Visma</option>' in editing

    done = change(client, company, debit_account="4300")
    assert "The mapping of GROSS was saved." in done
    company.refresh_from_db()
    scheme = load_scheme(company)
    assert scheme.components["GROSS"].debit_account == "4300"
    assert scheme.components["GROSS"].credit_account == "1650"
    assert scheme.components["GROSS"].description == "Bruto loon"
    assert company.scheme_source.lstrip().startswith("{")

    october = import_run(company, sample("nl-bakkerij", "run-2026-10.json"), "10.json").run
    assert JournalLine.objects.filter(journal__run=october, account="4300").exists()
    assert not JournalLine.objects.filter(journal__run=october, account="4000").exists()
    after = JournalLine.objects.filter(journal__run=september).values_list(
        "account", "amount_minor"
    )
    assert list(after) == frozen
    assert any(account == "4000" for account, _ in frozen)


def test_a_save_is_validated_by_the_domain_like_an_upload_and_is_all_or_nothing(
    tenant: Tenant,
) -> None:
    def anything_goes(number: str) -> str:  # an AccountCheck that accepts every number
        return ""

    company = tenant.bakkerij
    before = company.scheme_source
    bad = MappingChange("GROSS", "12ab", "1650", "debit")
    with pytest.raises(SchemeRefusedError) as refused:
        save_mapping(company, bad, anything_goes)
    assert any("'12ab' is not an account number" in p for p in refused.value.problems)
    with pytest.raises(SchemeRefusedError) as sideways:
        save_mapping(company, MappingChange("GROSS", "4000", "1650", "sideways"), anything_goes)
    assert sideways.value.problems == ["Component GROSS: sideways is not a cost center side."]
    with pytest.raises(SchemeRefusedError):
        save_mapping(company, MappingChange("NEW", "4000", "1650"), anything_goes)  # not mapped
    wordy = MappingChange("BONUS", "4000", "1650", description="x" * 61, is_new=True)
    with pytest.raises(SchemeRefusedError, match="longer than 60 characters"):
        save_mapping(company, wordy, anything_goes)
    company.refresh_from_db()
    assert company.scheme_source == before

    nordisk = tenant.nordisk  # a CSV scheme stays CSV, with its semicolons
    save_mapping(nordisk, MappingChange("BONUS", "7210", "2710", is_new=True), anything_goes)
    nordisk.refresh_from_db()
    assert nordisk.scheme_source.startswith("type;key;value;")
    assert load_scheme(nordisk).components["BONUS"].credit_account == "2710"


def test_the_chart_is_read_once_a_day_and_again_on_request(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    company = bakkerij_connected(tenant, browser_http)
    client = tenant.client(tenant.payroll)
    assert "4300 — Reiskostenvergoeding</option>" in client.get(url(company)).content.decode()
    renamed = {"name": "Reiskosten woon-werk", "is_active": True}
    control.put("/_emulator/companies/nl-bakkerij/accounts/4300", json=renamed).raise_for_status()
    assert "4300 — Reiskostenvergoeding</option>" in client.get(url(company)).content.decode()
    assert tenant.client(tenant.viewer).post(url(company), {"action": "reread"}).status_code == 403
    assert client.post(url(company), {"action": "reread"}).status_code == 302
    assert "4300 — Reiskosten woon-werk</option>" in client.get(url(company)).content.decode()


def test_the_daily_drift_report_on_the_company_page_leads_to_the_editor(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    control.put("/_emulator/companies/nl-bakkerij/accounts/4100", json={"is_active": False})
    company = bakkerij_connected(tenant, browser_http)
    payday = timezone.localdate()
    daily.record(company, payday, check_scheme(company, payday))
    page = tenant.client(tenant.payroll).get(f"/companies/{company.pk}/").content.decode()
    assert 'id="drift-report"' in page
    assert f'<a href="{url(company)}#drift" id="drift-to-scheme">' in page
    editor = tenant.client(tenant.payroll).get(url(company)).content.decode()
    assert '<li data-drift="ER_SOCIAL">' in editor and '<li data-drift="ER_ZVW">' in editor
