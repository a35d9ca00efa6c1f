"""``payjournal bench pages``: the page budget. Renders the Journal Entries Export dashlet with
1,000 runs, the accounts page with 200 accounts and the cockpit over 10,000 companies with
120,000 runs through Django's full request stack (a throw-away SQLite database in a temporary
data directory) and prints the median render time of each against the 150 ms target (with the
fastest and slowest render, the CPU per render, and the cockpit's query count).

Beside the budgets, what an open tab costs the server while nothing changes: each tab's live
poller (:mod:`payjournal.live`) asks once a second, so ``--tabs`` signed-in tabs ask 60 times
each, and the process CPU time they take is reported per tab per minute — with, for comparison,
what the fragment polls it replaced would cost at their rates (the accounts list every 2 s, the
dashlet's rows every 10 s); and the same for idle cockpit tabs, whose poller follows the
master's stamp (the table it replaced asked for itself every 10 s)."""

from __future__ import annotations

import copy
import html
import re
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import typer

from payjournal.config import Settings
from payjournal.site.bootstrap import start_django

if TYPE_CHECKING:  # Django's modules load once start_django has run
    from django.contrib.auth.models import User
    from django.test import Client

TARGET_MS = 150.0


def pages(
    runs: int = typer.Option(1000, help="Runs in the dashlet."),
    accounts: int = typer.Option(200, help="Accounts on the accounts page."),
    companies: int = typer.Option(10_000, help="Companies in the cockpit (0: leave it out)."),
    company_runs: int = typer.Option(12, help="Runs per company of the cockpit."),
    repeat: int = typer.Option(30, help="Renders per page (the median is reported)."),
    tabs: int = typer.Option(20, help="Idle tabs whose live pollers ask for a minute."),
    sent: bool = typer.Option(
        False,
        "--sent/--not-sent",
        help="Give every run a leg: 90 % sent, 5 % needs action, 5 % in flight; and one "
        "sent run in ten a correction (version 2, reversal and rebooking, all sent).",
    ),
) -> None:
    """Median render time of the dashlet, the accounts page and the cockpit (target ≤ 150 ms)."""
    data_dir = Path(tempfile.mkdtemp(prefix="payjournal-bench-"))
    start_django(
        Settings(data_dir=data_dir, secure_cookies=False, allowed_hosts=["testserver"]),
        migrate=True,
    )
    from django.test import Client

    company_id, user = _populate(runs, accounts)
    if sent:
        _submit_all(company_id)
    client = Client()
    client.force_login(user)
    pages_measured = [
        (f"dashlet, {runs} runs{' (sent)' if sent else ''}", client, f"/companies/{company_id}/"),
        (f"accounts page, {accounts} accounts", client, "/integrations/visma/accounts/"),
    ]
    if companies > 0:
        firm = Client()
        firm_user = populate_cockpit(companies, company_runs)
        firm.force_login(firm_user)
        label = f"cockpit, {companies} companies"
        pages_measured.append((label, firm, "/cockpit/"))
        pages_measured.append((f"{label}, needs me", firm, "/cockpit/?show=mine"))
    failed = False
    for label, measured, url in pages_measured:
        timings, cpu = _timings_ms(measured, url, repeat)
        median = statistics.median(timings)
        verdict = "ok" if median <= TARGET_MS else "OVER BUDGET"
        failed = failed or median > TARGET_MS
        typer.echo(
            f"{label:<32} median {median:7.1f} ms  (target {TARGET_MS:.0f} ms) {verdict}"
            f"  min {min(timings):.1f} / max {max(timings):.1f} ms,"
            f" CPU median {statistics.median(cpu):.1f} ms"
            f"{_queries(measured, url) if url.startswith('/cockpit/') else ''}"
        )
    _tab_costs(user, company_id, tabs)
    if companies > 0:
        _cockpit_tab_costs(firm_user, companies, tabs)
    if failed:
        raise typer.Exit(1)


def _tab_costs(user: User, company_id: int, tabs: int) -> None:
    """Print the server CPU per idle tab per minute of the live poller (1/s), and of the fragment
    polls it replaced at their rates."""
    from django.test import Client
    from django.utils import timezone

    from payjournal.live.stamps import EVERY_S

    clients: list[Client] = []
    questions: list[str] = []
    for _ in range(tabs):  # a session each, as tabs of different users, each with its poller
        client = Client()
        client.force_login(user)
        page = client.get("/integrations/visma/accounts/").content.decode()
        found = re.search(r'<div id="live-accounts" hidden hx-get="([^"]+)"', page)
        if found is None:
            raise RuntimeError("the accounts page has no live poller")
        clients.append(client)
        questions.append(html.unescape(found.group(1)))
    since = quote(timezone.now().isoformat())
    rows = f"/companies/{company_id}/sending/rows/?since={since}"
    for label, urls, status, every_s in (
        (f"live poller, {tabs} tabs", questions, 204, EVERY_S),
        ("  was: accounts list", ["/integrations/visma/accounts/list/"] * tabs, 200, 2),
        ("  was: dashlet rows", [rows] * tabs, 200, 10),
    ):
        cpu_ms = _cpu_ms_per_request(clients, urls, status, 60 // EVERY_S)
        typer.echo(
            f"{label:<32} {cpu_ms * 60 / every_s:7.1f} ms CPU per tab per minute"
            f"  ({cpu_ms:.2f} ms per {'question' if status == 204 else 'poll'},"
            f" every {every_s} s)"
        )


def _cockpit_tab_costs(user: User, companies: int, tabs: int) -> None:
    """Print the server CPU per idle cockpit tab per minute of its live poller (the master's
    stamp, 1/s), and of the table poll it replaced (the whole table every 10 s while nothing is
    on its way)."""
    from django.test import Client

    from payjournal.live.stamps import EVERY_S

    clients: list[Client] = []
    questions: list[str] = []
    tables: list[str] = []
    for _ in range(tabs):
        client = Client()
        client.force_login(user)
        page = client.get("/cockpit/").content.decode()
        found = re.search(r'<div id="live-master" hidden hx-get="([^"]+)"', page)
        table = re.search(r'<div id="cockpit-table" hx-get="([^"]+)"', page)
        if found is None or table is None:
            raise RuntimeError("the cockpit has no live poller or no table")
        clients.append(client)
        questions.append(html.unescape(found.group(1)))
        tables.append(html.unescape(table.group(1)))
    for label, urls, status, every_s in (
        (f"cockpit live poller, {tabs} tabs", questions, 204, EVERY_S),
        (f"  was: table, {companies} cos.", tables, 200, 10),
    ):
        rounds = 60 // EVERY_S if status == 204 else 3
        cpu_ms = _cpu_ms_per_request(clients, urls, status, rounds)
        typer.echo(
            f"{label:<32} {cpu_ms * 60 / every_s:7.1f} ms CPU per tab per minute"
            f"  ({cpu_ms:.2f} ms per {'question' if status == 204 else 'poll'},"
            f" every {every_s} s)"
        )


def _cpu_ms_per_request(clients: list[Client], urls: list[str], status: int, rounds: int) -> float:
    """Process CPU time per request, each client asking its url ``rounds`` times in turn (after
    one warm-up round)."""
    for client, url in zip(clients, urls, strict=True):
        client.get(url, HTTP_HX_REQUEST="true")
    started = time.process_time()
    for _ in range(rounds):
        for client, url in zip(clients, urls, strict=True):
            response = client.get(url, HTTP_HX_REQUEST="true")
            if response.status_code != status:
                raise RuntimeError(f"{url} answered {response.status_code}, not {status}")
    return (time.process_time() - started) * 1000 / (rounds * len(clients))


def _timings_ms(client: Client, url: str, repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each render (the first two warm the template cache and
    are left out)."""
    timings, cpu = [], []
    for _ in range(repeat + 2):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return timings[2:], cpu[2:]


def _queries(client: Client, url: str) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return f", {len(captured.captured_queries)} queries"


def populate_cockpit(companies: int, runs_per_company: int) -> User:
    """A firm of its own with ``companies`` payroll companies of ``runs_per_company`` runs each,
    as on the morning of a payday: most companies sent, some to send, some needing action (for
    the payroll administrator or the bookkeeper), some on their way; one account in ten needs
    re-authorization, one company in fifty is not mapped, one in twenty has drift and one in
    twenty-five a wage component its scheme does not map. Written with ``bulk_create``; the
    summary rows are written as a page would have computed them, at each company's change stamp
    (so the page finds them up to date)."""
    from datetime import date

    from django.utils import timezone

    from payjournal.integrations.models import AccountStatus, VismaAccount
    from payjournal.live.stamps import read_companies
    from payjournal.payroll.models import PayrollCompany, PayrollRun, SeenComponent
    from payjournal.payroll.samples import samples_dir
    from payjournal.preflight.models import DriftReport
    from payjournal.sending.models import CompanySummary
    from payjournal.tenancy.models import Role
    from payjournal.tenancy.users import create_user

    member = create_user("firm", "bench-password-1", master_name="Firm", role=Role.MASTER_ADMIN)
    master = member.master
    scheme = next((samples_dir() / "nl-bakkerij").glob("scheme.*"))
    source = scheme.read_text()
    accounts = VismaAccount.objects.bulk_create(
        VismaAccount(
            master=master,
            name=f"Firm account {n:05d}",
            status=AccountStatus.AUTHORIZATION_NEEDED if n % 10 == 7 else AccountStatus.AUTHORIZED,
            visma_company_id=f"vc-{n:05d}",
            visma_company_name=f"Visma {n:05d}",
        )
        for n in range(companies)
    )
    created = PayrollCompany.objects.bulk_create(
        PayrollCompany(
            master=master,
            name=f"Client {n:05d}",
            key=f"client-{n:05d}",
            scheme_source=source,
            scheme_filename=scheme.name,
            visma_account=None if n % 50 == 49 else accounts[n],
            visma_company_id="" if n % 50 == 49 else f"vc-{n:05d}",
        )
        for n in range(companies)
    )
    batch: list[PayrollRun] = []
    for company in created:
        for month in range(1, runs_per_company + 1):
            year, number = 2025 + (month - 1) // 12, (month - 1) % 12 + 1
            batch.append(
                PayrollRun(
                    company=company,
                    run_id=f"{year}-{number:02d}",
                    version=1,
                    kind="regular",
                    period_label=f"{year}-{number:02d}",
                    period_start=date(year, number, 1),
                    period_end=date(year, number, 28),
                    payment_date=date(year, number, 25),
                    currency="EUR",
                    source_name="bench",
                    source_sha256=f"{company.pk:032d}{month:032d}",
                )
            )
        if len(batch) >= 20_000:
            PayrollRun.objects.bulk_create(batch)
            batch = []
    PayrollRun.objects.bulk_create(batch)
    last = {
        company_id: (pk, run_id, paid)
        for company_id, pk, run_id, paid in PayrollRun.objects.filter(
            company__master=master
        ).values_list("company_id", "pk", "run_id", "payment_date")
    }
    now = timezone.now()
    stamps = read_companies(company.pk for company in created)
    summaries = []
    for n, company in enumerate(created):
        pk, run_id, paid = last[company.pk]
        state, stuck, moving, code = "sent", 0, 0, ""
        if n % 20 == 3:
            state, stuck, code = "needs_action", 1, "period_locked"
        elif n % 20 == 4:
            state, stuck, code = "needs_action", 1, "account_not_found"
        elif n % 20 == 5:
            state, moving = "queued", 1
        elif n % 10 == 6:
            state = "not_sent"
        summaries.append(
            CompanySummary(
                company=company,
                last_run_pk=pk,
                last_run_key=run_id,
                last_period=run_id,
                last_payment_date=paid,
                last_status=state,
                last_voucher=f"A{n + 1}" if state == "sent" else "",
                needs_action=stuck,
                moving=moving,
                error_code=code,
                for_bookkeeper=stuck if code == "period_locked" else 0,
                for_payroll=stuck if code == "account_not_found" else 0,
                next_voucher_date=paid if state != "sent" else None,
                stamp=stamps[company.pk],
                updated_at=now,
            )
        )
    CompanySummary.objects.bulk_create(summaries, batch_size=5000)
    DriftReport.objects.bulk_create(
        DriftReport(
            company=company,
            checked_at=now,
            checked_for=now.date(),
            passed=False,
            failures=[{"key": "accounts", "code": "account_inactive", "subject": "4000"}],
        )
        for n, company in enumerate(created)
        if n % 20 == 11
    )
    SeenComponent.objects.bulk_create(
        SeenComponent(company=company, component="BONUS-X", last_run_id="2025-12")
        for n, company in enumerate(created)
        if n % 25 == 13
    )
    return member.user


def _populate(runs: int, accounts: int) -> tuple[int, User]:
    from payjournal.integrations.models import VismaAccount
    from payjournal.payroll.journals import load_journal, store_journals
    from payjournal.payroll.models import PayrollRun
    from payjournal.payroll.samples import add_sample_companies
    from payjournal.tenancy.models import Role
    from payjournal.tenancy.users import create_user

    member = create_user("bench", "bench-password-1", master_name="Bench", role=Role.MASTER_ADMIN)
    company = add_sample_companies(member.master)[1]
    template = PayrollRun.objects.filter(company=company).select_related("journal").first()
    assert template is not None
    new_runs = [
        PayrollRun(
            company=company,
            run_id=f"bench-{n:05d}",
            version=1,
            kind=template.kind,
            period_label=template.period_label,
            period_start=template.period_start - timedelta(days=n),
            period_end=template.period_end,
            payment_date=template.payment_date,
            currency=template.currency,
            source_name="bench",
            source_sha256=f"{n:064d}",
        )
        for n in range(max(0, runs - PayrollRun.objects.filter(company=company).count()))
    ]
    created = PayrollRun.objects.bulk_create(new_runs)
    journal = load_journal(template.journal)
    store_journals([(run, journal) for run in created])
    VismaAccount.objects.bulk_create(
        VismaAccount(master=member.master, name=f"Account {n:04d}") for n in range(accounts)
    )
    return company.pk, member.user


def _submit_all(company_id: int) -> None:
    """A leg for every run's journal, as after a month-end: most sent with a voucher number,
    some stopped in needs action, some still on their way (the page then polls); and one sent
    run in ten corrected — a version 2, the reversal of version 1 and version 2 in full, all
    sent — so the rows with a line per version are part of the budget."""
    from django.utils import timezone

    from payjournal.domain.submission import SubmissionState
    from payjournal.payroll.journals import load_journal, store_journal
    from payjournal.payroll.models import JournalSnapshot, PayrollRun
    from payjournal.sending.models import Submission

    now = timezone.now()
    journals = list(
        JournalSnapshot.objects.filter(run__company_id=company_id)
        .select_related("run__company")
        .order_by("pk")
    )
    legs = []
    corrected = []
    for n, journal in enumerate(journals):
        stopped_or_waiting = (SubmissionState.NEEDS_ACTION, SubmissionState.QUEUED)[n % 2]
        state = stopped_or_waiting if n % 10 == 9 else SubmissionState.SENT
        legs.append(_leg(journal, n, state, "full", now))
        if n % 10 == 3:
            corrected.append(journal)
    Submission.objects.bulk_create(legs)
    for original in corrected:
        run = copy.copy(original.run)
        run.pk = None
        run.version = 2
        run.source_sha256 = f"v2-{original.pk:061d}"
        run.save()
        store_journal(run, load_journal(original))
    versions = {
        journal.run.run_id: journal
        for journal in JournalSnapshot.objects.filter(
            run__company_id=company_id, run__version=2
        ).select_related("run")
    }
    extra = []
    for n, journal in enumerate(journals):
        if journal.run.run_id in versions:
            sent = SubmissionState.SENT
            extra.append(_leg(journal, n + 100_000, sent, "reversal", now))
            extra.append(_leg(versions[journal.run.run_id], n + 200_000, sent, "full", now))
    Submission.objects.bulk_create(extra)
    PayrollRun.objects.filter(company_id=company_id).update(imported_at=now)


def _leg(journal: Any, n: int, state: Any, kind: str, now: Any) -> Any:
    from payjournal.domain.submission import SubmissionState
    from payjournal.sending.models import Submission

    sent = state is SubmissionState.SENT
    stopped = state is SubmissionState.NEEDS_ACTION
    return Submission(
        journal=journal,
        company_id=journal.run.company_id,
        run_key=journal.run.run_id,
        kind=kind,
        voucher_date=journal.voucher_date,
        marker=f"[pj:{n:016x}]",
        state=state.value,
        voucher_id=f"v-{n}" if sent else "",
        voucher_number=f"A{n + 1}" if sent else "",
        sent_at=now if sent else None,
        error_code="period_locked" if stopped else "",
        error_message="The voucher date is in a locked period" if stopped else "",
    )
