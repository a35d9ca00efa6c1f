"""The home page after sign-in: what needs the person today, for the companies their role lets
them see, each with a link to where to act; "all is well" when nothing does; the same number of
queries for two companies as for six."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.integrations.services import create_account
from payjournal.payroll.models import PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.payroll.services import create_company
from payjournal.sending.dashlet import error_title
from payjournal.sending.models import Submission
from payjournal.sending.services import import_run, request_send
from payjournal.tenancy.models import Membership
from tests.fixtures.books import Books, import_samples
from tests.fixtures.tenants import PASSWORD, Tenant
from tests.on_postgres import assert_passes_on_postgresql
from tests.sending.story import drain
from tests.web.test_browser_languages import send_two

pytestmark = pytest.mark.django_db


def home(client: Client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, name: str) -> str:
    """The card ``#todo-<name>`` of the page ('' when the page has none)."""
    found = re.search(rf'<div class="card" id="todo-{name}">(.*?)\n</div>', page, re.S)
    return found.group(1) if found else ""


def as_admin(books: Books, language: str = "en") -> Client:
    member = Membership.objects.get(master=books.master)
    member.language = language
    member.save()
    client = Client()
    client.force_login(member.user)
    return client


def test_sign_in_lands_on_the_home_page(tenant: Tenant) -> None:
    client = Client()
    signed_in = client.post(
        "/login/", {"username": tenant.payroll.user.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"
    assert "What needs you today" in home(client)


def test_runs_needing_action_and_waiting_link_to_their_dashlet_rows(books: Books) -> None:
    send_two(books)  # a Bakkerij run sent; a Nordisk run stopped by the lock date
    page = home(as_admin(books))
    stuck = Submission.objects.get(state="needs_action")
    stuck_row = PayrollRun.objects.get(company=books.nordisk, run_id=stuck.run_key, version=1)
    needs_action = section(page, "needs-action")
    assert f'data-run="{stuck.run_key}"' in needs_action
    assert f'href="/companies/{books.nordisk.pk}/#run-{stuck_row.pk}"' in needs_action
    assert error_title(stuck.error_code, stuck.error_message) in needs_action

    to_send = section(page, "to-send")
    sent = Submission.objects.get(state="sent")
    done = {(sent.company_id, sent.run_key), (stuck.company_id, stuck.run_key)}
    for run in PayrollRun.objects.filter(version=1):
        link = f'href="/companies/{run.company_id}/#run-{run.pk}"'
        if (run.company_id, run.run_id) in done:
            assert link not in to_send, run.run_id
        else:
            assert link in to_send, run.run_id
    sent_row = PayrollRun.objects.get(company_id=sent.company_id, run_id=sent.run_key, version=1)
    assert f"#run-{sent_row.pk}" not in page
    assert "All is well" not in page


def test_all_is_well_once_every_run_is_sent_in_every_language(books: Books) -> None:
    for run in PayrollRun.objects.filter(company=books.bakkerij):
        request_send(run)
        drain(books.bakkerij)
    books.nordisk.delete()  # its regular runs sit before Visma's lock date
    expected = {
        "en": "All is well: nothing needs you today.",
        "nl": "Alles is in orde: er wacht vandaag niets op u.",
        "sv": "Allt är i ordning: inget väntar på dig i dag.",
    }
    for language, words in expected.items():
        page = home(as_admin(books, language))
        assert words in page, language
        assert 'id="todo-' not in page


def test_each_role_sees_what_it_can_act_on(tenant: Tenant) -> None:
    account = create_account(tenant.master, "Bakkerij – Anna")
    VismaAccount.objects.filter(pk=account.pk).update(
        status=AccountStatus.AUTHORIZATION_NEEDED, status_reason="Visma refused the refresh."
    )
    # mapped while it was authorized; since then Visma asks for authorization again
    tenant.bakkerij.visma_account = account
    tenant.bakkerij.save()

    admin = home(tenant.client(tenant.admin))
    accounts = section(admin, "accounts")
    assert f'href="/integrations/visma/accounts/#account-{account.pk}"' in accounts
    assert "Bakkerij – Anna" in accounts and tenant.bakkerij.name in accounts
    assert "Visma refused the refresh." in accounts
    companies = section(admin, "companies")  # Nordisk is not linked: Administrations
    assert tenant.nordisk.name in companies and "/integrations/visma/administrations/" in companies

    payroll = home(tenant.client(tenant.payroll))  # assigned to the Bakkerij only
    assert section(payroll, "accounts") == ""  # accounts are a master administrator's work
    assert tenant.bakkerij.name in section(payroll, "companies")
    assert "needs authorizing again" in section(payroll, "companies")
    assert tenant.nordisk.name not in payroll
    assert "/integrations/visma/" not in section(payroll, "companies")


def test_the_runs_of_a_company_not_yet_linked_wait_to_be_sent(tenant: Tenant) -> None:
    runs = import_samples(tenant.bakkerij)
    to_send = section(home(tenant.client(tenant.payroll)), "to-send")
    for run in runs:
        first = PayrollRun.objects.get(company=tenant.bakkerij, run_id=run.run_id, version=1)
        assert f'href="/companies/{tenant.bakkerij.pk}/#run-{first.pk}"' in to_send
    assert to_send.count("<tr data-run=") == len({run.run_id for run in runs})
    # a master administrator without any Visma account is told to add one first
    accounts = section(home(tenant.client(tenant.admin)), "accounts")
    assert "No Visma account yet" in accounts and 'href="/integrations/visma/accounts/"' in accounts


def test_the_page_reads_the_same_number_of_queries_for_more_companies(books: Books) -> None:
    send_two(books)
    client = as_admin(books)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            home(client)
        return len(captured)

    two = queries()
    folder = samples_dir() / "nl-bakkerij"
    for number in range(4):
        key = f"extra-{number}"
        scheme = (folder / "scheme.json").read_bytes()
        company = create_company(books.master, key, key, scheme, "scheme.json")
        for run in sorted(folder.glob("run-*.json")):
            data = run.read_bytes().replace(b'"nl-bakkerij"', f'"{key}"'.encode())
            import_run(company, data, run.name)
        if number % 2:  # linked to an account Visma asks to authorize again
            company.visma_account = create_account(books.master, key)
            company.save()
    assert PayrollRun.objects.filter(company__key__startswith="extra-").count() == 12
    assert queries() == two


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "sqlite", reason="this session already runs on PostgreSQL")
@pytest.mark.postgres_again(__file__)
def test_the_home_page_works_on_postgresql_too(request: pytest.FixtureRequest) -> None:
    assert_passes_on_postgresql(request)


def test_a_new_master_is_told_to_add_a_company(tenant: Tenant) -> None:
    tenant.bakkerij.delete()
    tenant.nordisk.delete()
    page = home(tenant.client(tenant.admin))
    assert "There are no payroll companies yet." in page and 'id="todo-' not in page
    assert "No companies are assigned to you." in home(tenant.client(tenant.payroll))
