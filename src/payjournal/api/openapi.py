"""The OpenAPI document of ``/api/``: ninja's, plus what a developer needs to call it right —
every error ``code`` under the status that carries it, with an example answer, the table of codes
in the description, and an example of a pushed run.

The document is for developers and stays in English; the ``detail`` of a real answer is in the
request's language (``Accept-Language``).
"""

from __future__ import annotations

import json
from functools import cache
from http import HTTPStatus
from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from payjournal.api.errors import PROBLEM_CODES, ProblemCode
from payjournal.payroll.samples import samples_dir

#: Every ``code`` of an error answer: its status, when it is given, and an example answer.
ERROR_CODES: dict[ProblemCode, tuple[int, str, dict[str, Any]]] = {
    "bad_request": (
        400,
        "Django refused the request itself (a bad Host, a bad body).",
        {"detail": "The request is not valid.", "problems": []},
    ),
    "unauthorized": (
        401,
        "No token, or a revoked one.",
        {"detail": "Give a valid API token: Authorization: Bearer pj_…", "problems": []},
    ),
    "forbidden": (
        403,
        "Django refused the request.",
        {"detail": "This request is not allowed.", "problems": []},
    ),
    "scope_missing": (
        403,
        "The token lacks the route's scope (runs:read, runs:write or send).",
        {"detail": "This token lacks the 'send' scope.", "problems": []},
    ),
    "not_found": (
        404,
        "An unknown address, company, run or version.",
        {"detail": "No run '2026-13' in company 'nl-bakkerij'.", "problems": []},
    ),
    "method_not_allowed": (
        405,
        "The address does not take the method.",
        {"detail": "This address does not take this method.", "problems": []},
    ),
    "already_booked": (
        409,
        "The books already hold the latest version.",
        {"detail": "Run 2026-10 v1 is already booked (voucher A3).", "problems": []},
    ),
    "no_change": (
        409,
        "The latest version books the same as the one before it.",
        {
            "detail": "Run 2026-10 v2 books the same as the version before it: no change to book.",
            "problems": [],
        },
    ),
    "nothing_booked": (
        409,
        "The run was withdrawn and nothing of it is booked.",
        {
            "detail": "Run 2026-10 was withdrawn and nothing of it is booked: nothing to send.",
            "problems": [],
        },
    ),
    "not_mapped": (
        409,
        "The company is not mapped to an authorized Visma company.",
        {
            "detail": "Bakkerij De Vries B.V. is not mapped to a Visma company yet "
            "(Administrations tab).",
            "problems": [],
        },
    ),
    "refused": (
        409,
        "The send was refused for another reason (named in detail).",
        {"detail": "The run cannot be sent now.", "problems": []},
    ),
    "too_large": (
        413,
        "The body is over PAYJOURNAL_MAX_UPLOAD_BYTES; refused unread.",
        {
            "detail": "The run was not imported.",
            "problems": ["api.json: file too large (limit 10 MB)"],
        },
    ),
    "not_imported": (
        422,
        "The run cannot be imported; every problem is listed.",
        {
            "detail": "The run was not imported.",
            "problems": ["api.json, line 12: component 'BONUS' is not in the ledger scheme."],
        },
    ),
    "invalid": (
        422,
        "A parameter is malformed.",
        {"detail": "The request is not valid.", "problems": ["query.version: not an integer"]},
    ),
    "throttled": (
        429,
        "Over 600 requests a minute for the token; Retry-After says how long to wait.",
        {"detail": "Too many requests: wait a moment and try again.", "problems": []},
    ),
    "server_error": (
        500,
        "payjournal failed; the request may not have been carried out.",
        {
            "detail": "payjournal failed to answer; the request may not have been carried "
            "out. Try again.",
            "problems": [],
        },
    ),
}
assert set(ERROR_CODES) == PROBLEM_CODES, "every code of ProblemCode is documented"


def codes_table() -> str:
    """The table of error codes, in Markdown (the API's description ends with it)."""
    rows = [f"| `{code}` | {status} | {when} |" for code, (status, when, _) in ERROR_CODES.items()]
    return "\n".join(["| code | status | when |", "|---|---|---|", *rows])


@cache
def sample_run() -> Any:
    """A processed run as a payroll system pushes it (the Dutch sample company's October)."""
    return json.loads((samples_dir() / "nl-bakkerij" / "run-2026-10.json").read_text("utf-8"))


def push_body() -> dict[str, Any]:
    """The request body of ``POST …/runs`` (read raw from the stream, so ninja cannot see it)."""
    return {
        "requestBody": {
            "required": True,
            "description": "The processed run in the run-file format (JSON): company, run id, "
            "kind, period, payment date, currency and one line per employee and wage component "
            "(amounts as decimal strings).",
            "content": {
                "application/json": {
                    "schema": {"type": "object"},
                    "example": sample_run(),
                }
            },
        }
    }


def _document_errors(responses: dict[int | str, Any]) -> None:
    for key, response in responses.items():
        status = int(key)  # ninja keys them by int
        codes = {c: e for c, e in ERROR_CODES.items() if e[0] == status}
        if status < 400 or not codes:
            continue
        phrase = HTTPStatus(status).phrase
        listed = "; ".join(f"`{code}`: {when.rstrip('.')}" for code, (_, when, _) in codes.items())
        response["description"] = f"{phrase}. {listed}"
        content = response.setdefault("content", {}).setdefault("application/json", {})
        content["examples"] = {
            code: {"summary": when, "value": {**example, "code": code}}
            for code, (_, when, example) in codes.items()
        }


class DocumentedApi(NinjaAPI):
    """ninja's API with the error codes and examples in its OpenAPI document."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                _document_errors(operation.get("responses", {}))
        return schema
