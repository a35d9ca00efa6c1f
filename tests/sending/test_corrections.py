"""Corrections against the emulator: a new version of a booked run is booked as a reversal plus
the new version, or as one difference voucher; never twice. Withdrawals reverse; a version that
never reached Visma is superseded; a leg in flight makes the next one wait.

Each test ends with the emulator's vouchers for the run id netting, per account and cost
center, to the latest version (or to nothing) — invariant 7."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payjournal.domain.submission import Event
from payjournal.emulator import Emulator
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.preflight import DailyCache
from payjournal.sending.booking import run_state, run_states
from payjournal.sending.models import SendingSettings, Submission
from payjournal.sending.run_history import story_of
from payjournal.sending.send import process_submission
from payjournal.sending.services import (
    SendRefusedError,
    import_run,
    request_send,
    set_send_automatically,
    withdraw,
)
from payjournal.sending.states import transition
from tests.fixtures.books import Books
from tests.sending.netting import books_net, expected_net, vouchers_of_run
from tests.sending.story import (
    FAST,
    RUN,
    assert_books_net_to_the_latest,
    corrected,
    drain,
    legs,
    no_sleep,
    use_mode,
    version_1,
)


def test_a_correction_is_reversed_and_rebooked_not_booked_twice(
    books: Books, visma: Emulator
) -> None:
    request_send(version_1(books))
    drain(books.bakkerij)
    first = vouchers_of_run(visma, books.bakkerij, RUN)
    assert len(first) == 1
    v2 = import_run(books.bakkerij, corrected(), "run-2026-09-v2.json").run
    assert v2.version == 2
    leg = request_send(v2)
    assert (leg.kind, leg.state) == ("reversal", "queued")
    drain(books.bakkerij)
    assert legs(books.bakkerij) == [
        ("full", "sent"),
        ("reversal", "sent"),
        ("full", "sent"),
    ]
    posted = sorted(vouchers_of_run(visma, books.bakkerij, RUN), key=lambda v: v.number)
    assert len(posted) == 3
    original, reversal, rebooked = posted
    number = f"{original.series}{original.number}"
    assert reversal.text.startswith(f"Terugboeking van {number}: ")  # Bakkerij books in Dutch
    assert [(r.account_number, r.debit, r.credit) for r in reversal.rows] == [
        (r.account_number, r.credit, r.debit) for r in original.rows
    ]
    assert sum(r.debit for r in rebooked.rows) == sum(r.debit for r in original.rows) + Decimal(
        "100.00"
    )
    assert_books_net_to_the_latest(visma, books.bakkerij)
    with pytest.raises(SendRefusedError, match="already booked"):
        request_send(v2)


def test_difference_mode_posts_only_new_minus_old(books: Books, visma: Emulator) -> None:
    use_mode(books.bakkerij, "difference")
    request_send(version_1(books))
    drain(books.bakkerij)
    v2 = import_run(books.bakkerij, corrected("100.00"), "run-2026-09-v2.json").run
    request_send(v2)
    drain(books.bakkerij)
    assert legs(books.bakkerij) == [("full", "sent"), ("difference", "sent")]
    posted = sorted(vouchers_of_run(visma, books.bakkerij, RUN), key=lambda v: v.number)
    difference = posted[-1]
    assert difference.text.startswith("Correctie van ") and "(v1 → v2)" in difference.text
    assert sum(r.debit for r in difference.rows) == sum(r.credit for r in difference.rows)
    assert all(r.debit or r.credit for r in difference.rows)  # zero rows left out
    assert len(difference.rows) < len(posted[0].rows)
    assert_books_net_to_the_latest(visma, books.bakkerij)


def test_a_version_that_books_the_same_posts_nothing(books: Books, visma: Emulator) -> None:
    request_send(version_1(books))
    drain(books.bakkerij)
    # the same amounts in another file: a new version, nothing new for the books
    same = json.loads(corrected("0.00"))
    v2 = import_run(books.bakkerij, json.dumps(same, indent=1).encode(), "again.json").run
    assert v2.version == 2
    with pytest.raises(SendRefusedError, match="no change to book"):
        request_send(v2)
    assert len(vouchers_of_run(visma, books.bakkerij, RUN)) == 1
    assert legs(books.bakkerij) == [("full", "sent"), ("difference", "sent")]
    assert_books_net_to_the_latest(visma, books.bakkerij)


def test_a_withdrawn_run_is_reversed_and_comes_back_with_a_new_version(
    books: Books, visma: Emulator
) -> None:
    request_send(version_1(books))
    drain(books.bakkerij)
    withdraw(version_1(books))
    assert legs(books.bakkerij) == [("full", "sent")]  # no automatic sending: waits for Send
    request_send(version_1(books))
    drain(books.bakkerij)
    assert legs(books.bakkerij) == [("full", "sent"), ("reversal", "sent")]
    assert books_net(visma, books.bakkerij, RUN) == {} == expected_net(books.bakkerij, RUN)
    # the same file again brings the run back as version 2
    again = (samples_dir() / "nl-bakkerij" / f"run-{RUN}.json").read_bytes()
    back = import_run(books.bakkerij, again, "run-2026-09.json")
    assert back.created and back.run.version == 2
    request_send(back.run)
    drain(books.bakkerij)
    assert_books_net_to_the_latest(visma, books.bakkerij)


def test_a_version_never_posted_is_superseded(books: Books, visma: Emulator) -> None:
    waiting = request_send(version_1(books))
    v2 = import_run(books.bakkerij, corrected(), "run-2026-09-v2.json").run
    waiting.refresh_from_db()
    assert waiting.state == "superseded"
    request_send(v2)
    drain(books.bakkerij)
    assert legs(books.bakkerij) == [("full", "superseded"), ("full", "sent")]
    assert len(vouchers_of_run(visma, books.bakkerij, RUN)) == 1
    assert_books_net_to_the_latest(visma, books.bakkerij)


def test_a_leg_in_flight_makes_the_correction_wait(books: Books, visma: Emulator) -> None:
    leg = request_send(version_1(books))
    leg = transition(leg, Event.CLAIMED)  # a worker holds it: its POST may be under way
    v2 = import_run(books.bakkerij, corrected(), "run-2026-09-v2.json").run
    assert request_send(v2).pk == leg.pk  # the one in flight; nothing races it
    assert legs(books.bakkerij) == [("full", "sending")]
    drain_in_flight = process_submission(leg.pk, policy=FAST, sleep=no_sleep)
    assert drain_in_flight.value == "sent"
    drain(books.bakkerij)  # its settling queued the reversal, then the rebooking
    assert legs(books.bakkerij) == [("full", "sent"), ("reversal", "sent"), ("full", "sent")]
    assert_books_net_to_the_latest(visma, books.bakkerij)


def test_automatic_sending_books_corrections_and_withdrawals(books: Books, visma: Emulator) -> None:
    set_send_automatically(books.bakkerij, True)
    v2 = import_run(books.bakkerij, corrected(), "run-2026-09-v2.json").run
    drain(books.bakkerij)
    assert_books_net_to_the_latest(visma, books.bakkerij)
    import_run(books.bakkerij, corrected("250.00"), "run-2026-09-v3.json")
    drain(books.bakkerij)
    assert_books_net_to_the_latest(visma, books.bakkerij)
    withdraw(v2)
    drain(books.bakkerij)
    assert books_net(visma, books.bakkerij, RUN) == {}
    assert legs(books.bakkerij)[-1] == ("reversal", "sent")


def test_a_correction_of_a_locked_period_is_dated_on_the_first_open_day(
    books: Books, visma: Emulator
) -> None:
    request_send(version_1(books))
    drain(books.bakkerij)
    company = visma.state.company("nl-bakkerij")
    assert company is not None
    lock = version_1(books).journal.voucher_date + timedelta(days=10)
    company.accounting_locked_to = lock
    v2 = import_run(books.bakkerij, corrected(), "run-2026-09-v2.json").run
    request_send(v2)
    drain(books.bakkerij)
    dates = sorted((v.number, v.voucher_date) for v in vouchers_of_run(visma, books.bakkerij, RUN))
    first_open = lock + timedelta(days=1)
    assert legs(books.bakkerij) == [("full", "sent"), ("reversal", "sent"), ("full", "sent")], [
        (s.error_code, s.error_message) for s in Submission.objects.filter(state="needs_action")
    ]
    assert [day for _, day in dates] == [
        version_1(books).journal.voucher_date,
        first_open,
        first_open,
    ]
    reconciled = Submission.objects.filter(company=books.bakkerij, kind="reversal").get()
    assert reconciled.voucher_date == first_open  # stored before the POST
    assert_books_net_to_the_latest(visma, books.bakkerij)


def test_new_version_date_rule_keeps_the_date_and_stops_at_the_lock(
    books: Books, visma: Emulator
) -> None:
    SendingSettings.objects.update_or_create(
        company=books.bakkerij, defaults={"correction_date": "new_version"}
    )
    request_send(version_1(books))
    drain(books.bakkerij)
    company = visma.state.company("nl-bakkerij")
    assert company is not None
    company.accounting_locked_to = version_1(books).journal.voucher_date
    v2 = import_run(books.bakkerij, corrected(), "run-2026-09-v2.json").run
    request_send(v2)
    drain(books.bakkerij)
    reversal = Submission.objects.get(company=books.bakkerij, kind="reversal")
    assert reversal.voucher_date == v2.journal.voucher_date
    assert (reversal.state, reversal.error_code) == ("needs_action", "period_locked")
    assert len(vouchers_of_run(visma, books.bakkerij, RUN)) == 1  # nothing half-booked


def test_reversal_legs_do_not_change_the_voucher_that_booked_a_version(
    books: Books, visma: Emulator
) -> None:
    request_send(version_1(books))
    drain(books.bakkerij)
    number = story_of(run_state(books.bakkerij, RUN)).voucher_of(1)
    assert number
    v2 = import_run(books.bakkerij, corrected(), "x.json").run
    request_send(v2)
    drain(books.bakkerij)
    story = story_of(run_state(books.bakkerij, RUN))
    assert story.voucher_of(1) == number
    assert story.voucher_of(2) not in ("", number)
    assert date.today()  # the clock is real: the dates come from the run files


def test_the_preview_shows_the_vouchers_and_the_change_per_account(
    books: Books, visma: Emulator
) -> None:
    from payjournal.domain.booking import LegKind
    from payjournal.sending.booking import preview

    request_send(version_1(books))
    drain(books.bakkerij)
    import_run(books.bakkerij, corrected(), "run-2026-09-v2.json")
    shown = preview(books.bakkerij, RUN)
    assert (shown.booked, shown.wanted) == (1, 2)
    assert [(leg.kind, leg.version) for leg in shown.legs] == [
        (LegKind.REVERSAL, 1),
        (LegKind.FULL, 2),
    ]
    assert shown.vouchers == 2
    assert shown.changes, "raising one line changes some accounts"
    assert sum((c.change.amount for c in shown.changes), Decimal(0)) == 0  # still balances
    assert Submission.objects.filter(company=books.bakkerij).count() == 1  # read only
    use_mode(books.bakkerij, "difference")
    assert [leg.kind for leg in preview(books.bakkerij, RUN).legs] == [LegKind.DIFFERENCE]


@pytest.mark.parametrize(
    ("language", "prefix"),
    [("", "Terugboeking van "), ("sv", "Återföring av "), ("en", "Reversal of ")],
)
def test_the_words_added_to_a_voucher_are_in_the_companys_language(
    books: Books, visma: Emulator, language: str, prefix: str
) -> None:
    PayrollCompany.objects.filter(pk=books.bakkerij.pk).update(language=language)
    request_send(version_1(books))
    drain(books.bakkerij)
    withdraw(version_1(books))
    request_send(version_1(books))
    drain(books.bakkerij)
    reversal = max(vouchers_of_run(visma, books.bakkerij, RUN), key=lambda v: v.number)
    assert reversal.text.startswith(prefix + "A"), reversal.text
    assert "Loonjournaal" in reversal.text  # the scheme's own text follows


def _move_date(run: PayrollRun, days: int) -> None:
    from payjournal.payroll.models import JournalSnapshot

    JournalSnapshot.objects.filter(run=run).update(
        voucher_date=run.journal.voucher_date + timedelta(days=days)
    )


def test_a_moved_date_alone_is_no_change_in_difference_mode_and_rebooked_otherwise(
    books: Books, visma: Emulator
) -> None:
    use_mode(books.bakkerij, "difference")
    request_send(version_1(books))
    drain(books.bakkerij)
    v2 = import_run(books.bakkerij, corrected("0.00") + b" ", "moved.json").run
    _move_date(v2, -2)  # the same rows on another day
    with pytest.raises(SendRefusedError, match="no change to book"):
        request_send(v2)
    assert len(vouchers_of_run(visma, books.bakkerij, RUN)) == 1
    use_mode(books.bakkerij, "reverse_and_rebook")
    v3 = import_run(books.bakkerij, corrected("0.00") + b"  ", "moved-again.json").run
    _move_date(v3, -3)
    request_send(v3)
    drain(books.bakkerij)
    assert [kind for kind, _ in legs(books.bakkerij)][-2:] == ["reversal", "full"]
    assert_books_net_to_the_latest(visma, books.bakkerij)


def test_a_reversal_names_every_voucher_it_undoes(books: Books, visma: Emulator) -> None:
    PayrollCompany.objects.filter(pk=books.bakkerij.pk).update(language="en")
    use_mode(books.bakkerij, "difference")
    request_send(version_1(books))
    drain(books.bakkerij)
    v2 = import_run(books.bakkerij, corrected("100.00"), "v2.json").run
    request_send(v2)
    drain(books.bakkerij)
    withdraw(v2)
    request_send(v2)
    drain(books.bakkerij)
    original, difference, reversal = sorted(
        vouchers_of_run(visma, books.bakkerij, RUN), key=lambda v: v.number
    )
    first, second = (f"{v.series}{v.number}" for v in (original, difference))
    assert reversal.text.startswith(f"Reversal of {first} + {second}: "), reversal.text
    assert books_net(visma, books.bakkerij, RUN) == {}


def test_a_leg_superseded_between_loading_and_claiming_ends_quietly(
    books: Books, visma: Emulator
) -> None:
    from payjournal.sending import connection
    from payjournal.sending.send import _work

    leg = Submission.objects.get(pk=request_send(version_1(books)).pk)  # the worker's copy
    import_run(books.bakkerij, corrected(), "run-2026-09-v2.json")  # supersedes it meanwhile
    client = connection.client_for(books.bakkerij)
    state = _work(leg, client, DailyCache(), FAST, no_sleep, timezone.now)
    assert state.value == "superseded"
    assert vouchers_of_run(visma, books.bakkerij, RUN) == []


def test_one_run_id_and_every_run_id_are_read_in_three_queries(
    books: Books, visma: Emulator
) -> None:
    """``run_state`` is ``run_states`` of one run id: the same facts, the same three queries
    (versions with their journals, legs, booking rows) however many run ids are read."""
    request_send(version_1(books))
    drain(books.bakkerij)
    request_send(import_run(books.bakkerij, corrected(), "x.json").run)
    drain(books.bakkerij)
    with CaptureQueriesContext(connection) as one:
        state = run_state(books.bakkerij, RUN)
    with CaptureQueriesContext(connection) as every:
        states = run_states(books.bakkerij)
    assert len(one) == len(every) == 3
    assert set(states) == {run.run_id for run in books.runs(books.bakkerij)}
    assert len(states) > 1
    assert states[RUN] == state
    assert [state.version_of(leg) for leg in state.legs] == [1, 1, 2]
    assert state.booked == 2 and state.wanted_version == 2 and state.is_settled
    with pytest.raises(LookupError):
        run_state(books.bakkerij, "no-such-run")
