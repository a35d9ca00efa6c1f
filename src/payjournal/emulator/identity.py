"""``/connect/authorize`` and its pages: login, company picker, consent, then the redirect.

The picker is shown when the user has several companies and no default company, or when
``prompt=select_account`` or ``acr_values=… forceselectcompany:true`` asks for it — except for
a user caught in the default-company trap (``User.default_company_overrides_picker``), whose
grant is always bound to the default company until it is removed (``user_settings.py``).
A browser login is remembered in the ``idsrv.session`` cookie unless ``prompt=login``.
"""

from __future__ import annotations

import fnmatch
import secrets
from urllib.parse import urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from payjournal.emulator import pages
from payjournal.emulator.model import AuthorizationSession, OAuthClient
from payjournal.emulator.runtime import Emulator

SESSION_COOKIE = "idsrv.session"
KNOWN_SCOPES = frozenset(
    {
        "ea:api",
        "offline_access",
        "ea:accounting",
        "ea:accounting_readonly",
        "ea:sales",
        "ea:sales_readonly",
        "ea:purchase",
        "ea:purchase_readonly",
        "vls:api",
        "openid",
        "profile",
        "email",
    }
)


def redirect_allowed(uri: str, patterns: list[str]) -> bool:
    """Scheme and host must match exactly; ``*`` as port means any port, in the path anything.

    Patterns look like ``http://127.0.0.1:*/*`` or ``https://app.example/visma/callback``.
    """
    parts = urlsplit(uri)
    if parts.username or parts.password or parts.fragment or not parts.hostname:
        return False
    try:
        port = parts.port
    except ValueError:
        return False
    for pattern in patterns:
        scheme, _, rest = pattern.partition("://")
        netloc, _, path = rest.partition("/")
        host, _, want_port = netloc.partition(":")
        port_ok = want_port == "*" or (port is None and not want_port) or str(port) == want_port
        if (
            parts.scheme == scheme
            and parts.hostname == host.lower()
            and port_ok
            and fnmatch.fnmatchcase(parts.path or "/", "/" + path)
        ):
            return True
    return False


def with_params(uri: str, params: dict[str, str | None]) -> str:
    """Append query parameters to ``uri`` (keeping its own)."""
    parts = urlsplit(uri)
    extra = urlencode({k: v for k, v in params.items() if v is not None})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _emu(request: Request) -> Emulator:
    emulator: Emulator = request.app.state.emulator
    return emulator


async def authorize(request: Request) -> Response:
    """GET /connect/authorize: validate, open a session, send the browser to the next page."""
    emu, q = _emu(request), request.query_params
    client = emu.state.clients.get(q.get("client_id", ""))
    if client is None:
        return pages.error_page("Unknown client_id.")
    redirect_uri = q.get("redirect_uri", "")
    if not redirect_allowed(redirect_uri, client.redirect_uri_patterns):
        return pages.error_page("The redirect_uri is not registered for this client.")
    state = q.get("state")

    def fail(error: str, description: str) -> Response:
        return RedirectResponse(
            with_params(
                redirect_uri, {"error": error, "error_description": description, "state": state}
            ),
            302,
        )

    if q.get("response_type") != "code":
        return fail("unsupported_response_type", "only response_type=code is supported")
    scopes = q.get("scope", "").split()
    unknown = [s for s in scopes if s not in KNOWN_SCOPES]
    if not scopes or unknown:
        return fail("invalid_scope", f"unknown scope {unknown[0]}" if unknown else "scope missing")
    method = q.get("code_challenge_method") or ("S256" if q.get("code_challenge") else None)
    if method not in (None, "S256", "plain"):
        return fail("invalid_request", "code_challenge_method must be S256 or plain")
    prompt = set(q.get("prompt", "").split())
    acr = set(q.get("acr_values", "").replace("+", " ").split())
    session = AuthorizationSession(
        sid=secrets.token_urlsafe(16),
        client_id=client.client_id,
        redirect_uri=redirect_uri,
        scopes=scopes,
        state=state,
        code_challenge=q.get("code_challenge"),
        code_challenge_method=method,
        force_login="login" in prompt,
        force_select_company="select_account" in prompt or "forceselectcompany:true" in acr,
        created_at=emu.now(),
    )
    known = emu.state.login_sessions.get(request.cookies.get(SESSION_COOKIE, ""))
    if known and not session.force_login and emu.state.user(known):
        session.user_email = known
    elif "none" in prompt:
        return fail("login_required", "the user is not logged in")
    emu.state.auth_sessions[session.sid] = session
    return _next(emu, session)


def _next(emu: Emulator, session: AuthorizationSession) -> Response:
    """Where this session goes now."""
    if session.user_email is None:
        return RedirectResponse(f"/connect/login?sid={session.sid}", 303)
    if session.company_id is None:
        user = emu.state.user(session.user_email)
        assert user is not None
        companies = [c for c in user.company_ids if c in emu.state.companies]
        if not companies:
            return pages.error_page("This user has no companies.", 403)
        default = user.default_company_id if user.default_company_id in companies else None
        trapped = default is not None and user.default_company_overrides_picker
        if not trapped and (
            session.force_select_company or (default is None and len(companies) > 1)
        ):
            return RedirectResponse(f"/connect/company?sid={session.sid}", 303)
        session.company_id = default or companies[0]
    return RedirectResponse(f"/connect/consent?sid={session.sid}", 303)


def _session(request: Request) -> tuple[Emulator, AuthorizationSession, OAuthClient] | None:
    emu = _emu(request)
    session = emu.state.auth_sessions.get(request.query_params.get("sid", ""))
    if session is None:
        return None
    client = emu.state.clients.get(session.client_id)
    return (emu, session, client) if client else None


_EXPIRED = "This sign-in session is unknown or has expired. Start again from the application."


async def login(request: Request) -> Response:
    """GET/POST /connect/login."""
    found = _session(request)
    if found is None:
        return pages.error_page(_EXPIRED)
    emu, session, client = found
    action = f"/connect/login?sid={session.sid}"
    if request.method == "GET":
        return pages.login_form(action, client.name)
    form = await request.form()
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    user = emu.state.user(email)
    if user is None or not secrets.compare_digest(user.password.encode(), password.encode()):
        return pages.login_form(action, client.name, email, "Wrong e-mail or password.")
    session.user_email = user.email
    cookie = secrets.token_urlsafe(24)
    emu.state.login_sessions[cookie] = user.email
    response = _next(emu, session)
    response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="lax")
    return response


async def company(request: Request) -> Response:
    """GET/POST /connect/company: the company picker."""
    found = _session(request)
    if found is None or found[1].user_email is None:
        return pages.error_page(_EXPIRED)
    emu, session, _client = found
    user = emu.state.user(session.user_email or "")
    assert user is not None
    choices = [
        (str(c.id), c.name)
        for cid in user.company_ids
        if (c := emu.state.companies.get(cid)) is not None
    ]
    action = f"/connect/company?sid={session.sid}"
    if request.method == "GET":
        return pages.company_form(action, choices)
    picked = str((await request.form()).get("company_id", ""))
    chosen = next((c for c in user.company_ids if str(c) == picked), None)
    if chosen is None:
        return pages.company_form(action, choices, "Choose one of your companies.")
    session.company_id = chosen
    return RedirectResponse(f"/connect/consent?sid={session.sid}", 303)


async def consent(request: Request) -> Response:
    """GET/POST /connect/consent: allow → code, deny → ``error=access_denied``."""
    found = _session(request)
    if found is None or found[1].company_id is None:
        return pages.error_page(_EXPIRED)
    emu, session, client = found
    chosen = emu.state.companies[session.company_id]  # type: ignore[index]
    if request.method == "GET":
        return pages.consent_form(
            f"/connect/consent?sid={session.sid}",
            client.name,
            session.user_email or "",
            chosen.name,
            session.scopes,
        )
    form = await request.form()
    del emu.state.auth_sessions[session.sid]
    if "allow" not in form or "deny" in form:
        return RedirectResponse(
            with_params(session.redirect_uri, {"error": "access_denied", "state": session.state}),
            302,
        )
    code = emu.tokens.issue_code(session)
    emu.changed()
    return RedirectResponse(
        with_params(session.redirect_uri, {"code": code, "state": session.state}), 302
    )


ROUTES: list[Route] = [
    Route("/connect/authorize", authorize, methods=["GET"]),
    Route("/connect/login", login, methods=["GET", "POST"]),
    Route("/connect/company", company, methods=["GET", "POST"]),
    Route("/connect/consent", consent, methods=["GET", "POST"]),
]
