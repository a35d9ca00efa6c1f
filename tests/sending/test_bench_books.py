"""The month-end benchmark's check of the books (``payjournal bench month-end``): read through
the emulator's control API, every run id nets to its latest version, a marker posted twice is
a duplicate that breaks its run's netting, and the legs are counted by kind."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from payjournal.benchmarks.month_end import Emulator as ControlApi
from payjournal.benchmarks.month_end_books import BooksFigures, check_books
from payjournal.emulator import Emulator
from payjournal.emulator.transport import EmulatorTransport
from payjournal.payroll.models import PayrollCompany
from payjournal.sending import connection
from payjournal.sending.legs import leg_journal
from payjournal.sending.models import Submission
from payjournal.sending.services import import_run, request_send_many, unsent_runs
from payjournal.sending.voucher import build_voucher
from tests.fixtures.books import BASE, Books
from tests.sending.story import RUN, corrected, drain, use_mode


def send_everything(company: PayrollCompany) -> None:
    request_send_many(unsent_runs(company))
    drain(company)


def figures(emulator_app: Any, company: PayrollCompany) -> BooksFigures:
    return check_books(ControlApi(BASE, EmulatorTransport(emulator_app)), [company])


def seeded(visma: Emulator) -> int:
    """The vouchers the demo seed gives Bakkerij (no marker of ours: counted as stray)."""
    books = visma.state.company("nl-bakkerij")
    assert books is not None
    return len(books.vouchers)


def test_a_corrected_run_reversed_and_rebooked_nets_to_its_latest_version(
    books: Books, visma: Emulator, emulator_app: Any
) -> None:
    before = seeded(visma)
    send_everything(books.bakkerij)
    import_run(books.bakkerij, corrected(), "run-2026-09-v2.json")
    send_everything(books.bakkerij)

    found = figures(emulator_app, books.bakkerij)

    assert found.run_ids == 3  # 2026-09 (corrected here), 2026-10, 2026-10-correction
    assert (found.netting, found.duplicates, found.stray) == (3, 0, before)
    assert found.posted == {"full": 4, "reversal": 1, "difference": 0}
    assert found.posted_later_versions == 1
    assert found.vouchers == found.posted_total + before == 5 + before


def test_difference_mode_posts_one_difference_and_nets(
    books: Books, visma: Emulator, emulator_app: Any
) -> None:
    use_mode(books.bakkerij, "difference")
    send_everything(books.bakkerij)
    import_run(books.bakkerij, corrected(), "run-2026-09-v2.json")
    send_everything(books.bakkerij)

    found = figures(emulator_app, books.bakkerij)

    assert (found.netting, found.duplicates) == (3, 0)
    assert found.posted == {"full": 3, "reversal": 0, "difference": 1}


def test_a_marker_posted_twice_is_a_duplicate_and_its_run_does_not_net(
    books: Books, visma: Emulator, emulator_app: Any
) -> None:
    send_everything(books.bakkerij)
    leg = Submission.objects.get(company=books.bakkerij, run_key=RUN, state="sent")
    journal = replace(leg_journal(leg), voucher_date=leg.voucher_date)
    client = connection.client_for(books.bakkerij)
    centers = tuple(client.list_cost_centers())
    client.create_voucher(build_voucher(journal, leg.marker, centers))

    found = figures(emulator_app, books.bakkerij)

    assert found.duplicates == 1
    assert found.netting == 2
    assert found.not_netting == [f"nl-bakkerij {RUN}"]


def test_a_run_that_was_never_sent_does_not_net(
    books: Books, visma: Emulator, emulator_app: Any
) -> None:
    found = figures(emulator_app, books.bakkerij)

    assert (found.run_ids, found.netting, found.posted_total) == (3, 0, 0)
