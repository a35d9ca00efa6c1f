"""Chaos: 300 sends through DBOS while Visma drops committed requests, times out, answers 5xx
and bursts 429s — 220 first sends of the runs of 22 companies, and while they are still on
their way 60 corrections (new versions of runs already booked) and 20 withdrawals.

Half the companies book corrections as reverse and rebook, half as a difference; a third send
automatically (their corrections and withdrawals go without a click). Once everything settled,
invariant 7 holds for every run id: its vouchers net per account + cost center to the latest
version (or to nothing when withdrawn); no marker twice; every leg sent or superseded, the
vouchers exactly the legs the correction modes ask for."""

from __future__ import annotations

import json
import time
from collections import Counter
from decimal import Decimal

import pytest

from payjournal.emulator import Emulator, FaultPlan
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.payroll.services import create_company, map_company
from payjournal.sending import connection
from payjournal.sending.models import SendingSettings, Submission
from payjournal.sending.services import (
    import_run,
    request_send,
    request_send_many,
    unsent_runs,
    withdraw,
)
from payjournal.tenancy.models import Master
from tests.fixtures.books import connect_account
from tests.sending.netting import assert_books_hold_the_latest
from tests.waiting import wait_until

COMPANIES = 22
RUNS_EACH = 10
CORRECTIONS = 60
WITHDRAWALS = 20
#: Sends (a click, the API or automatic sending), each a decision to book a run id as it is.
SENDS = COMPANIES * RUNS_EACH + CORRECTIONS + WITHDRAWALS
TEMPLATE = json.loads((samples_dir() / "nl-bakkerij" / "run-2026-09.json").read_text())


def run_file(key: str, run_key: str, raised_by: Decimal = Decimal(0)) -> bytes:
    """The Bakkerij sample run as run ``run_key`` of company ``key``, one amount raised."""
    lines = [dict(line) for line in TEMPLATE["lines"]]
    lines[1]["amount"] = str(Decimal(lines[1]["amount"]) + raised_by)
    return json.dumps(dict(TEMPLATE, company=key, run_id=run_key, lines=lines)).encode()


def make_runs(emu: Emulator) -> list[PayrollRun]:
    """22 payroll companies on the bakkerij scheme, each with its own account, 10 runs each;
    even ones book corrections as a difference, every third sends automatically (switched on
    after the import: the first sends are one bulk send)."""
    master = Master.objects.create(name="Chaos Payroll")
    folder = samples_dir() / "nl-bakkerij"
    scheme = next(folder.glob("scheme.*"))
    runs = []
    for c in range(COMPANIES):
        key = f"bk-{c:02d}"
        company = create_company(master, key, key, scheme.read_bytes(), scheme.name)
        map_company(company, connect_account(emu, master, "nl-bakkerij", name=f"Visma {key}"))
        for r in range(RUNS_EACH):
            data = run_file(key, f"2026-09-{r:02d}")
            runs.append(import_run(company, data, f"{key}-{r}.json").run)
        SendingSettings.objects.create(
            company=company,
            correction_mode="difference" if c % 2 == 0 else "reverse_and_rebook",
            send_automatically=c % 3 == 0,
        )
    return runs


def sent_legs() -> int:
    return Submission.objects.filter(state="sent").count()


def settled() -> bool:
    return not Submission.objects.exclude(state__in=["sent", "superseded", "needs_action"]).exists()


def correct_and_withdraw(runs: list[PayrollRun]) -> Counter[str]:
    """60 new versions (one amount raised) and 20 withdrawals of runs already booked, sent by a
    click unless their company sends automatically; the vouchers they should post, by kind."""
    booked = set(Submission.objects.filter(state="sent").values_list("company_id", "run_key"))
    chosen = [run for run in runs if (run.company_id, run.run_id) in booked]
    assert len(chosen) >= CORRECTIONS + WITHDRAWALS, "too few runs booked before the corrections"
    wanted: Counter[str] = Counter()
    for n, run in enumerate(chosen[:CORRECTIONS]):
        company: PayrollCompany = run.company
        raised = Decimal(n + 1) * Decimal("12.34")
        new = import_run(company, run_file(company.key, run.run_id, raised), "corrected.json")
        assert new.created and new.run.version == 2
        if company.sending_settings.correction_mode == "difference":
            wanted["difference"] += 1
        else:
            wanted["reversal"] += 1
            wanted["full"] += 1
        if not company.sending_settings.send_automatically:
            request_send(new.run)
    for run in chosen[CORRECTIONS : CORRECTIONS + WITHDRAWALS]:
        open_leg = withdraw(run)
        if not run.company.sending_settings.send_automatically:
            open_leg = request_send(run)
        assert open_leg is not None and open_leg.kind == "reversal"
        wanted["reversal"] += 1
    return wanted


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_300_sends_with_corrections_and_withdrawals_under_faults_net_exactly(
    db: None, visma: Emulator, executor: None
) -> None:
    started = time.monotonic()
    runs = make_runs(visma)
    books = visma.state.company("nl-bakkerij")
    assert books is not None
    before = len(books.vouchers)
    centers = tuple(connection.client_for(runs[0].company).list_cost_centers())
    visma.faults.set(
        FaultPlan(
            drop_rate=0.08,
            error_rate=0.08,
            timeout_rate=0.02,
            timeout_delay_s=0.8,
            burst_429_next=3,
            burst_retry_after_s=1,
            endpoints=["POST /v2/vouchers"],
        ),
        seed=7,
    )
    assert len(request_send_many(runs).queued) == len(runs)
    wait_until(lambda: sent_legs() >= 100, "the first sends to get going", bound_s=240)
    wanted = correct_and_withdraw(runs)
    wanted["full"] += len(runs)
    wait_until(
        settled,
        lambda: (
            f"every leg to settle: {Counter(Submission.objects.values_list('state', flat=True))}"
        ),
        bound_s=300,
    )
    visma.faults.clear()

    stuck = Submission.objects.filter(state="needs_action")
    assert not stuck.exists(), list(stuck.values_list("kind", "error_code", "error_message")[:5])
    legs = Counter(Submission.objects.filter(state="sent").values_list("kind", flat=True))
    assert legs == wanted
    ours = [v for v in books.vouchers.values() if "[pj:" in v.text]
    assert len(books.vouchers) - before == len(ours) == sum(wanted.values())
    assert len({v.text for v in ours}) == len(ours)  # no marker twice: duplicates 0
    for company in PayrollCompany.objects.filter(master__name="Chaos Payroll"):
        for run_key in {run.run_id for run in runs if run.company_id == company.pk}:
            assert_books_hold_the_latest(visma, company, run_key, centers)
        assert not unsent_runs(company).exists()
    faults = Counter(r.fault for r in visma.requests if r.fault not in (None, "latency"))
    print(  # the figures, shown with -s
        f"chaos: {SENDS} sends, {len(runs)} run ids, "
        f"{Submission.objects.count()} legs ({dict(legs)} sent), {len(ours)} vouchers, "
        f"faults {dict(faults)}, {time.monotonic() - started:.1f} s"
    )
