"""Form input the pages cannot take is a field error — 400 with a translated message — never a
500 and never stored unchecked (issue 13, item 7): each case of the probe, on SQLite and, through
a subprocess, on PostgreSQL (which refused long values with a DataError where SQLite stored
them)."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from payjournal.integrations.models import VismaAccount
from payjournal.integrations.services import create_account
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.payroll.services import load_scheme
from payjournal.sending.models import Submission
from payjournal.sending.services import import_run
from tests.fixtures.tenants import Tenant
from tests.on_postgres import assert_passes_on_postgresql

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
THIRTY_DIGITS = "1" * 30


def text_of(answer: Any) -> str:
    return html.unescape(answer.content.decode())


def refused(answer: Any, *fragments: str) -> str:
    """A 400 whose page shows every fragment."""
    assert answer.status_code == 400, (answer.status_code, text_of(answer)[:500])
    page = text_of(answer)
    for fragment in fragments:
        assert fragment in page, fragment
    return page


# --- Administrations: the mapping -------------------------------------------------------


@pytest.mark.parametrize("account", ["²", THIRTY_DIGITS, "-1", "1.0", "x"])
def test_a_mapping_to_an_account_that_is_not_one_is_a_field_error(
    tenant: Tenant, account: str
) -> None:
    answer = tenant.client(tenant.admin).post(
        f"/companies/{tenant.bakkerij.pk}/mapping/", {"account": account}
    )
    refused(
        answer,
        f"The mapping of {tenant.bakkerij.name} was not saved:",
        "Visma account: Choose one of the Visma accounts in the list.",
    )
    tenant.bakkerij.refresh_from_db()
    assert tenant.bakkerij.visma_account is None


def test_another_master_s_account_cannot_be_chosen(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = create_account(other_tenant.master, "Theirs")
    answer = tenant.client(tenant.admin).post(
        f"/companies/{tenant.bakkerij.pk}/mapping/", {"account": theirs.pk}
    )
    refused(answer, "Choose one of the Visma accounts in the list.")
    tenant.bakkerij.refresh_from_db()
    assert tenant.bakkerij.visma_account is None


# --- the dashlet: bulk send and the poll ------------------------------------------------


def with_runs(tenant: Tenant) -> list[PayrollRun]:
    return [
        import_run(tenant.bakkerij, path.read_bytes(), path.name).run
        for path in sorted((samples_dir() / "nl-bakkerij").glob("run-*.json"))
    ]


@pytest.mark.parametrize(
    "data",
    [
        {"runs": ["²"]},
        {"runs": [THIRTY_DIGITS]},
        {"runs": ["1", "²"]},
        {"start": "2026-13-01", "end": "2026-12-31"},
        {"start": "2026-12-31", "end": "2026-01-01"},
        {},
    ],
    ids=["superscript", "30-digits", "one-bad", "bad-date", "end-first", "nothing"],
)
def test_a_bulk_send_that_names_no_runs_is_refused_and_sends_nothing(
    tenant: Tenant, data: dict[str, Any]
) -> None:
    with_runs(tenant)
    client = tenant.client(tenant.payroll)
    url = f"/companies/{tenant.bakkerij.pk}/sending/send/"
    page = refused(client.post(url, data))
    assert 'id="journal-entries-export"' in page
    dashlet = refused(client.post(url, data, **HX))
    assert dashlet.lstrip().startswith('<div class="card" id="journal-entries-export"')
    assert 'class="alert error"' in dashlet
    assert not Submission.objects.exists()


def test_another_company_s_run_cannot_be_sent_from_this_dashlet(tenant: Tenant) -> None:
    theirs = import_run(
        tenant.nordisk,
        (samples_dir() / "se-nordisk" / "run-2026-09.csv").read_bytes(),
        "run-2026-09.csv",
    ).run
    answer = tenant.client(tenant.admin).post(
        f"/companies/{tenant.bakkerij.pk}/sending/send/", {"runs": [theirs.pk]}
    )
    refused(answer, "Runs: Choose runs of this company in the list.")
    assert not Submission.objects.exists()


def test_the_bulk_send_s_error_speaks_dutch(tenant: Tenant) -> None:
    with_runs(tenant)
    answer = tenant.client(tenant.payroll).post(
        f"/companies/{tenant.bakkerij.pk}/sending/send/", {}, HTTP_ACCEPT_LANGUAGE="nl"
    )
    refused(answer, "Kies verloningen, of geef een periode (van- en totdatum).")


@pytest.mark.parametrize(
    "since",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "yesterday", "2026-02-30T00:00"],
)
def test_a_poll_since_a_time_no_database_stores_is_a_400(tenant: Tenant, since: str) -> None:
    client = tenant.client(tenant.viewer)
    answer = client.get(f"/companies/{tenant.bakkerij.pk}/sending/rows/", {"since": since}, **HX)
    assert answer.status_code == 400
    assert answer.content.decode().startswith("since: ")


def test_a_poll_without_a_time_or_with_one_gets_rows(tenant: Tenant) -> None:
    runs = with_runs(tenant)
    client = tenant.client(tenant.viewer)
    url = f"/companies/{tenant.bakkerij.pk}/sending/rows/"
    assert client.get(url, **HX).status_code == 200
    changed = client.get(url, {"since": "2000-01-01T00:00:00+14:00"}, **HX)
    assert changed.status_code == 200
    assert all(f'id="run-{run.pk}"' in changed.content.decode() for run in runs[-1:])


# --- Payroll companies: a new company ---------------------------------------------------


def add_company(client: Client, name: str, key: str, **extra: Any) -> Any:
    scheme = samples_dir() / "nl-bakkerij" / "scheme.json"
    data = {
        "name": name,
        "key": key,
        "scheme": SimpleUploadedFile(scheme.name, scheme.read_bytes()),
    }
    return client.post("/companies/", data, **extra)


@pytest.mark.parametrize(
    ("name", "key", "message"),
    [
        (
            "Again",
            "nl-bakkerij",
            "Code used in run files: A company with the code nl-bakkerij exists already.",
        ),
        ("", "", "Name: This field is required."),
        ("Empty code", "", "Code used in run files: This field is required."),
        (
            "Slashes",
            "bad key/../ü",
            "Code used in run files: Use letters A–Z, digits, - and _ only.",
        ),
        ("x" * 5000, "long", "Name: Ensure this value has at most 200 characters (it has 5000)."),
        ("Long code", "k" * 65, "Ensure this value has at most 64 characters (it has 65)."),
        ("NUL\x00", "nul", "Null characters are not allowed."),
    ],
    ids=["existing-key", "empty", "empty-key", "path-key", "long-name", "long-key", "nul"],
)
def test_a_company_the_form_refuses_is_not_added(
    tenant: Tenant, name: str, key: str, message: str
) -> None:
    before = set(PayrollCompany.objects.values_list("pk", flat=True))
    answer = add_company(tenant.client(tenant.admin), name, key)
    refused(answer, "The company was not added:", message)
    assert set(PayrollCompany.objects.values_list("pk", flat=True)) == before


def test_a_company_without_a_scheme_file_is_not_added(tenant: Tenant) -> None:
    answer = tenant.client(tenant.admin).post("/companies/", {"name": "N", "key": "n"})
    refused(answer, "Ledger scheme: Choose the ledger scheme file (JSON or CSV).")
    assert not PayrollCompany.objects.filter(key="n").exists()


def test_a_good_company_is_added_and_its_errors_speak_swedish(tenant: Tenant) -> None:
    client = tenant.client(tenant.admin)
    added = add_company(client, "Bageri", "se-bageri", follow=True)
    assert "Company Bageri added." in text_of(added)
    assert load_scheme(PayrollCompany.objects.get(key="se-bageri")).components
    again = add_company(client, "Bageri 2", "se-bageri", HTTP_ACCEPT_LANGUAGE="sv")
    refused(again, "Det finns redan ett lönebolag med koden se-bageri.")


# --- Integrations: a Visma account --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("x" * 5000, "Name: Ensure this value has at most 100 characters (it has 5000)."),
        ("   ", "Name: This field is required."),
    ],
    ids=["long", "blank"],
)
def test_a_visma_account_name_the_column_cannot_take_is_refused(
    tenant: Tenant, name: str, message: str
) -> None:
    answer = tenant.client(tenant.admin).post("/integrations/visma/accounts/", {"name": name})
    refused(answer, message)
    assert not VismaAccount.objects.exists()


# --- the scheme editor and the language ---------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "drop", "component": "GROSS"}, "Action: Select a valid choice."),
        (
            {"action": "add", "component": "C" * 5000},
            "Wage component: Ensure this value has at most 64",
        ),
        (
            {"action": "change", "component": "GROSS", "debit_account": "4" * 5000},
            "Debit account: Ensure this value has at most 20",
        ),
        (
            {"action": "change", "component": "GROSS", "cost_center_side": "sideways"},
            "Cost center on: Select a valid choice.",
        ),
    ],
    ids=["action", "long-component", "long-account", "side"],
)
def test_the_scheme_editor_refuses_what_is_not_a_value(
    tenant: Tenant, data: dict[str, str], message: str
) -> None:
    before = tenant.bakkerij.scheme_source
    answer = tenant.client(tenant.payroll).post(f"/companies/{tenant.bakkerij.pk}/scheme/", data)
    refused(answer, "Nothing was saved.", message)
    tenant.bakkerij.refresh_from_db()
    assert tenant.bakkerij.scheme_source == before


def test_a_language_that_is_not_offered_is_refused(tenant: Tenant) -> None:
    answer = tenant.client(tenant.payroll).post("/language/", {"language": "xx"})
    refused(answer, "Language: Select a valid choice.")
    tenant.payroll.refresh_from_db()
    assert tenant.payroll.language == ""


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "sqlite", reason="this session already runs on PostgreSQL")
@pytest.mark.postgres_again(__file__)
def test_the_form_input_is_refused_on_postgresql_too(request: pytest.FixtureRequest) -> None:
    assert_passes_on_postgresql(request)
