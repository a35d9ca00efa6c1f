"""Where the catalog is shown: the OAuth error pages in the user's language, and the CLI."""

from __future__ import annotations

import json

import httpx2
import pytest
from typer.testing import CliRunner

from payjournal.cli import app
from payjournal.emulator import stable_id
from payjournal.integrations.services import create_account
from tests import oauth
from tests.fixtures.tenants import Tenant

FIETSEN = str(stable_id("company", "nl-fietsen"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "accept", "heading", "message"),
    [
        ("", "en", "What happened", "The API module is not activated for this Visma company."),
        ("nl", "en", "Wat er gebeurde", "De API module is nog niet geactiveerd"),
        ("", "nl", "Wat er gebeurde", "De API module is nog niet geactiveerd"),
        ("sv", "nl", "Vad som hände", "API-modulen är inte aktiverad"),
    ],
)
def test_the_oauth_problem_page_speaks_the_user_s_language(
    visma_on_loopback: str,
    tenant: Tenant,
    browser_http: httpx2.Client,
    language: str,
    accept: str,
    heading: str,
    message: str,
) -> None:
    tenant.admin.language = language
    tenant.admin.save()
    admin = tenant.client(tenant.admin)
    account = create_account(tenant.master, "Fietsen")
    callback = oauth.visma_callback(
        browser_http, oauth.start(admin, account.pk), "anna@bakkerij.example", company_id=FIETSEN
    )
    response = admin.get(oauth.local(callback), headers={"accept-language": accept})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-problem="module_not_activated"' in page
    assert heading in page and message in page
    assert 'data-who="master_admin"' in page


def test_cli_explains_a_visma_code_in_dutch() -> None:
    result = CliRunner().invoke(app, ["errors", "explain", "3001", "--lang", "nl"])
    assert result.exit_code == 0, result.output
    assert "Visma heeft geen boekjaar voor de boekdatum." in result.output
    assert "Resource not found: fiscalYearId" in result.output


def test_cli_prints_the_api_form() -> None:
    result = CliRunner().invoke(app, ["errors", "explain", "wrong_company", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["code"] == "wrong_company" and data["who"] == "master_admin"


def test_cli_lists_every_entry_and_refuses_an_unknown_code() -> None:
    runner = CliRunner()
    listing = runner.invoke(app, ["errors", "list"])
    assert listing.exit_code == 0 and "fiscal_year_missing" in listing.output
    unknown = runner.invoke(app, ["errors", "explain", "nope"])
    assert unknown.exit_code == 2 and "Unknown error code" in unknown.output


@pytest.mark.django_db
def test_a_user_chooses_their_language(tenant: Tenant) -> None:
    client = tenant.client(tenant.payroll)
    page = client.get("/language/?next=/companies/")
    assert page.status_code == 200 and 'value="nl"' in page.content.decode()
    response = client.post("/language/", {"language": "nl", "next": "/companies/"})
    assert response.status_code == 302 and response["Location"] == "/companies/"
    tenant.payroll.refresh_from_db()
    assert tenant.payroll.language == "nl"
    assert "Taal" in client.get("/language/", headers={"accept-language": "en"}).content.decode()
    client.post("/language/", {"language": "xx", "next": "https://evil.example/"})
    tenant.payroll.refresh_from_db()
    assert tenant.payroll.language == "nl"  # unknown languages and foreign targets are ignored
    assert client.post("/language/", {"language": ""})["Location"] == "/"
    tenant.payroll.refresh_from_db()
    assert tenant.payroll.language == ""
