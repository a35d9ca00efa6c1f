"""The default-company trap, end to end over HTTP against the emulator: the client asks for
the company picker (``prompt=select_account``), the seeded ``jan@fietsen.example`` never sees
it because his default company wins, the grant lands in a company without the API module,
payjournal's catalog explains the 4002 it meets, and the user's fix — remove the default
company in eAccounting's settings, authorize again — works."""

from __future__ import annotations

import pytest

from payjournal import catalog
from payjournal.emulator import stable_id
from payjournal.visma import InMemoryTokenStore, ModuleNotActivatedError, TokenSet
from tests.fixtures.visma_client import BASE, World
from tests.visma.browser import Visit, authorize

JAN = ("jan@fietsen.example", "jan-demo")
BAKKERIJ = str(stable_id("company", "nl-bakkerij"))
SETTINGS = f"{BASE}/settings/default-company"


def authorize_jan(world: World, company_id: str | None = None) -> tuple[Visit, TokenSet]:
    oauth = world.oauth()  # payjournal's production choice: prompt=select_account
    request = oauth.authorization_url()
    assert "prompt=select_account" in request.url
    visit = authorize(world.browser, request.url, *JAN, company_id=company_id)
    return visit, oauth.exchange_code(
        oauth.parse_callback(visit.callback, request.state), request.code_verifier
    )


def test_the_trap_is_explained_and_the_users_fix_works(world: World) -> None:
    for _attempt in range(2):  # authorizing again alone does not help
        visit, tokens = authorize_jan(world)
        assert "company" not in visit.pages  # the picker was asked for, and skipped
        client = world.client(InMemoryTokenStore(tokens))
        with pytest.raises(ModuleNotActivatedError) as caught:
            client.get_company_settings()
        assert (caught.value.status, caught.value.error_code) == (403, 4002)

    explained = catalog.explain(caught.value, "en")
    assert explained.code == "module_not_activated"
    assert "default company" in explained.cause
    assert "remove the star" in explained.solution
    assert "authorize the account again" in explained.solution
    assert catalog.explain(caught.value, "nl").code == "module_not_activated"

    # the fix: eAccounting → top-right menu → Choose default company → remove the star
    page = world.browser.get(SETTINGS)  # signed in at the identity server already
    assert "Fietsenmaker Jansen B.V. ★" in page.text
    world.browser.post(SETTINGS, data={"company_id": ""}).raise_for_status()

    visit, tokens = authorize_jan(world, company_id=BAKKERIJ)
    assert "company" in visit.pages and BAKKERIJ in visit.companies_offered
    client = world.client(InMemoryTokenStore(tokens))
    assert client.get_company_settings().name == "Bakkerij De Vries B.V."
