"""Drive the authorization through the app (test client) and the emulator's pages (real HTTP)."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx2
from django.test import Client

from tests.fixtures.tenants import PUBLIC_URL
from tests.visma.browser import authorize

PASSWORDS = {
    "anna@bakkerij.example": "anna-demo",
    "erik@nordisk.example": "erik-demo",
    "lena@fietsen.example": "lena-demo",
}


def start(client: Client, account_id: int) -> str:
    response = client.get(f"/integrations/visma/accounts/{account_id}/authorize/")
    assert response.status_code == 302
    return response["Location"]


def visma_callback(
    http: httpx2.Client,
    authorize_url: str,
    email: str,
    *,
    company_id: str | None = None,
    decision: str = "allow",
) -> str:
    visit = authorize(
        http,
        authorize_url,
        email,
        PASSWORDS[email],
        company_id=company_id,
        decision=decision,
        callback_prefix=PUBLIC_URL,
    )
    return visit.callback


def local(callback: str) -> str:
    """The callback as a path + query for the Django test client."""
    parts = urlsplit(callback)
    return f"{parts.path}?{parts.query}"


def connect(
    client: Client,
    http: httpx2.Client,
    account_id: int,
    email: str = "erik@nordisk.example",
    company_id: str | None = None,
) -> str:
    """The whole flow; returns the callback URL (already used)."""
    callback = visma_callback(http, start(client, account_id), email, company_id=company_id)
    response = client.get(local(callback))
    assert response.status_code == 200, response.content.decode()[:2000]
    return callback
