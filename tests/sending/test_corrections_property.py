"""Invariant 7 under what payroll, users, workers and Visma do: the books of a run id hold
exactly its latest version (or nothing when withdrawn), whatever happened on the way.

The cases below are ones the property found; each checks the emulator's vouchers of the run id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from payjournal.emulator import Emulator
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.payroll.services import import_run
from payjournal.sending.models import SendingSettings, Submission
from payjournal.sending.send import SendPolicy, process_submission
from payjournal.sending.services import SendRefusedError, request_send
from tests.sending.conftest import Books
from tests.sending.netting import books_net, expected_net, vouchers_of_run

FAST = SendPolicy(max_attempts=6, base_delay_s=0.0, max_delay_s=0.0)
#: (company key, run id, sample file) of the run ids the steps book.
RUN_IDS = (
    ("nl-bakkerij", "2026-09", "run-2026-09.json"),
    ("nl-bakkerij", "2026-10", "run-2026-10.json"),
    ("se-nordisk", "2026-10-X1", "run-2026-10-offcycle.csv"),
)
#: Nordisk's lock date at the start (the seed's follows the month the tests run in).
NORDISK_LOCKED_TO = date(2026, 10, 31)


def no_sleep(_seconds: float) -> None:
    return None


@dataclass(frozen=True)
class Content:
    """What a pushed run file says, as changes to the sample: one line's amount raised by
    ``cents`` (minor units), the payment date moved ``later_by`` days; ``style`` 1 writes the
    same data differently (another file, the same journal)."""

    line: int = 0
    cents: int = 0
    later_by: int = 0
    style: int = 0


def run_file(sample: str, key: str, content: Content) -> bytes:
    """The sample run file ``sample`` of company ``key`` with ``content``'s changes."""
    raw = (samples_dir() / key / sample).read_bytes()
    if sample.endswith(".json"):
        data = json.loads(raw)
        line = data["lines"][content.line]
        line["amount"] = str(Decimal(line["amount"]) + Decimal(content.cents).scaleb(-2))
        paid = date.fromisoformat(data["payment_date"]) + timedelta(days=content.later_by)
        data["payment_date"] = paid.isoformat()
        return json.dumps(data, indent=1 if content.style else 2).encode()
    header, *rows = raw.decode("utf-8-sig").strip().split("\r\n")
    names = header.split(";")
    amount, paid_at = names.index("amount"), names.index("payment_date")
    cells = [row.split(";") for row in rows]
    old = Decimal(cells[content.line][amount].replace(",", "."))
    new = old + Decimal(content.cents).scaleb(-2)
    cells[content.line][amount] = f"{new:.2f}".replace(".", ",")
    for row in cells:
        row[paid_at] = (date.fromisoformat(row[paid_at]) + timedelta(content.later_by)).isoformat()
    end = "\n" if content.style else "\r\n"
    text = end.join([header, *(";".join(row) for row in cells)]) + end
    return ("\ufeff" + text).encode()


# --- what the property found, as examples -------------------------------------------------------


def drain(company: PayrollCompany) -> None:
    """Work every queued leg of the company until none is left (no job backend in tests)."""
    for _ in range(20):
        queued = list(Submission.objects.filter(company=company, state="queued"))
        if not queued:
            return
        for leg in queued:
            process_submission(leg.pk, policy=FAST, sleep=no_sleep)
    raise AssertionError("legs kept coming")


def test_a_correction_that_only_moves_the_date_has_no_difference_to_book(
    books: Books, visma: Emulator
) -> None:
    """Difference mode, a new version paid a day later with the same amounts: new − booked is
    nothing, so there is no voucher to post (a voucher needs a row) — not a crashed send."""
    key, run_key, sample = RUN_IDS[2]
    nordisk = visma.state.company(key)
    assert nordisk is not None
    nordisk.accounting_locked_to = NORDISK_LOCKED_TO
    SendingSettings.objects.create(company=books.nordisk, correction_mode="difference")
    request_send(PayrollRun.objects.get(company=books.nordisk, run_id=run_key))
    drain(books.nordisk)
    moved = run_file(sample, key, Content(later_by=1))
    v2 = import_run(books.nordisk, moved, sample).run
    assert v2.version == 2
    with pytest.raises(SendRefusedError, match="no change to book"):
        request_send(v2)
    drain(books.nordisk)
    legs = Submission.objects.filter(run_key=run_key).order_by("created_at")
    assert [(leg.kind, leg.state) for leg in legs] == [("full", "sent"), ("difference", "sent")]
    assert len(vouchers_of_run(visma, books.nordisk, run_key)) == 1
    assert books_net(visma, books.nordisk, run_key) == expected_net(books.nordisk, run_key)


@pytest.mark.parametrize("mode", ["difference", "reverse_and_rebook"])
def test_automatic_sending_compares_the_new_journal_once_its_lines_are_stored(
    books: Books, visma: Emulator, mode: str
) -> None:
    """The same amounts in another file, with automatic sending on: no change to book. The
    decision is taken once the new version's journal lines are stored — taken before, the new
    journal looked empty: a difference leg of nothing (a crashed send), or a needless reversal
    and rebooking."""
    key, run_key, sample = RUN_IDS[0]
    SendingSettings.objects.create(
        company=books.bakkerij, correction_mode=mode, send_automatically=True
    )
    request_send(PayrollRun.objects.get(company=books.bakkerij, run_id=run_key))
    drain(books.bakkerij)
    again = import_run(books.bakkerij, run_file(sample, key, Content(style=1)), sample).run
    assert again.version == 2
    drain(books.bakkerij)
    legs = Submission.objects.filter(run_key=run_key).order_by("created_at")
    assert [(leg.kind, leg.state) for leg in legs] == [("full", "sent"), ("difference", "sent")]
    assert len(vouchers_of_run(visma, books.bakkerij, run_key)) == 1
    assert books_net(visma, books.bakkerij, run_key) == expected_net(books.bakkerij, run_key)
