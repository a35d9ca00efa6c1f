"""Scripting the identity server's pages the way a browser would."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx2

from payjournal.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

REDIRECT_URI = "http://127.0.0.1:8123/visma/callback"
SCOPES = "ea:api offline_access ea:accounting ea:sales_readonly"
CLIENT_AUTH = (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)


def challenge(verifier: str) -> str:
    """PKCE S256."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class Walk:
    """Where the browser went: pages seen and the final redirect's query."""

    pages: list[str]
    final: httpx2.Response

    @property
    def query(self) -> dict[str, str]:
        location = self.final.headers["location"]
        return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def company_ids(page_html: str) -> list[str]:
    """The company choices on the picker page."""
    return re.findall(r'name="company_id" value="([0-9a-f-]{36})"', page_html)


def start(http: httpx2.Client, **params: str) -> httpx2.Response:
    """GET /connect/authorize with the demo client and sensible defaults."""
    query = {
        "client_id": DEMO_CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": SCOPES,
        "state": "st-1",
    } | params
    return http.get("/connect/authorize", params=query)


def walk(
    http: httpx2.Client,
    email: str,
    password: str,
    *,
    company: str | None = None,
    decision: str = "allow",
    **params: str,
) -> Walk:
    """Follow the pages to the final redirect (to the client's redirect URI)."""
    response = start(http, **params)
    pages: list[str] = []
    while response.status_code in (302, 303):
        location = response.headers["location"]
        if not location.startswith("/connect/"):
            return Walk(pages, response)
        step = location.split("?")[0].rsplit("/", 1)[-1]
        pages.append(step)
        if step == "login":
            response = http.post(location, data={"email": email, "password": password})
        elif step == "company":
            choices = company_ids(http.get(location).text)
            response = http.post(location, data={"company_id": company or choices[0]})
        elif step == "consent":
            assert http.get(location).status_code == 200
            response = http.post(location, data={decision: "yes"})
    raise AssertionError(f"stopped at {response.status_code}: {response.text[:200]}")


def exchange(
    http: httpx2.Client, code: str, verifier: str | None = None, redirect_uri: str = REDIRECT_URI
) -> httpx2.Response:
    """POST /connect/token for a code."""
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if verifier:
        data["code_verifier"] = verifier
    return http.post("/connect/token", data=data, auth=CLIENT_AUTH)


def refresh(http: httpx2.Client, token: str) -> httpx2.Response:
    """POST /connect/token for a refresh."""
    return http.post(
        "/connect/token",
        data={"grant_type": "refresh_token", "refresh_token": token},
        auth=CLIENT_AUTH,
    )
