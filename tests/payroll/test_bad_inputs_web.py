"""Every run of the bad-input corpus (tests/domain/corpus and the generated cases) through the
company page's upload and the API's push: a 4xx with every problem naming the file or body,
line and field, and no trace of it in the database — no run, no journal, no coverage row — on
SQLite and, through a subprocess, on PostgreSQL (which refuses long ids and NUL bytes where
SQLite stores them)."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from payjournal.api.models import Scope
from payjournal.api.tokens import create_token
from payjournal.payroll.models import JournalLine, JournalSnapshot, PayrollRun, SeenComponent
from tests.domain.bad_inputs import BadInput, every_case
from tests.fixtures.tenants import Tenant
from tests.on_postgres import assert_passes_on_postgresql

pytestmark = pytest.mark.django_db
RUNS = [case for case in every_case() if not case.is_scheme]


def no_trace() -> bool:
    return not any(
        model.objects.exists()
        for model in (PayrollRun, JournalSnapshot, JournalLine, SeenComponent)
    )


@pytest.mark.parametrize("case", RUNS, ids=str)
def test_an_upload_of_a_bad_file_is_a_422_naming_each_problem_and_stores_nothing(
    tenant: Tenant, case: BadInput
) -> None:
    answer = tenant.client(tenant.payroll).post(
        f"/companies/{tenant.bakkerij.pk}/", {"run": SimpleUploadedFile(case.name, case.data)}
    )
    assert answer.status_code == 422, answer.status_code
    page = html.unescape(answer.content.decode())
    assert "The run was not imported." in page
    for fragment in case.expect:
        assert fragment in page, fragment
    assert no_trace()


@pytest.mark.parametrize("case", RUNS, ids=str)
def test_a_push_of_a_bad_body_is_a_422_naming_each_problem_and_stores_nothing(
    tenant: Tenant, case: BadInput
) -> None:
    _, secret = create_token(tenant.master, "payroll system", [Scope.RUNS_WRITE])
    answer = Client().post(
        "/api/v1/companies/nl-bakkerij/runs",
        case.data,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert answer.status_code == 422, answer.content[:300]
    body = answer.json()
    assert (body["detail"], body["code"]) == ("The run was not imported.", "not_imported")
    problems = "\n".join(body["problems"])
    for fragment in case.expect:  # the body goes by the name api.json
        assert fragment.replace(case.name, "api.json") in problems, fragment
    assert no_trace()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "sqlite", reason="this session already runs on PostgreSQL")
@pytest.mark.postgres_again(__file__)
def test_the_bad_inputs_are_refused_on_postgresql_too(request: pytest.FixtureRequest) -> None:
    assert_passes_on_postgresql(request)


@pytest.mark.parametrize(
    ("language", "refused", "unreadable", "line"),
    [
        ("nl", "De verloning is niet geïmporteerd.", "kan niet worden gelezen", "regel"),
        ("sv", "Lönekörningen importerades inte.", "kan inte läsas", "rad"),
    ],
)
def test_a_refused_import_speaks_the_readers_language_only(
    tenant: Tenant, language: str, refused: str, unreadable: str, line: str
) -> None:
    case = next(c for c in RUNS if c.name.endswith(".csv") and "fields" in " ".join(c.expect))
    answer = tenant.client(tenant.payroll).post(
        f"/companies/{tenant.bakkerij.pk}/",
        {"run": SimpleUploadedFile(case.name, case.data)},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    page = html.unescape(answer.content.decode())
    assert answer.status_code == 422 and refused in page
    problems = page.split(refused)[1].split("</ul>")[0]
    assert unreadable in problems and f"{line} " in problems, problems
    assert "fields" not in problems and "header" not in problems  # no English sentence
