"""Caching and transport headers: nothing that carries payroll data is stored by a browser or a
proxy (``Cache-Control: no-store`` on every page and API answer), static files stay cacheable,
and production (HTTPS, secure cookies) sends Strict-Transport-Security while the plain-HTTP
demo does not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from payjournal.api.models import Scope
from payjournal.api.tokens import create_token
from tests.fixtures.tenants import PASSWORD, Tenant

pytestmark = pytest.mark.django_db


def is_not_stored(response: Any) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_pages_with_payroll_data_are_never_stored(tenant: Tenant) -> None:
    client = tenant.client(tenant.admin)
    company = f"/companies/{tenant.bakkerij.pk}/"
    for url in ("/companies/", company, f"{company}scheme/", "/integrations/visma/accounts/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert is_not_stored(response), (url, response.get("Cache-Control"))
    partial = client.get(f"{company}sending/rows/", HTTP_HX_REQUEST="true")
    assert is_not_stored(partial), partial.status_code


def test_api_answers_are_never_stored(tenant: Tenant) -> None:
    _, secret = create_token(tenant.master, "payroll system", [Scope.RUNS_READ])
    url = "/api/v1/companies/nl-bakkerij/runs"
    answer = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert answer.status_code == 200
    assert is_not_stored(answer)
    assert is_not_stored(Client().get(url))  # 401


def test_sign_in_and_its_answer_are_not_stored_but_static_files_are_cacheable(
    tenant: Tenant,
) -> None:
    client = Client()
    assert is_not_stored(client.get("/login/"))
    signed_in = client.post("/login/", {"username": "a-admin", "password": PASSWORD})
    assert signed_in.status_code == 302 and is_not_stored(signed_in)
    static = client.get("/static/payjournal/app.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")


def production_settings(tmp_path: Path, **env: str) -> dict[str, Any]:
    """Django's settings as ``payjournal serve`` computes them from this environment."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PAYJOURNAL_") and key != "DJANGO_SETTINGS_MODULE"
    }
    clean.update(PAYJOURNAL_DATA_DIR=str(tmp_path / "data"), **env)
    code = (
        "import json; from payjournal.site import settings as s; print(json.dumps({"
        "'hsts': s.SECURE_HSTS_SECONDS, 'secure': s.SESSION_COOKIE_SECURE}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=clean,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout))


def test_production_sends_hsts_and_plain_http_does_not(tmp_path: Path) -> None:
    assert production_settings(tmp_path) == {"hsts": 31_536_000, "secure": True}
    assert production_settings(tmp_path, PAYJOURNAL_HSTS_SECONDS="600")["hsts"] == 600
    plain = production_settings(tmp_path, PAYJOURNAL_SECURE_COOKIES="false")
    assert plain == {"hsts": 0, "secure": False}


def test_the_demo_sends_no_hsts(tmp_path: Path) -> None:
    from payjournal.cli.demo import demo_settings

    settings = demo_settings(tmp_path, "http://127.0.0.1:1")
    assert not settings.secure_cookies


def test_an_https_answer_carries_hsts_when_it_is_on(tenant: Tenant, settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31_536_000
    secure = Client().get("/login/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in Client().get("/login/")  # plain HTTP: never
