"""The correction story's parts, shared by the tests of sending, the API and the browser:
Bakkerij's run 2026-09 (:data:`RUN`) and its corrected versions, the legs of a run id, and
:func:`drain`, which works every open leg off in this thread (no job backend)."""

from __future__ import annotations

import json
from decimal import Decimal

from payjournal.domain.submission import SubmissionState
from payjournal.emulator import Emulator
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.sending.models import SendingSettings, Submission
from payjournal.sending.send import SendPolicy, process_submission
from tests.fixtures.books import Books
from tests.sending.netting import books_net, expected_net

FAST = SendPolicy(max_attempts=6, base_delay_s=0.0, max_delay_s=0.0)
RUN = "2026-09"


def no_sleep(_seconds: float) -> None:
    """A ``sleep`` that does not wait: the retries' pauses prove nothing here."""
    return None


def drain(company: PayrollCompany) -> list[Submission]:
    """Process every open leg of the company until none is left (no job backend in tests)."""
    done: list[Submission] = []
    for _ in range(20):
        waiting = list(Submission.objects.filter(company=company, state=SubmissionState.QUEUED))
        if not waiting:
            return done
        for leg in waiting:
            process_submission(leg.pk, policy=FAST, sleep=no_sleep)
            leg.refresh_from_db()
            done.append(leg)
    raise AssertionError("legs kept coming")


def corrected(raise_by: str = "100.00", *, run: str = RUN, line: int = 0) -> bytes:
    """The Bakkerij sample run with one line's amount raised by ``raise_by``."""
    data = json.loads((samples_dir() / "nl-bakkerij" / f"run-{run}.json").read_bytes())
    amount = Decimal(data["lines"][line]["amount"]) + Decimal(raise_by)
    data["lines"][line]["amount"] = str(amount)
    return json.dumps(data).encode()


def version_1(books: Books) -> PayrollRun:
    """Bakkerij's run 2026-09 as first imported."""
    return PayrollRun.objects.get(company=books.bakkerij, run_id=RUN, version=1)


def legs(company: PayrollCompany, run_key: str = RUN) -> list[tuple[str, str]]:
    """The run id's legs as (kind, state), oldest first."""
    return [
        (leg.kind, leg.state)
        for leg in Submission.objects.filter(company=company, run_key=run_key).order_by(
            "created_at"
        )
    ]


def assert_books_net_to_the_latest(
    emu: Emulator, company: PayrollCompany, run_key: str = RUN
) -> None:
    """The run id's vouchers net to its latest version (or to nothing once withdrawn)."""
    assert books_net(emu, company, run_key) == expected_net(company, run_key)


def use_mode(company: PayrollCompany, mode: str) -> None:
    """Book the company's corrections as ``mode`` (reverse_and_rebook or difference)."""
    SendingSettings.objects.update_or_create(company=company, defaults={"correction_mode": mode})
