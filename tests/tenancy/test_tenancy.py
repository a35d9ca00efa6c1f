"""Roles and tenant boundaries: another tenant's id answers 404, a role's limit 403."""

from __future__ import annotations

import pytest

from payjournal.integrations.services import create_account
from payjournal.payroll.models import PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.sending.services import import_run
from tests.fixtures.tenants import Tenant

pytestmark = pytest.mark.django_db


def imported(tenant: Tenant) -> tuple[PayrollRun, PayrollRun]:
    bakkerij = samples_dir() / "nl-bakkerij" / "run-2026-09.json"
    nordisk = samples_dir() / "se-nordisk" / "run-2026-09.csv"
    return (
        import_run(tenant.bakkerij, bakkerij.read_bytes(), bakkerij.name).run,
        import_run(tenant.nordisk, nordisk.read_bytes(), nordisk.name).run,
    )


def test_a_master_cannot_reach_another_masters_accounts_by_id(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = create_account(other_tenant.master, "Theirs")
    client = tenant.client(tenant.admin)
    assert client.get(f"/integrations/visma/accounts/{theirs.pk}/authorize/").status_code == 404
    assert client.post(f"/integrations/visma/accounts/{theirs.pk}/disconnect/").status_code == 404
    assert "Theirs" not in client.get("/integrations/visma/accounts/list/").content.decode()


def test_a_master_cannot_reach_another_masters_companies_or_runs(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    run, _ = imported(other_tenant)
    client = tenant.client(tenant.admin)
    company = other_tenant.bakkerij.pk
    assert client.get(f"/companies/{company}/").status_code == 404
    assert client.get(f"/companies/{company}/runs/{run.pk}/").status_code == 404
    assert client.post(f"/companies/{company}/mapping/", {"account": ""}).status_code == 404
    assert "b Bakkerij" not in client.get("/companies/").content.decode()


def test_a_run_is_reached_only_through_its_own_company(tenant: Tenant) -> None:
    bakkerij_run, _ = imported(tenant)
    client = tenant.client(tenant.admin)
    assert client.get(f"/companies/{tenant.nordisk.pk}/runs/{bakkerij_run.pk}/").status_code == 404
    assert client.get(f"/companies/{tenant.bakkerij.pk}/runs/{bakkerij_run.pk}/").status_code == 200


def test_a_payroll_administrator_sees_only_assigned_companies(tenant: Tenant) -> None:
    bakkerij_run, nordisk_run = imported(tenant)
    client = tenant.client(tenant.payroll)
    listing = client.get("/companies/").content.decode()
    assert "a Bakkerij" in listing and "a Nordisk" not in listing
    assert client.get(f"/companies/{tenant.bakkerij.pk}/runs/{bakkerij_run.pk}/").status_code == 200
    assert client.get(f"/companies/{tenant.nordisk.pk}/").status_code == 404
    assert client.get(f"/companies/{tenant.nordisk.pk}/runs/{nordisk_run.pk}/").status_code == 404


def test_only_master_administrators_reach_the_integrations(tenant: Tenant) -> None:
    account = create_account(tenant.master, "Ours")
    for member in (tenant.payroll, tenant.viewer):
        client = tenant.client(member)
        assert client.get("/integrations/visma/accounts/").status_code == 403
        assert client.get("/integrations/visma/administrations/").status_code == 403
        assert (
            client.get(f"/integrations/visma/accounts/{account.pk}/authorize/").status_code == 403
        )
        assert (
            client.post(f"/companies/{tenant.bakkerij.pk}/mapping/", {"account": ""}).status_code
            == 403
        )


def test_a_viewer_reads_but_cannot_import(tenant: Tenant) -> None:
    client = tenant.client(tenant.viewer)
    page = client.get(f"/companies/{tenant.bakkerij.pk}/")
    assert page.status_code == 200 and "Import a processed run" not in page.content.decode()
    run_file = samples_dir() / "nl-bakkerij" / "run-2026-09.json"
    with run_file.open("rb") as handle:
        assert client.post(f"/companies/{tenant.bakkerij.pk}/", {"run": handle}).status_code == 403
    assert not PayrollRun.objects.exists()


def test_only_master_administrators_add_companies(tenant: Tenant) -> None:
    client = tenant.client(tenant.payroll)
    assert client.post("/companies/", {"name": "X", "key": "x"}).status_code == 403
