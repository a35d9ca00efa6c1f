"""Reads and writes compiled once (:mod:`payjournal.site.compiled`): the same objects as
Django's ``.get``, related objects included, for any primary key; the same rows as
``QuerySet.update`` and ``Model.objects.create``; on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from payjournal.emulator import Emulator
from payjournal.payroll.models import JournalLine, PayrollCompany
from payjournal.sending.models import Attempt, RunBooking, Submission
from payjournal.sending.services import request_send
from payjournal.site.compiled import CompiledGet, CompiledValues, insert_row, update_where
from tests.fixtures.books import Books
from tests.on_postgres import assert_passes_on_postgresql

LEG = CompiledGet(
    lambda: Submission.objects.select_related("journal__run", "company__visma_account")
)


def fields(obj: Model) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_the_same_objects_as_django_builds_in_one_query(books: Books, visma: Emulator) -> None:
    legs = [request_send(books.runs(company)[0]) for company in (books.bakkerij, books.nordisk)]
    for leg in legs:  # the second with the SQL the first compiled
        expected = Submission.objects.select_related("journal__run", "company__visma_account").get(
            pk=leg.pk
        )
        with CaptureQueriesContext(connection) as reading:
            found = LEG.get(leg.pk)
            related = (found.journal, found.journal.run, found.company)
            account = found.company.visma_account
        assert len(reading.captured_queries) == 1
        assert fields(found) == fields(expected)
        assert isinstance(found.pk, uuid.UUID) and found.created_at == expected.created_at
        for got, want in zip(
            (*related, account),
            (
                expected.journal,
                expected.journal.run,
                expected.company,
                expected.company.visma_account,
            ),
            strict=True,
        ):
            assert got is not None and fields(got) == fields(want)
        assert not found._state.adding and found._state.db == "default"


def test_a_missing_key_is_does_not_exist(books: Books, visma: Emulator) -> None:
    with pytest.raises(Submission.DoesNotExist):
        LEG.get(uuid.uuid4())


def test_a_query_whose_key_is_not_the_only_such_value_is_refused(
    books: Books, visma: Emulator
) -> None:
    """The primary key's place is found by its value: a queryset that names the same value
    elsewhere cannot be compiled, rather than read with the wrong parameter replaced."""
    pk = books.bakkerij.pk
    same_value = CompiledGet(lambda: PayrollCompany.objects.filter(pk__lte=pk))
    with pytest.raises(ValueError, match="not unique"):
        same_value.get(pk)


def test_a_read_by_other_keys_that_locks_its_row(books: Books, visma: Emulator) -> None:
    """Keyed by a company and a run id, with ``FOR UPDATE`` where the database has it: the
    row Django's ``select_for_update().get`` gives, for any keys, and ``DoesNotExist``."""
    booking = CompiledGet(
        lambda: RunBooking.objects.select_for_update(), keys=("company_id", "run_key")
    )
    legs = [request_send(books.runs(company)[0]) for company in (books.bakkerij, books.nordisk)]
    for leg in legs:
        with CaptureQueriesContext(connection) as reading:
            found = booking.get(leg.company_id, leg.run_key)
        expected = RunBooking.objects.select_for_update().get(
            company=leg.company, run_key=leg.run_key
        )
        assert fields(found) == fields(expected) and found.wanted_version == 1
        locks = connection.features.has_select_for_update
        assert reading.captured_queries[0]["sql"].endswith(" FOR UPDATE") is locks
    with pytest.raises(RunBooking.DoesNotExist):
        booking.get(books.bakkerij.pk, "no-such-run")


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_outside_a_transaction_is_refused_before_any_sql() -> None:
    """As Django's ``select_for_update``: a lock outside a transaction would hold nothing
    (SQLite, without ``FOR UPDATE``, would not even say so)."""
    booking = CompiledGet(
        lambda: RunBooking.objects.select_for_update(), keys=("company_id", "run_key")
    )
    refused = pytest.raises(TransactionManagementError, match="outside of a transaction")
    with CaptureQueriesContext(connection) as reading, refused:
        booking.get(1, "run-1")
    assert [q["sql"] for q in reading.captured_queries if "runbooking" in q["sql"]] == []


def test_rows_of_a_values_query_are_those_of_django(books: Books, visma: Emulator) -> None:
    """A journal's lines as tuples, in order, converted as Django converts them (a boolean is
    ``True``, not SQLite's 1), for any journal; none for a journal with no lines."""
    columns = ("account", "side", "amount_minor", "text", "is_rounding")
    lines = CompiledValues(
        lambda: JournalLine.objects.order_by("position").values_list(*columns), key="journal_id"
    )
    journals = [books.runs(company)[0].journal for company in (books.bakkerij, books.nordisk)]
    first = journals[0].lines.order_by("position").first()
    assert first is not None
    JournalLine.objects.filter(pk=first.pk).update(is_rounding=True)
    for journal in journals:
        expected = list(journal.lines.order_by("position").values_list(*columns))
        with CaptureQueriesContext(connection) as reading:
            found = lines.rows(journal.pk)
        assert found == expected and len(reading.captured_queries) == 1
        assert all(type(row[4]) is bool for row in found)
    assert lines.rows(journals[0].pk)[0][4] is True
    assert lines.rows(-1) == []


def test_a_compare_and_set_writes_what_django_writes(books: Books, visma: Emulator) -> None:
    ours, django = (
        request_send(books.runs(company)[0]) for company in (books.bakkerij, books.nordisk)
    )
    at = datetime(2026, 11, 27, 15, 4, 5, 123456, tzinfo=UTC)
    changes: dict[str, Any] = {
        "state": "sent",
        "updated_at": at,
        "voucher_id": str(uuid.uuid4()),
        "voucher_number": "A17",
        "sent_at": at,
        "needs_reconcile": True,
        "attempts_count": 3,
        "voucher_date": date(2026, 10, 31),
    }
    assert update_where(Submission, ours.pk, ("state", "queued"), **changes) == 1
    assert Submission.objects.filter(pk=django.pk, state="queued").update(**changes) == 1
    written, expected = (fields(Submission.objects.get(pk=leg.pk)) for leg in (ours, django))
    different = {"id", "journal_id", "company_id", "run_key", "marker", "created_at", "enqueued_at"}
    assert {k: v for k, v in written.items() if k not in different} == {
        k: v for k, v in expected.items() if k not in different
    }
    assert written["sent_at"] == at and written["voucher_date"] == date(2026, 10, 31)


def test_a_compare_and_set_on_a_moved_row_writes_nothing(books: Books, visma: Emulator) -> None:
    leg = request_send(books.runs(books.bakkerij)[0])
    before = fields(Submission.objects.get(pk=leg.pk))
    assert update_where(Submission, leg.pk, ("state", "sending"), state="sent") == 0
    assert update_where(Submission, uuid.uuid4(), ("state", "queued"), state="sent") == 0
    # every guard must hold: the state does, the round does not
    assert update_where(Submission, leg.pk, ("state", "queued"), ("round", 2), state="sent") == 0
    assert fields(Submission.objects.get(pk=leg.pk)) == before
    assert update_where(Submission, leg.pk, ("state", "queued"), ("round", 1), state="sent") == 1


def test_an_inserted_row_is_what_create_stores(books: Books, visma: Emulator) -> None:
    leg = request_send(books.runs(books.bakkerij)[0])
    at = datetime(2026, 11, 27, 15, 4, 5, 123456, tzinfo=UTC)
    values: dict[str, Any] = {
        "submission_id": leg.pk,
        "at": at,
        "event": "posted",
        "state": "sent",
        "error_code": "",
        "message": "ö – a message",
    }
    insert_row(Attempt, **values)
    created = Attempt.objects.create(**values)
    ours = Attempt.objects.filter(submission=leg, message=values["message"]).exclude(pk=created.pk)
    created.refresh_from_db()
    assert {k: v for k, v in fields(ours.get()).items() if k != "id"} == {
        **{k: v for k, v in fields(created).items() if k != "id"},
        "at": at,  # auto_now_add set create's own
    }


def test_a_write_naming_a_wrong_column_is_refused_before_any_sql(
    books: Books, visma: Emulator
) -> None:
    leg = request_send(books.runs(books.bakkerij)[0])
    with CaptureQueriesContext(connection) as writing:
        with pytest.raises(ValueError, match="no column for colour"):
            update_where(Submission, leg.pk, ("state", "queued"), colour="red")
        with pytest.raises(ValueError, match=r"missing \['at', 'error_code'"):
            insert_row(Attempt, submission_id=leg.pk, event="posted", state="sent", message="")
        with pytest.raises(ValueError, match=r"unknown \['colour'\]"):
            insert_row(
                Attempt,
                submission_id=leg.pk,
                at=datetime.now(UTC),
                event="posted",
                state="sent",
                error_code="",
                message="",
                colour="red",
            )
    assert writing.captured_queries == []


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "sqlite", reason="this session already runs on PostgreSQL")
@pytest.mark.postgres_again(__file__)
def test_compiled_reads_on_postgresql_too(request: pytest.FixtureRequest) -> None:
    assert_passes_on_postgresql(request)
