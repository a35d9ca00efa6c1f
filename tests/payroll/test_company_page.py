"""The company page names the Visma company it sends to — as Visma names it, with the account —
and, to those who cannot change it, whether automatic sending is on."""

from __future__ import annotations

import pytest

from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.payroll.models import PayrollCompany
from payjournal.sending.services import set_send_automatically
from tests.fixtures.tenants import Tenant


def mapped(tenant: Tenant) -> PayrollCompany:
    account = VismaAccount.objects.create(
        master=tenant.master,
        name="Bakkerij – Anna",
        status=AccountStatus.AUTHORIZED,
        visma_company_id="nl-1",
        visma_company_name="Bakkerij De Vries B.V.",
    )
    PayrollCompany.objects.filter(pk=tenant.bakkerij.pk).update(
        visma_account=account, visma_company_id="nl-1"
    )
    tenant.bakkerij.refresh_from_db()
    return tenant.bakkerij


@pytest.mark.django_db
def test_every_role_sees_the_visma_company_and_its_account(tenant: Tenant) -> None:
    company = mapped(tenant)
    for member in (tenant.admin, tenant.payroll, tenant.viewer):
        page = tenant.client(member).get(f"/companies/{company.pk}/").content.decode()
        assert (
            "Journals go to Visma company <strong>Bakkerij De Vries B.V.</strong> "
            "(account “Bakkerij – Anna”)." in page
        ), member.role
        assert "B.V.." not in page


@pytest.mark.django_db
def test_payroll_admins_and_viewers_read_whether_automatic_sending_is_on(tenant: Tenant) -> None:
    company = mapped(tenant)
    for member in (tenant.payroll, tenant.viewer):
        client = tenant.client(member)
        set_send_automatically(company, False)
        page = client.get(f"/companies/{company.pk}/").content.decode()
        assert 'data-automatic="off"' in page and "Automatic sending is off" in page
        assert 'name="enabled"' not in page  # read only: no switch
        set_send_automatically(company, True)
        page = client.get(f"/companies/{company.pk}/").content.decode()
        assert 'data-automatic="on"' in page and "Automatic sending is on" in page


@pytest.mark.django_db
def test_a_master_administrator_has_the_switch_instead(tenant: Tenant) -> None:
    company = mapped(tenant)
    page = tenant.client(tenant.admin).get(f"/companies/{company.pk}/").content.decode()
    assert 'name="enabled"' in page and "data-automatic" not in page
