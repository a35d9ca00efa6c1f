"""Every error under /api/ is JSON — {"detail", "problems", "code"} — also when Django or ninja
answers before a route runs (issue 13, item 6: a bare HTML "Bad Request (400)"); pages keep
Django's HTML error pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import RequestDataTooBig
from django.test import Client, RequestFactory

from payjournal.api.models import Scope
from payjournal.api.tokens import create_token
from payjournal.payroll.models import JournalSnapshot, PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.sending.services import import_run
from payjournal.site import errors
from tests.fixtures.tenants import Tenant

pytestmark = pytest.mark.django_db
RUNS = "/api/v1/companies/nl-bakkerij/runs"


def bearer(tenant: Tenant) -> dict[str, str]:
    _, secret = create_token(tenant.master, "payroll system", list(Scope))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def problem(answer: Any, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.content[:300]
    assert answer["Content-Type"].startswith("application/json"), answer["Content-Type"]
    body = answer.json()
    assert set(body) == {"detail", "problems", "code"} and body["detail"], body
    assert body["code"] == code, body
    assert "no-store" in answer.get("Cache-Control", "")
    return body


def test_an_unknown_address_under_the_api_is_a_json_404(tenant: Tenant) -> None:
    for path in ("/api/v1/nope", "/api/v2/companies/nl-bakkerij/runs", "/api/nope/"):
        body = problem(Client().get(path, **bearer(tenant)), 404, "not_found")
        assert body["detail"] == "There is nothing at this address."
    page = Client().get("/nope/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_method_the_route_does_not_take_is_a_json_405_with_allow(tenant: Tenant) -> None:
    answer = Client().put(RUNS, b"{}", content_type="application/json", **bearer(tenant))
    problem(answer, 405, "method_not_allowed")
    assert {"GET", "POST"} <= {m.strip() for m in answer["Allow"].split(",")}


def test_no_token_is_a_json_401_and_a_missing_scope_a_json_403(tenant: Tenant) -> None:
    problem(Client().get(RUNS), 401, "unauthorized")
    _, reader = create_token(tenant.master, "reader", [Scope.RUNS_READ])
    answer = Client().post(f"{RUNS}/2026-09/send", HTTP_AUTHORIZATION=f"Bearer {reader}")
    assert problem(answer, 403, "scope_missing")["detail"] == "This token lacks the 'send' scope."


def test_a_host_django_refuses_is_a_json_400_under_the_api(tenant: Tenant) -> None:
    answer = Client(HTTP_HOST="evil.example").get(RUNS, **bearer(tenant))
    problem(answer, 400, "bad_request")
    page = Client(HTTP_HOST="evil.example").get("/companies/")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


def test_a_failure_inside_a_route_is_a_json_500_not_a_page(tenant: Tenant) -> None:
    run = samples_dir() / "nl-bakkerij" / "run-2026-09.json"
    stored = import_run(tenant.bakkerij, run.read_bytes(), run.name).run
    JournalSnapshot.objects.filter(run=stored).delete()  # a run without its journal: a bug
    answer = Client(raise_request_exception=False).get(
        f"{RUNS}/{stored.run_id}/journal", **bearer(tenant)
    )
    body = problem(answer, 500, "server_error")
    assert "Traceback" not in body["detail"]
    assert PayrollRun.objects.filter(pk=stored.pk).exists()


def code_of(answer: Any) -> str:
    return str(json.loads(answer.content)["code"])


@pytest.mark.parametrize(
    ("handler", "exception", "status", "code"),
    [
        (errors.bad_request, RequestDataTooBig("too big"), 413, "too_large"),
        (errors.bad_request, ValueError("bad"), 400, "bad_request"),
        (errors.permission_denied, PermissionError("no"), 403, "forbidden"),
        (errors.page_not_found, LookupError("nothing"), 404, "not_found"),
    ],
)
def test_django_s_error_handlers_answer_json_under_the_api_and_pages_elsewhere(
    handler: Any, exception: Exception, status: int, code: str
) -> None:
    api = RequestFactory().post(RUNS)
    answer = handler(api, exception)
    assert answer.status_code == status and code_of(answer) == code
    page = handler(RequestFactory().get("/companies/"), exception)
    assert page["Content-Type"].startswith("text/html")
    assert code_of(errors.server_error(api)) == "server_error"
    assert code_of(errors.csrf_failure(api)) == "forbidden"
    assert errors.csrf_failure(RequestFactory().post("/companies/")).status_code == 403


def test_errors_speak_the_language_of_accept_language(tenant: Tenant) -> None:
    dutch = Client().get("/api/v1/nope", HTTP_ACCEPT_LANGUAGE="nl", **bearer(tenant))
    assert problem(dutch, 404, "not_found")["detail"] == "Op dit adres staat niets."
    swedish = Client().put(RUNS, HTTP_ACCEPT_LANGUAGE="sv", **bearer(tenant))
    assert problem(swedish, 405, "method_not_allowed")["detail"] == (
        "Den här adressen tar inte emot den här metoden."
    )
