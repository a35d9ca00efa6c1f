"""A scripted browser for the emulator's identity pages: login, company picker, consent.

It follows the authorize URL the client built, fills the forms the way a user would, and
returns the redirect back to our callback (never following it)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import httpx2

COMPANY_CHOICE = re.compile(r'name="company_id" value="([0-9a-f-]{36})"')


@dataclass
class Visit:
    """The pages seen and the callback URL the identity server redirected to."""

    pages: list[str] = field(default_factory=list)
    companies_offered: list[str] = field(default_factory=list)
    callback: str = ""


def authorize(
    http: httpx2.Client,
    authorize_url: str,
    email: str,
    password: str,
    *,
    company_id: str | None = None,
    decision: str = "allow",
    callback_prefix: str = "http://127.0.0.1:8123/",
) -> Visit:
    visit = Visit()
    response = http.get(authorize_url)
    for _ in range(10):
        if response.status_code not in (302, 303):
            raise AssertionError(f"stuck at {response.status_code}: {response.text[:300]}")
        location = response.headers["location"]
        if location.startswith(callback_prefix):
            visit.callback = location
            return visit
        url = response.url.join(location)
        step = url.path.rsplit("/", 1)[-1]
        visit.pages.append(step)
        if step == "login":
            response = http.post(url, data={"email": email, "password": password})
        elif step == "company":
            visit.companies_offered = COMPANY_CHOICE.findall(http.get(url).text)
            response = http.post(url, data={"company_id": company_id or visit.companies_offered[0]})
        elif step == "consent":
            assert http.get(url).status_code == 200
            response = http.post(url, data={decision: "yes"})
        else:
            response = http.get(url)
    raise AssertionError("too many redirects")
