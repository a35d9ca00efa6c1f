"""The user's own settings page: eAccounting's top-right menu → "Choose default company".

``GET /settings/default-company`` lists the user's companies with a star on the default one;
the form posts ``company_id`` (empty = no default company) back to the same URL. It needs the
identity server's browser login (the ``idsrv.session`` cookie); without it the page asks for
e-mail and password first. This is where a user caught in the default-company trap removes
the star, as Visma's knowledge base tells them to, before authorizing again.
"""

from __future__ import annotations

import secrets
from html import escape

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from payjournal.emulator import pages
from payjournal.emulator.identity import SESSION_COOKIE
from payjournal.emulator.model import User
from payjournal.emulator.runtime import Emulator

PATH = "/settings/default-company"


def _logged_in(request: Request, emu: Emulator) -> User | None:
    email = emu.state.login_sessions.get(request.cookies.get(SESSION_COOKIE, ""))
    return emu.state.user(email) if email else None


def _form(emu: Emulator, user: User, saved: bool = False) -> Response:
    rows = []
    choices = [(None, "No default company (choose when you sign in)")] + [
        (cid, emu.state.companies[cid].name)
        for cid in user.company_ids
        if cid in emu.state.companies
    ]
    for cid, name in choices:
        star = " ★" if cid is not None and cid == user.default_company_id else ""
        checked = " checked" if cid == user.default_company_id else ""
        value = "" if cid is None else str(cid)
        rows.append(
            f'<label><input type="radio" name="company_id" value="{value}"{checked}> '
            f"{escape(name)}{star}</label>"
        )
    note = '<p class="note" role="status">Saved.</p>' if saved else ""
    body = (
        f"{note}<p>Signed in as {escape(user.email)}. The default company (★) is opened "
        "when you sign in, without asking.</p>"
        f'<form method="post" action="{PATH}">{"".join(rows)}'
        '<button type="submit">Save</button></form>'
    )
    return pages.page("Choose default company", body)


async def default_company(request: Request) -> Response:
    """GET/POST the default-company setting of the signed-in user."""
    emu: Emulator = request.app.state.emulator
    user = _logged_in(request, emu)
    form = await request.form() if request.method == "POST" else None
    if user is None:
        if form is None or "email" not in form:
            return pages.login_form(PATH, "your eAccounting settings")
        email, password = str(form.get("email", "")), str(form.get("password", ""))
        found = emu.state.user(email)
        if found is None or not secrets.compare_digest(found.password.encode(), password.encode()):
            return pages.login_form(
                PATH, "your eAccounting settings", email, "Wrong e-mail or password."
            )
        cookie = secrets.token_urlsafe(24)
        emu.state.login_sessions[cookie] = found.email
        response = RedirectResponse(PATH, 303)
        response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="lax")
        return response
    if form is None:
        return _form(emu, user)
    picked = str(form.get("company_id", ""))
    if picked and picked not in {str(c) for c in user.company_ids}:
        return pages.error_page("Choose one of your companies.")
    user.default_company_id = next((c for c in user.company_ids if str(c) == picked), None)
    emu.changed()
    return _form(emu, user, saved=True)


ROUTES: list[Route] = [Route(PATH, default_company, methods=["GET", "POST"])]
