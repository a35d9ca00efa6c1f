"""The JSON API: push runs (idempotent, versions), read status and journal, send; tokens with
scopes scoped to their master; OpenAPI at /api/docs."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from payjournal.api.models import Scope
from payjournal.api.tokens import create_token, revoke
from payjournal.emulator import Emulator
from payjournal.payroll.samples import samples_dir
from payjournal.sending.models import Submission
from payjournal.sending.send import SendPolicy, process_submission
from payjournal.tenancy.models import Master
from tests.sending.conftest import Books

ALL = [Scope.RUNS_WRITE, Scope.RUNS_READ, Scope.SEND]


def bearer(secret: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def run_json(run_id: str = "api-1", amount: str | None = None) -> bytes:
    data = json.loads((samples_dir() / "nl-bakkerij" / "run-2026-09.json").read_text())
    data["run_id"] = run_id
    if amount is not None:
        data["lines"][0]["amount"] = amount
    return json.dumps(data).encode()


def test_push_read_send_and_status(books: Books, visma: Emulator) -> None:
    _, secret = create_token(books.master, "payroll system", ALL)
    http = Client()
    url = "/api/v1/companies/nl-bakkerij/runs"
    first = http.post(url, run_json(), content_type="application/json", **bearer(secret))
    assert first.status_code == 201, first.content
    assert first.json()["run"]["version"] == 1
    again = http.post(url, run_json(), content_type="application/json", **bearer(secret))
    assert again.status_code == 200 and again.json()["created"] is False
    changed = http.post(
        url, run_json(amount="3460.00"), content_type="application/json", **bearer(secret)
    )
    assert changed.status_code == 201 and changed.json()["run"]["version"] == 2
    journal = http.get(f"{url}/api-1/journal", **bearer(secret)).json()
    assert journal["version"] == 2
    assert sum(float(line["debit"]) for line in journal["lines"]) > 0
    assert all("." in line["debit"] for line in journal["lines"])
    listed = http.get(url, **bearer(secret)).json()
    assert {r["run_id"] for r in listed} >= {"api-1", "2026-09"}
    sent = http.post(f"{url}/api-1/send", **bearer(secret))
    assert sent.status_code == 202
    process_submission(
        sent.json()["submission_id"], policy=SendPolicy(max_attempts=2), sleep=lambda _s: None
    )
    status = http.get(f"{url}/api-1", **bearer(secret)).json()
    assert status["state"] == "sent" and status["voucher_number"]
    assert http.post(f"{url}/api-1/send", **bearer(secret)).status_code == 409


def test_rejections_scopes_tenants_and_revocation(books: Books, visma: Emulator) -> None:
    http = Client()
    url = "/api/v1/companies/nl-bakkerij/runs"
    assert http.get(url).status_code == 401
    _, reader = create_token(books.master, "reader", [Scope.RUNS_READ])
    assert http.get(url, **bearer(reader)).status_code == 200
    assert http.post(f"{url}/2026-09/send", **bearer(reader)).status_code == 403
    assert Submission.objects.count() == 0
    writer, secret = create_token(books.master, "writer", ALL)
    bad = http.post(
        url, b'{"company": "nl-bakkerij"}', content_type="application/json", **bearer(secret)
    )
    assert bad.status_code == 422 and bad.json()["problems"]
    other = Master.objects.create(name="Other")
    _, foreign = create_token(other, "foreign", ALL)
    assert http.get(url, **bearer(foreign)).status_code == 404
    revoke(writer)
    assert http.get(url, **bearer(secret)).status_code == 401


def test_openapi_docs(books: Books) -> None:
    http = Client()
    assert http.get("/api/docs").status_code == 200
    schema = http.get("/api/openapi.json").json()
    assert "/api/v1/companies/{company}/runs/{run}/send" in schema["paths"]
