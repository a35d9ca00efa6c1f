"""``/api/docs``: Swagger UI from our own static files, under the site's CSP; the OpenAPI
document it shows names every error code with an example, and a pushed run (in chromium:
``test_docs_browser.py``)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

import payjournal.api
from payjournal.api.errors import PROBLEM_CODES

SWAGGER = Path(payjournal.api.__file__).parent / "static" / "api" / "swagger-ui"
OPERATIONS = 6  # push, list, read, withdraw, journal, send


def openapi() -> dict[str, Any]:
    answer = Client().get("/api/openapi.json")
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


def test_swagger_ui_is_vendored_unedited_with_its_license() -> None:
    readme = (SWAGGER / "README.md").read_text(encoding="utf-8")
    assert "swagger-ui-dist@5.35.0" in readme
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        digest = hashlib.sha256((SWAGGER / name).read_bytes()).hexdigest()
        assert f"| `{name}` | `{digest}` |" in readme, name
    assert "Apache License" in (SWAGGER / "LICENSE").read_text(encoding="utf-8")


@pytest.mark.django_db
def test_the_docs_page_loads_nothing_from_elsewhere_and_runs_no_inline_script() -> None:
    answer = Client().get("/api/docs", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert [src for src, _ in scripts] == [
        ' src="/static/api/swagger-ui/swagger-ui-bundle.js"',
        ' src="/static/api/docs.js"',
    ]
    assert all(not body.strip() for _, body in scripts), "no inline script"
    assert 'data-openapi-url="/api/openapi.json"' in html
    policy = answer["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_the_openapi_document_describes_errors_with_codes_and_examples() -> None:
    document = openapi()
    description = document["info"]["description"]
    assert all(f"| `{code}` |" in description for code in PROBLEM_CODES)
    assert "Authorization: Bearer pj_" in description
    operations = [op for ops in document["paths"].values() for op in ops.values()]
    assert len(operations) == OPERATIONS
    for operation in operations:
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            examples = response["content"]["application/json"]["examples"]
            assert examples, (operation["operationId"], status)
            assert all(f"`{code}`" in response["description"] for code in examples)
            for code, example in examples.items():
                assert example["value"]["code"] == code
                assert set(example["value"]) == {"detail", "problems", "code"}
    send = document["paths"]["/api/v1/companies/{company}/runs/{run}/send"]["post"]
    assert set(send["responses"]["409"]["content"]["application/json"]["examples"]) == {
        "already_booked",
        "no_change",
        "nothing_booked",
        "not_mapped",
        "refused",
    }
    push = document["paths"]["/api/v1/companies/{company}/runs"]["post"]
    body = push["requestBody"]["content"]["application/json"]["example"]
    assert body["run_id"] == "2026-10" and body["lines"]
