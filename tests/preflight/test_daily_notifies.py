"""The daily checks notify what they newly find (the emulator over loopback).

Proven here: a grant Visma revoked is one *connection needs re-authorization* event for
who depends on the account, told once; an account deactivated in Visma gives one *drift found* notice per person who sees
the company, and a webhook delivery; the same finding the next morning is not notified again;
a missing fiscal year for the next voucher date is its own event.
"""

from __future__ import annotations

from datetime import date

import httpx2
import pytest

from payjournal.notifications.models import Notice, WebhookDelivery
from payjournal.notifications.webhooks import add_endpoint
from payjournal.preflight.daily import check_every_company
from tests.fixtures.tenants import Tenant
from tests.preflight.test_seed_errors import connect

pytestmark = pytest.mark.django_db
ACCOUNT_4000 = "/_emulator/companies/nl-bakkerij/accounts/4000"


def test_drift_is_notified_once_to_who_sees_the_company(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    for member in (tenant.admin, tenant.payroll, tenant.viewer):
        member.user.email = f"{member.user.username}@a.example"
        member.user.save(update_fields=["email"])
    add_endpoint(tenant.master, "http://127.0.0.1:9/hooks", ["scheme.drift_found"])
    connect(tenant, browser_http, tenant.bakkerij, "anna@bakkerij.example", "nl-bakkerij")
    control.put(ACCOUNT_4000, json={"is_active": False}).raise_for_status()

    check_every_company()
    notices = Notice.objects.filter(kind="scheme.drift_found")
    assert sorted(n.user.username for n in notices) == ["a-admin", "a-payroll", "a-viewer"]
    assert {(n.company_id, n.subject, n.code, n.digest) for n in notices} == {
        (tenant.bakkerij.pk, "4000", "account_inactive", True)
    }
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.payload["type"] == "scheme.drift_found"
    assert delivery.payload["subject"] == "4000"

    check_every_company()  # the next morning, the same finding: no second notice
    assert Notice.objects.count() == 3 and WebhookDelivery.objects.count() == 1


def test_a_missing_fiscal_year_is_its_own_event(
    tenant: Tenant, books_url: str, browser_http: httpx2.Client
) -> None:
    tenant.admin.user.email = "admin@a.example"
    tenant.admin.user.save(update_fields=["email"])
    connect(tenant, browser_http, tenant.bakkerij, "anna@bakkerij.example", "nl-bakkerij")
    check_every_company(date(2031, 1, 31))  # no fiscal year in Visma covers it
    (notice,) = Notice.objects.filter(user=tenant.admin.user)
    assert (notice.kind, notice.code) == ("books.fiscal_year_missing", "fiscal_year_missing")
    assert notice.subject == "2031-01-31"


def test_a_revoked_grant_is_notified_once_to_who_depends_on_the_account(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    for member in (tenant.admin, tenant.payroll, tenant.viewer):
        member.user.email = f"{member.user.username}@a.example"
        member.user.save(update_fields=["email"])
    add_endpoint(tenant.master, "http://127.0.0.1:9/hooks", ["connection.needs_reauthorization"])
    connect(tenant, browser_http, tenant.bakkerij, "anna@bakkerij.example", "nl-bakkerij")
    control.delete("/_emulator/users/anna@bakkerij.example/grants").raise_for_status()

    check_every_company()
    notices = Notice.objects.filter(kind="connection.needs_reauthorization")
    assert sorted(n.user.username for n in notices) == ["a-admin", "a-payroll", "a-viewer"]
    assert {(n.code, n.path) for n in notices} == {("invalid_grant", "/integrations/visma/")}
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.payload["type"] == "connection.needs_reauthorization"

    check_every_company()  # still refused the next morning: told once
    assert notices.count() == 3 and WebhookDelivery.objects.count() == 1
