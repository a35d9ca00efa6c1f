"""The JSON API: push runs (idempotent, versions), read status and journal, send; tokens with
scopes scoped to their master; OpenAPI at /api/docs."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.test import Client

from payjournal.api.models import Scope
from payjournal.api.tokens import create_token, revoke
from payjournal.domain.submission import OPEN_STATES, SubmissionState
from payjournal.emulator import Emulator
from payjournal.payroll.models import PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.sending.models import Submission
from payjournal.sending.send import SendPolicy, process_submission
from payjournal.sending.services import set_send_automatically
from payjournal.tenancy.models import Master
from tests.fixtures.books import Books
from tests.sending.netting import books_net
from tests.sending.story import assert_books_net_to_the_latest, drain, use_mode

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


# --- corrections: versions, legs, withdrawals -------------------------------------------------

RUNS = "/api/v1/companies/nl-bakkerij/runs"


class Api:
    """The payroll system's side: one token with every scope, JSON in and out."""

    def __init__(self, books: Books, scopes: list[Scope] | None = None) -> None:
        _, self.secret = create_token(books.master, "payroll system", scopes or ALL)
        self.http = Client()

    def push(self, body: bytes) -> Any:
        return self.http.post(RUNS, body, content_type="application/json", **bearer(self.secret))

    def get(self, path: str, **extra: Any) -> Any:
        return self.http.get(f"{RUNS}{path}", **bearer(self.secret), **extra)

    def send(self, run: str) -> Any:
        return self.http.post(f"{RUNS}/{run}/send", **bearer(self.secret))

    def withdraw(self, run: str, **extra: Any) -> Any:
        return self.http.delete(f"{RUNS}/{run}", **bearer(self.secret), **extra)


def planned(answer: dict[str, Any]) -> list[tuple[str, int]]:
    return [(leg["kind"], leg["version"]) for leg in answer["to_book"]["legs"]]


def test_a_correction_pushed_sent_and_withdrawn_through_the_api(
    books: Books, visma: Emulator
) -> None:
    api = Api(books)
    first = api.push(run_json("api-9"))
    assert first.status_code == 201, first.content
    assert (first.json()["version"], first.json()["leg"]) == (1, None)
    assert planned(first.json()) == [("full", 1)]
    sent = api.send("api-9")
    assert sent.status_code == 202, sent.content
    assert (sent.json()["leg"]["kind"], sent.json()["leg"]["version"]) == ("full", 1)
    drain(books.bakkerij)
    booked = api.get("/api-9").json()
    assert (booked["state"], booked["books"]) == (
        "sent",
        {"booked_version": 1, "target_version": 1, "settled": True},
    )
    original = booked["legs"][0]["voucher_number"]
    assert original and booked["voucher_number"] == original

    corrected = api.push(run_json("api-9", amount="3460.00"))
    assert corrected.status_code == 201
    body = corrected.json()
    assert body["version"] == 2 and body["created"] is True
    assert body["run"]["state"] == "not_sent"
    assert planned(body) == [("reversal", 1), ("full", 2)]
    assert body["to_book"]["vouchers"] == 2 and body["to_book"]["mode"] == "reverse_and_rebook"
    changes = body["to_book"]["changes"]
    assert changes and sum(Decimal(c["change"]) for c in changes) == 0
    assert all(Decimal(c["wanted"]) - Decimal(c["booked"]) == Decimal(c["change"]) for c in changes)

    send = api.send("api-9").json()
    assert (send["leg"]["kind"], send["leg"]["version"], send["state"]) == (
        "reversal",
        1,
        "queued",
    )
    assert planned(send) == [("reversal", 1), ("full", 2)]
    drain(books.bakkerij)
    history = api.get("/api-9").json()
    assert [(leg["kind"], leg["version"], leg["state"]) for leg in history["legs"]] == [
        ("full", 1, "sent"),
        ("reversal", 1, "sent"),
        ("full", 2, "sent"),
    ]
    numbers = [leg["voucher_number"] for leg in history["legs"]]
    assert numbers[0] == original and all(numbers) and len(set(numbers)) == 3
    assert history["voucher_number"] == numbers[2] and history["state"] == "sent"
    assert [(v["version"], v["superseded"], v["booked"]) for v in history["versions"]] == [
        (1, True, False),
        (2, False, True),
    ]
    assert history["versions"][0]["journal"].endswith("/runs/api-9/journal?version=1")
    old = api.get("/api-9/journal", data={"version": 1}).json()
    assert old["version"] == 1 and old["total"] == history["versions"][0]["total"]
    assert history["to_book"]["legs"] == [] and history["books"]["settled"] is True
    assert_books_net_to_the_latest(visma, books.bakkerij, "api-9")
    refused = api.send("api-9")
    assert refused.status_code == 409
    assert refused.json()["code"] == "already_booked"
    assert numbers[2] in refused.json()["detail"]

    withdrawn = api.withdraw("api-9")
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["run"]["withdrawn"] is True
    assert withdrawn.json()["run"]["state"] == "not_sent"
    assert (withdrawn.json()["leg"], planned(withdrawn.json())) == (None, [("reversal", 2)])
    assert api.withdraw("api-9").json() == withdrawn.json()  # idempotent
    assert api.send("api-9").json()["leg"]["kind"] == "reversal"
    drain(books.bakkerij)
    gone = api.get("/api-9").json()
    assert (gone["state"], gone["books"]["booked_version"], gone["books"]["target_version"]) == (
        "withdrawn",
        None,
        None,
    )
    assert gone["versions"][-1]["withdrawn"] is True
    assert books_net(visma, books.bakkerij, "api-9") == {}
    nothing = api.send("api-9")
    assert (nothing.status_code, nothing.json()["code"]) == (409, "nothing_booked")


def test_automatic_sending_answers_with_the_leg_it_queued(books: Books, visma: Emulator) -> None:
    use_mode(books.bakkerij, "difference")
    set_send_automatically(books.bakkerij, True)
    api = Api(books)
    first = api.push(run_json("api-7")).json()
    assert (first["leg"]["kind"], first["leg"]["version"], first["leg"]["state"]) == (
        "full",
        1,
        "queued",
    )
    drain(books.bakkerij)
    second = api.push(run_json("api-7", amount="3460.00")).json()
    assert (second["leg"]["kind"], second["leg"]["base_version"]) == ("difference", 1)
    assert planned(second) == [("difference", 2)]
    drain(books.bakkerij)
    # the same amounts again in other bytes: a new version with no change to book
    same = json.dumps(json.loads(run_json("api-7", amount="3460.00")), indent=1).encode()
    third = api.push(same).json()
    assert (third["version"], third["leg"], third["run"]["state"]) == (3, None, "sent")
    history = api.get("/api-7").json()
    assert history["legs"][-1]["no_change"] is True
    assert history["legs"][-1]["voucher_number"] is None
    refused = api.send("api-7").json()
    assert refused["code"] == "no_change" and "no change to book" in refused["detail"]
    withdrawn = api.withdraw("api-7").json()
    assert (withdrawn["leg"]["kind"], withdrawn["leg"]["version"]) == ("reversal", 3)
    drain(books.bakkerij)
    assert books_net(visma, books.bakkerij, "api-7") == {}


def test_unknown_runs_and_bad_requests_answer_a_clear_json_4xx(
    books: Books, visma: Emulator
) -> None:
    api = Api(books)
    for answer in (
        api.get("/nope"),
        api.get("/nope/journal"),
        api.send("nope"),
        api.withdraw("nope"),
    ):
        assert answer.status_code == 404, answer.content
        assert answer.json()["detail"] == "No run 'nope' in company 'nl-bakkerij'."
    elsewhere = api.http.get("/api/v1/companies/acme/runs/2026-09", **bearer(api.secret))
    assert elsewhere.json() == {
        "detail": "No payroll company 'acme'.",
        "problems": [],
        "code": "not_found",
    }
    missing = api.get("/2026-09/journal", data={"version": 9})
    assert missing.status_code == 404 and "no version 9" in missing.json()["detail"]
    typo = api.get("/2026-09/journal", data={"version": "two"})
    assert typo.status_code == 422
    assert typo.json()["detail"] == "The request is not valid."
    assert any(p.startswith("query.version:") for p in typo.json()["problems"])
    for body in (b"not json", b"[]", b'{"run_id": 7}', b""):
        bad = api.push(body)
        assert bad.status_code == 422, (body, bad.content)
        assert bad.json()["detail"] == "The run was not imported." and bad.json()["problems"]
    dutch = api.withdraw("nope", HTTP_ACCEPT_LANGUAGE="nl")
    assert dutch.json()["detail"] == "Geen verloning 'nope' bij werkgever 'nl-bakkerij'."
    assert Submission.objects.count() == 0
    assert PayrollRun.objects.filter(withdrawn_at__isnull=False).count() == 0


def test_withdrawing_needs_the_send_scope(books: Books, visma: Emulator) -> None:
    for scopes in ([Scope.RUNS_READ], [Scope.RUNS_WRITE]):
        answer = Api(books, scopes).withdraw("2026-09")
        assert answer.status_code == 403
        assert "'send'" in answer.json()["detail"]
    assert PayrollRun.objects.filter(withdrawn_at__isnull=False).count() == 0
    assert Api(books, [Scope.SEND]).withdraw("2026-09").status_code == 200


def test_openapi_describes_versions_legs_and_errors(books: Books) -> None:
    schema = Client().get("/api/openapi.json").json()
    run = schema["paths"]["/api/v1/companies/{company}/runs/{run}"]
    assert set(run) >= {"get", "delete"}
    assert set(run["delete"]["responses"]) >= {"200", "401", "403", "404"}
    send = schema["paths"]["/api/v1/companies/{company}/runs/{run}/send"]["post"]
    assert set(send["responses"]) >= {"202", "404", "409"}
    parts = schema["components"]["schemas"]
    assert {"versions", "legs", "books", "to_book"} <= set(parts["RunDetailOut"]["properties"])
    assert {"kind", "version", "base_version", "voucher_number", "no_change"} <= set(
        parts["LegOut"]["properties"]
    )
    assert {"leg", "to_book", "version"} <= set(parts["ImportOut"]["properties"])
    assert "code" in parts["ProblemOut"]["properties"]


def test_the_api_names_states_as_the_submission_states(books: Books) -> None:
    """A leg's state is a submission state; a run's is its open leg's, or where its books
    stand — one vocabulary with :class:`SubmissionState`."""
    parts = Client().get("/api/openapi.json").json()["components"]["schemas"]
    assert set(parts["LegOut"]["properties"]["state"]["enum"]) == set(SubmissionState)
    assert set(parts["RunOut"]["properties"]["state"]["enum"]) == {
        *OPEN_STATES,
        SubmissionState.SENT,
        "not_sent",
        "withdrawn",
    }
