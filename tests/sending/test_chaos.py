"""Chaos: 300 journals of 30 companies sent through DBOS while Visma drops committed requests,
times out, answers 5xx and bursts 429s. The emulator must end with exactly 300 vouchers, one
per journal version, whose totals match the journals; every submission ends sent."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest

from payjournal.emulator import Emulator, FaultPlan
from payjournal.payroll.models import JournalSnapshot, PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.payroll.services import create_company, import_run, map_company
from payjournal.sending.models import Submission
from payjournal.sending.services import request_send_many
from payjournal.tenancy.models import Master
from tests.sending.conftest import connect_account

COMPANIES = 30
RUNS_EACH = 10


def make_runs(emu: Emulator) -> list[PayrollRun]:
    """30 payroll companies on the bakkerij scheme, each with its own account, 10 runs each."""
    master = Master.objects.create(name="Chaos Payroll")
    folder = samples_dir() / "nl-bakkerij"
    scheme = next(folder.glob("scheme.*"))
    template = json.loads((folder / "run-2026-09.json").read_text())
    runs = []
    for c in range(COMPANIES):
        key = f"bk-{c:02d}"
        company = create_company(master, key, key, scheme.read_bytes(), scheme.name)
        account = connect_account(emu, master, "nl-bakkerij", name=f"Visma {key}")
        map_company(company, account)
        for r in range(RUNS_EACH):
            data = dict(template, company=key, run_id=f"2026-09-{r:02d}")
            runs.append(import_run(company, json.dumps(data).encode(), f"{key}-{r}.json").run)
    return runs


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_300_sends_under_mixed_faults_leave_exactly_300_vouchers(
    db: None, visma: Emulator, executor: None
) -> None:
    runs = make_runs(visma)
    company = visma.state.company("nl-bakkerij")
    assert company is not None
    before = len(company.vouchers)
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
    result = request_send_many(runs)
    assert len(result.queued) == COMPANIES * RUNS_EACH
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if not Submission.objects.exclude(state__in=["sent", "needs_action"]).exists():
            break
        time.sleep(0.25)
    visma.faults.clear()
    states = list(Submission.objects.values_list("state", flat=True))
    assert states.count("sent") == COMPANIES * RUNS_EACH, Submission.objects.exclude(
        state="sent"
    ).values_list("state", "error_code", "error_message")[:5]
    ours = [v for v in company.vouchers.values() if "[pj:" in v.text]
    assert len(company.vouchers) - before == len(ours) == COMPANIES * RUNS_EACH
    by_marker = {s.marker: s for s in Submission.objects.select_related("journal")}
    assert len({v.text for v in ours}) == len(ours)
    for voucher in ours:
        marker = voucher.text[voucher.text.index("[pj:") :]
        journal: JournalSnapshot = by_marker[marker].journal
        total = Decimal(journal.total_minor) / 100
        assert sum(row.debit for row in voucher.rows) == total
        assert sum(row.credit for row in voucher.rows) == total
