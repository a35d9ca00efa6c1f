"""The cockpit: every company a member sees on one screen — latest run and its state, connection,
scheme health, who must act — from summaries brought up to date when read (never written by a
send), filtered and paged in SQL with a fixed number of queries, with bulk Send, Retry, Check and
re-authorization links, scoped to the member's tenant and role."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from payjournal.emulator import Emulator
from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.payroll.models import PayrollCompany, SeenComponent
from payjournal.payroll.schemes import MappingChange, save_mapping
from payjournal.sending.models import CompanySummary, Submission
from payjournal.sending.summary import bring_up_to_date, refresh_many
from payjournal.tenancy.models import Membership, Role
from payjournal.tenancy.users import create_user
from tests.fixtures.books import Books
from tests.fixtures.tenants import Tenant
from tests.on_postgres import assert_passes_on_postgresql
from tests.sending.test_views import HX, run_all

SCHEME = '{"components": {}, "rounding_account": "9999"}'


def admin_client(books: Books) -> Client:
    client = Client()
    client.force_login(Membership.objects.get(master=books.master, role=Role.MASTER_ADMIN).user)
    return client


def row(page: str, company: PayrollCompany) -> str:
    found = re.search(rf'<tr id="company-{company.pk}".*?</tr>', page, re.S)
    assert found is not None, f"no row of {company.key}"
    return found.group(0)


def listed(page: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'<tr id="company-(\d+)"', page)}


def summary_of(company: PayrollCompany) -> CompanySummary:
    """The company's summary as the cockpit would read it now."""
    bring_up_to_date(PayrollCompany.objects.filter(pk=company.pk))
    return CompanySummary.objects.get(company=company)


def test_the_summary_follows_every_leg_and_the_page_shows_who_must_act(
    books: Books, visma: Emulator
) -> None:
    client = admin_client(books)
    summary = summary_of(books.nordisk)
    assert summary.last_status == "not_sent" and summary.needs_action == 0
    client.post(
        "/cockpit/act/", {"action": "send", "companies": [books.nordisk.pk, books.bakkerij.pk]}
    )
    assert summary_of(books.nordisk).moving > 0
    page = client.get("/cockpit/").content.decode()
    assert 'hx-trigger="live-master from:body"' in page  # asks again when the master changed
    run_all()
    nordisk = summary_of(books.nordisk)
    assert nordisk.needs_action >= 1 and nordisk.error_code == "period_locked"
    assert nordisk.for_bookkeeper == nordisk.needs_action  # a locked period: the bookkeeper's
    bakkerij = summary_of(books.bakkerij)
    assert bakkerij.last_status == "sent" and bakkerij.last_voucher and bakkerij.moving == 0
    page = client.get("/cockpit/").content.decode()
    assert 'class="mark red">Sent' in row(page, books.bakkerij)
    stuck = row(page, books.nordisk)
    assert "The voucher date is in a locked accounting period." in stuck
    assert "Bookkeeper" in stuck
    assert listed(page) == {books.nordisk.pk, books.bakkerij.pk}
    first = re.search(r'<tr id="company-(\d+)"', page)
    assert first is not None and int(first.group(1)) == books.nordisk.pk  # attention first
    bookkeeper = client.get("/cockpit/?show=bookkeeper").content.decode()
    assert listed(bookkeeper) == {books.nordisk.pk}
    assert listed(client.get("/cockpit/?show=mine").content.decode()) == set()
    assert listed(client.get("/cockpit/?q=BAKKER").content.decode()) == {books.bakkerij.pk}
    dutch = client.get("/cockpit/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Boekhouder" in dutch and "Cockpit" in dutch


def test_a_send_writes_no_summary_and_the_page_catches_up(books: Books, visma: Emulator) -> None:
    """Month-end pays nothing for the cockpit: sending a journal touches no summary row; the
    next page recomputes the companies that changed, and only those."""
    client = admin_client(books)
    client.get("/cockpit/")  # every summary as things stand
    client.post("/cockpit/act/", {"action": "send", "companies": [books.bakkerij.pk]})
    with CaptureQueriesContext(connection) as sending:
        run_all()
    touched = [q["sql"] for q in sending.captured_queries if "companysummary" in q["sql"].lower()]
    assert touched == []
    assert CompanySummary.objects.get(company=books.bakkerij).last_status != "sent"  # stale
    assert bring_up_to_date(PayrollCompany.objects.filter(master=books.master)) == 1
    assert CompanySummary.objects.get(company=books.bakkerij).last_status == "sent"
    assert bring_up_to_date(PayrollCompany.objects.filter(master=books.master)) == 0
    assert 'class="mark red">Sent' in row(client.get("/cockpit/").content.decode(), books.bakkerij)


def test_a_wage_component_the_scheme_does_not_map_needs_the_payroll_administrator(
    books: Books, visma: Emulator
) -> None:
    """A run file refused for an unmapped component puts the company under "needs me" (in SQL,
    not only in its row's words) and first in attention; mapping it in the scheme takes it out."""
    client = admin_client(books)
    client.post("/cockpit/act/", {"action": "send", "companies": [books.bakkerij.pk]})
    run_all()
    assert books.bakkerij.pk not in listed(client.get("/cockpit/?show=mine").content.decode())
    SeenComponent.objects.create(company=books.bakkerij, component="BONUS-X", last_run_id="x")
    page = client.get("/cockpit/?show=mine").content.decode()
    assert books.bakkerij.pk in listed(page)
    assert "BONUS-X" in row(page, books.bakkerij)
    assert summary_of(books.bakkerij).unmapped == 1
    save_mapping(books.bakkerij, MappingChange("BONUS-X", "4000", "1650", is_new=True), _any)
    assert summary_of(books.bakkerij).unmapped == 0  # the scheme's change moved the stamp
    assert books.bakkerij.pk not in listed(client.get("/cockpit/?show=mine").content.decode())


def _any(_number: str) -> str:
    return ""


@pytest.mark.django_db(transaction=True)
def test_a_company_deleted_while_its_summary_is_recomputed_is_left_out(books: Books) -> None:
    """The summaries are written without a lock: a company gone between the read and the write
    (its row refused by the foreign key at commit) is skipped, the others written."""
    missing = PayrollCompany.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    refresh_many([books.bakkerij.pk, missing])
    assert CompanySummary.objects.filter(company=books.bakkerij).exists()
    assert not CompanySummary.objects.filter(company_id=missing).exists()


def test_the_dates_follow_the_readers_language(books: Books) -> None:
    """The payment date and the next date at risk read as on the company page: 26-11-2026 in
    Dutch, 2026-11-26 in English."""
    client = admin_client(books)
    english = row(client.get("/cockpit/").content.decode(), books.bakkerij)
    assert re.search(r"\d{4}-\d{2}-\d{2}", english)
    dutch = row(client.get("/cockpit/", HTTP_ACCEPT_LANGUAGE="nl").content.decode(), books.bakkerij)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", dutch), dutch
    assert len(re.findall(r"\b\d{2}-\d{2}-\d{4}\b", dutch)) == 2, dutch  # paid, next date


def test_bulk_retry_sends_what_needed_action(books: Books, visma: Emulator) -> None:
    client = admin_client(books)
    client.post("/cockpit/act/", {"action": "send", "companies": [books.nordisk.pk]})
    run_all()
    stuck = Submission.objects.filter(company=books.nordisk, state="needs_action").count()
    assert stuck >= 1
    answer = client.post(
        "/cockpit/act/", {"action": "retry", "companies": [books.nordisk.pk]}, **HX
    )
    assert answer.status_code == 200
    said = answer.content.decode()
    assert 'id="cockpit-table"' in said and 'hx-swap-oob="true"' in said
    assert "queued for Visma again" in said
    assert not Submission.objects.filter(company=books.nordisk, state="needs_action").exists()
    assert summary_of(books.nordisk).needs_action == 0


def test_check_and_reauthorization_links(books: Books, visma: Emulator) -> None:
    client = admin_client(books)
    account = books.nordisk.visma_account
    assert account is not None
    VismaAccount.objects.filter(pk=account.pk).update(status=AccountStatus.AUTHORIZATION_NEEDED)
    checked = client.post(
        "/cockpit/act/", {"action": "check", "companies": [books.bakkerij.pk, books.nordisk.pk]}
    ).content.decode()
    assert f'data-company="{books.bakkerij.pk}" data-passed="true"' in checked
    assert f'data-company="{books.nordisk.pk}" data-passed="false"' in checked
    assert "Visma no longer accepts payjournal" in checked
    page = client.get("/cockpit/?show=mine").content.decode()
    assert books.nordisk.pk in listed(page)  # (and Bakkerij, with runs to send)
    assert 'data-connection="invalid_grant"' in row(page, books.nordisk)
    assert "Needs re-authorization" in row(page, books.nordisk)
    links = client.post(
        "/cockpit/act/",
        {"action": "authorize", "companies": [books.bakkerij.pk, books.nordisk.pk]},
    ).content.decode()
    assert f'href="/integrations/visma/accounts/{account.pk}/authorize/"' in links
    bakkerij_account = books.bakkerij.visma_account
    assert bakkerij_account is not None
    assert f"/accounts/{bakkerij_account.pk}/authorize/" not in links


def test_tenants_and_roles(tenant: Tenant, other_tenant: Tenant) -> None:
    page = tenant.client(tenant.admin).get("/cockpit/").content.decode()
    assert listed(page) == {tenant.bakkerij.pk, tenant.nordisk.pk}  # no other tenant's
    mine = tenant.client(tenant.payroll).get("/cockpit/").content.decode()
    assert listed(mine) == {tenant.bakkerij.pk}  # only the assigned one
    assert 'name="companies"' in mine
    viewer = tenant.client(tenant.viewer)
    assert 'name="companies"' not in viewer.get("/cockpit/").content.decode()
    refused = viewer.post("/cockpit/act/", {"action": "retry", "companies": [tenant.bakkerij.pk]})
    assert refused.status_code == 403
    admin = tenant.client(tenant.admin)
    foreign = admin.post(
        "/cockpit/act/", {"action": "retry", "companies": [other_tenant.nordisk.pk]}
    )
    assert foreign.status_code == 400  # another tenant's company is no choice
    payroll = tenant.client(tenant.payroll)
    unassigned = payroll.post("/cockpit/act/", {"action": "send", "companies": [tenant.nordisk.pk]})
    assert unassigned.status_code == 400
    links = payroll.post(
        "/cockpit/act/", {"action": "authorize", "companies": [tenant.bakkerij.pk]}
    )
    assert links.status_code == 403


def test_bad_parameters_are_refused_with_400(tenant: Tenant) -> None:
    client = tenant.client(tenant.admin)
    for query in ("show=everything", "order=drop", "page=0", "page=x", f"q={'x' * 201}"):
        assert client.get(f"/cockpit/?{query}").status_code == 400, query
    for companies in (["²"], ["9" * 30], []):
        answer = client.post("/cockpit/act/", {"action": "retry", "companies": companies})
        assert answer.status_code == 400
    assert client.post("/cockpit/act/", {"action": "x", "companies": [1]}).status_code == 400


def _companies(master_member: Membership, count: int) -> None:
    PayrollCompany.objects.bulk_create(
        PayrollCompany(
            master=master_member.master,
            name=f"Company {n:05d}",
            key=f"c{n:05d}",
            scheme_source=SCHEME,
            scheme_filename="scheme.json",
        )
        for n in range(count)
    )
    refresh_many(
        PayrollCompany.objects.filter(master=master_member.master).values_list("pk", flat=True)
    )


def _queries(client: Client, url: str) -> int:
    client.get(url)  # warm: sessions, templates
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_companies(db: None) -> None:
    counts = []
    for size in (10, 100):
        member = create_user(
            f"ops-{size}",
            "correct horse battery",
            master_name=f"Bureau {size}",
            role=Role.MASTER_ADMIN,
        )
        _companies(member, size)
        client = Client()
        client.force_login(member.user)
        counts.append(
            (_queries(client, "/cockpit/"), _queries(client, "/cockpit/?show=mine&page=2"))
        )
    assert counts[0] == counts[1], counts


def test_a_poll_and_an_action_keep_the_rows_shown(books: Books, visma: Emulator) -> None:
    client = admin_client(books)
    page = client.get("/cockpit/?show=mine").content.decode()
    assert listed(page) == {books.nordisk.pk, books.bakkerij.pk}  # both have runs to send
    shown = re.search(r'name="shown" value="([\d,]+)"', page)
    assert shown is not None
    poll = re.search(r'id="cockpit-table" hx-get="([^"]+)"', page)
    assert poll is not None and "shown=" in poll.group(1)
    answer = client.post(
        "/cockpit/act/",
        {
            "action": "send",
            "companies": [books.bakkerij.pk],
            "back": "/cockpit/?show=mine",
            "shown": shown.group(1),
        },
        **HX,
    ).content.decode()
    assert listed(answer) == {books.nordisk.pk, books.bakkerij.pk}  # Bakkerij: on its way
    run_all()
    polled = client.get(html.unescape(poll.group(1)), **HX).content.decode()
    assert listed(polled) == {books.nordisk.pk, books.bakkerij.pk}
    assert 'class="mark red">Sent' in row(polled, books.bakkerij)
    assert listed(client.get("/cockpit/?show=mine").content.decode()) == {books.nordisk.pk}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "sqlite", reason="this session already runs on PostgreSQL")
@pytest.mark.postgres_again(__file__)
def test_the_cockpit_on_postgresql_too(request: pytest.FixtureRequest) -> None:
    assert_passes_on_postgresql(request)
