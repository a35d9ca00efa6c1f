"""The daily checks against the emulator over loopback.

Proven here: an account the bookkeeper deactivates in Visma gives the company a failed
``DriftReport`` naming it, and its page an alert with the catalog's explanation in the reader's
language (English, Dutch, Swedish); once re-activated, the next run passes and the alert is
gone. A company whose connection is lost is recorded with that failure and the companies after
it are still checked, also when its stored tokens cannot be opened; a payroll company not
mapped to Visma is not checked at all.
"""

from __future__ import annotations

import httpx2
import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from payjournal import catalog
from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.payroll.models import PayrollCompany
from payjournal.preflight.daily import DailySummary, check_every_company
from payjournal.preflight.models import DriftReport
from tests.fixtures.tenants import Tenant
from tests.preflight.test_seed_errors import connect, speak

pytestmark = pytest.mark.django_db
ACCOUNT_4000 = "/_emulator/companies/nl-bakkerij/accounts/4000"


def company_page(client: Client, company: PayrollCompany) -> str:
    response = client.get(f"/companies/{company.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def drift_alert(page: str) -> str:
    """The drift alert of a company page (fails when the page has none)."""
    assert 'id="drift-report"' in page, "no drift alert on the page"
    return page.split('id="drift-report"', 1)[1].split("</div>", 1)[0]


def test_a_deactivated_account_is_reported_and_shown_until_reactivated(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    connect(tenant, browser_http, tenant.bakkerij, "anna@bakkerij.example", "nl-bakkerij")
    control.put(ACCOUNT_4000, json={"is_active": False}).raise_for_status()

    assert check_every_company() == DailySummary(checked=1, drifted=1, errors=0)
    report = DriftReport.objects.get(company=tenant.bakkerij)
    assert not report.passed
    assert report.checked_for == timezone.localdate()
    assert report.failures == [{"key": "accounts", "code": "account_inactive", "subject": "4000"}]

    english = drift_alert(company_page(speak(tenant.admin, "en"), tenant.bakkerij))
    explained = catalog.explain("account_inactive", "en")
    assert 'data-problem="account_inactive"' in english
    assert escape(f"{explained.message}") in english
    assert f"</strong> (4000) — {escape(explained.solution)}" in english
    dutch = drift_alert(company_page(speak(tenant.admin, "nl"), tenant.bakkerij))
    assert "Een grootboekrekening van de journaalpost is inactief in Visma." in dutch
    assert "Vraag de boekhouder de rekening in Visma te activeren" in dutch
    assert explained.message not in dutch
    assert "De dagelijkse controle vond afwijkingen." in dutch
    assert "paste het grootboekschema van deze werkgever niet meer" in dutch
    swedish = drift_alert(company_page(speak(tenant.admin, "sv"), tenant.bakkerij))
    assert "Den dagliga kontrollen hittade avvikelser." in swedish
    assert escape(catalog.explain("account_inactive", "sv").message) in swedish

    control.put(ACCOUNT_4000, json={"is_active": True}).raise_for_status()
    assert check_every_company() == DailySummary(checked=1, drifted=0, errors=0)
    report.refresh_from_db()
    assert report.passed and report.failures == []
    assert 'id="drift-report"' not in company_page(speak(tenant.admin, "en"), tenant.bakkerij)


def test_a_lost_connection_is_recorded_and_the_next_company_is_still_checked(
    tenant: Tenant, books_url: str, browser_http: httpx2.Client
) -> None:
    connect(tenant, browser_http, tenant.bakkerij, "anna@bakkerij.example", "nl-bakkerij")
    connect(tenant, browser_http, tenant.nordisk, "erik@nordisk.example", "se-nordisk")
    assert tenant.bakkerij.pk < tenant.nordisk.pk  # the broken company is checked first
    VismaAccount.objects.filter(pk=tenant.bakkerij.visma_account_id).update(
        status=AccountStatus.AUTHORIZATION_NEEDED
    )

    assert check_every_company() == DailySummary(
        checked=2, drifted=1, errors=0, reauthorize=("nl-bakkerij account",)
    )
    lost = DriftReport.objects.get(company=tenant.bakkerij)
    assert not lost.passed
    assert lost.failures == [{"key": "connection", "code": "invalid_grant", "subject": ""}]
    assert DriftReport.objects.get(company=tenant.nordisk).passed

    alert = drift_alert(company_page(speak(tenant.admin, "en"), tenant.bakkerij))
    assert escape(catalog.explain("invalid_grant", "en").message) in alert
    assert "could not read this company's Visma books" in alert  # not "drift"
    assert "drift-to-scheme" not in alert  # no account to pick: the connection is the problem

    tenant.bakkerij.visma_account = None  # unmapped: nothing left to drift from
    tenant.bakkerij.save()
    check_every_company()
    assert not DriftReport.objects.filter(company=tenant.bakkerij).exists()


def test_a_grant_revoked_at_visma_is_recorded_as_a_connection_failure(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    """payjournal does not know yet: Visma refuses the tokens when the check reads the books."""
    connect(tenant, browser_http, tenant.bakkerij, "anna@bakkerij.example", "nl-bakkerij")
    control.put(
        "/_emulator/users/anna@bakkerij.example/password", json={"password": "a-new-secret"}
    ).raise_for_status()

    assert check_every_company() == DailySummary(
        checked=1, drifted=1, errors=0, reauthorize=("nl-bakkerij account",)
    )
    report = DriftReport.objects.get(company=tenant.bakkerij)
    assert report.failures == [{"key": "connection", "code": "invalid_grant", "subject": ""}]


def test_tokens_that_cannot_be_opened_do_not_stop_the_other_companies(
    tenant: Tenant, books_url: str, browser_http: httpx2.Client
) -> None:
    """Tokens encrypted for another account (or under a key no longer configured): the company
    is counted as not checkable, and the companies after it are checked."""
    connect(tenant, browser_http, tenant.bakkerij, "anna@bakkerij.example", "nl-bakkerij")
    connect(tenant, browser_http, tenant.nordisk, "erik@nordisk.example", "se-nordisk")
    assert tenant.bakkerij.pk < tenant.nordisk.pk
    others = VismaAccount.objects.get(pk=tenant.nordisk.visma_account_id).token_ciphertext
    VismaAccount.objects.filter(pk=tenant.bakkerij.visma_account_id).update(token_ciphertext=others)

    assert check_every_company() == DailySummary(
        checked=1, drifted=0, errors=1, not_checkable=(tenant.bakkerij.name,)
    )
    assert not DriftReport.objects.filter(company=tenant.bakkerij).exists()
    assert DriftReport.objects.get(company=tenant.nordisk).passed


def test_companies_not_mapped_to_visma_are_not_checked(tenant: Tenant, books_url: str) -> None:
    assert not PayrollCompany.objects.filter(visma_account__isnull=False).exists()
    assert check_every_company() == DailySummary(checked=0, drifted=0, errors=0)
    assert not DriftReport.objects.exists()
    assert 'id="drift-report"' not in company_page(speak(tenant.admin, "en"), tenant.bakkerij)
