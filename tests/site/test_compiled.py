"""Reads compiled once (:mod:`payjournal.site.compiled`): the same objects as Django's ``.get``,
related objects included, for any primary key, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from payjournal.emulator import Emulator
from payjournal.payroll.models import PayrollCompany
from payjournal.sending.models import Submission
from payjournal.sending.services import request_send
from payjournal.site.compiled import CompiledGet
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


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "sqlite", reason="this session already runs on PostgreSQL")
@pytest.mark.postgres_again(__file__)
def test_compiled_reads_on_postgresql_too(request: pytest.FixtureRequest) -> None:
    assert_passes_on_postgresql(request)
