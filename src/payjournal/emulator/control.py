"""The control API under ``/_emulator/…``: read everything, change anything, inject faults.

Not part of Visma's namespace and not authenticated (the emulator only listens on loopback).
Bodies and answers are JSON with snake_case keys; see ``docs/emulator.md`` for the list.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from payjournal.emulator import jsonio, resources
from payjournal.emulator.control_views import company_detail, overview, token_view
from payjournal.emulator.faults import FaultPlan
from payjournal.emulator.model import Company, OAuthClient, User
from payjournal.emulator.runtime import Emulator
from payjournal.emulator.seed import SEEDS
from payjournal.emulator.vouchers import parse_date


class ControlError(Exception):
    """A control request that cannot be done (status + message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def reply(data: Any, status: int = 200) -> Response:
    """A control API answer."""
    return Response(jsonio.dumps(data), status, media_type="application/json")


Handler = Callable[[Request, Emulator], Awaitable[Any]]


def control_route(path: str, method: str, handler: Handler, name: str | None = None) -> Route:
    """Wrap a handler: JSON out, ``ControlError`` → ``{"error": …}``, state marked changed."""

    async def endpoint(request: Request) -> Response:
        emu: Emulator = request.app.state.emulator
        try:
            result = await handler(request, emu)
        except ControlError as error:
            return reply({"error": str(error)}, error.status)
        if method != "GET":
            emu.changed()
        return result if isinstance(result, Response) else reply(result)

    return Route(path, endpoint, methods=[method], name=name)


async def body_of(request: Request) -> dict[str, Any]:
    """The JSON object sent (empty when none)."""
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = jsonio.loads(raw)
    except ValueError as exc:
        raise ControlError(400, f"invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ControlError(400, "a JSON object is required")
    return data


def company_of(request: Request, emu: Emulator) -> Company:
    """The company named by key or id in the path."""
    found = emu.state.company(request.path_params["company"])
    if found is None:
        raise ControlError(404, f"no company {request.path_params['company']!r}")
    return found


def user_of(request: Request, emu: Emulator) -> User:
    """The user named by e-mail in the path."""
    found = emu.state.user(request.path_params["email"])
    if found is None:
        raise ControlError(404, f"no user {request.path_params['email']!r}")
    return found


async def get_state(request: Request, emu: Emulator) -> Any:
    """Overview: companies, users, clients, counts, clock."""
    return overview(emu)


async def get_company(request: Request, emu: Emulator) -> Any:
    """One company in detail."""
    return company_detail(company_of(request, emu))


async def get_vouchers(request: Request, emu: Emulator) -> Any:
    """All vouchers of a company, in the API's shape, oldest first."""
    company = company_of(request, emu)
    ordered = sorted(company.vouchers.values(), key=lambda v: (v.created_utc, v.number))
    return [resources.voucher(v) for v in ordered]


async def get_tokens(request: Request, emu: Emulator) -> Any:
    """Grants (families) and the issued/refused/revoked log."""
    return token_view(emu)


async def get_requests(request: Request, emu: Emulator) -> Any:
    """The request log; ``?since=N`` skips the first N, ``?endpoint=POST /v2/vouchers`` filters."""
    since = int(request.query_params.get("since", "0"))
    wanted = request.query_params.get("endpoint")
    rows = list(emu.requests)[since:]
    return [
        {
            "index": since + i,
            "at": r.at,
            "method": r.method,
            "path": r.path,
            "endpoint": r.endpoint,
            "status": r.status,
            "client_id": r.client_id,
            "company": r.company,
            "fault": r.fault,
        }
        for i, r in enumerate(rows)
        if wanted is None or r.endpoint == wanted
    ]


async def get_faults(request: Request, emu: Emulator) -> Any:
    """The live fault plan and seed."""
    return emu.faults.plan.to_json() | {"seed": emu.faults.seed}


async def set_faults(request: Request, emu: Emulator) -> Any:
    """PUT replaces the plan, PATCH merges into it; ``seed`` reseeds the dice."""
    data = await body_of(request)
    base = emu.faults.plan if request.method == "PATCH" else None
    try:
        plan = FaultPlan.from_json(data, base)
    except (TypeError, ValueError) as exc:
        raise ControlError(400, str(exc)) from exc
    seed = data.get("seed")
    emu.faults.set(plan, int(seed) if seed is not None else None)
    return await get_faults(request, emu)


async def clear_faults(request: Request, emu: Emulator) -> Any:
    """No faults any more."""
    emu.faults.clear()
    return await get_faults(request, emu)


async def set_settings(request: Request, emu: Emulator) -> Any:
    """API module, startup guide, status, lock date and interval of a company."""
    company, data = company_of(request, emu), await body_of(request)
    for name in ("api_module_enabled", "startup_guide_completed"):
        if name in data:
            setattr(company, name, bool(data[name]))
    for name in ("company_status", "accounting_lock_interval"):
        if name in data:
            setattr(company, name, int(data[name]))
    if "accounting_locked_to" in data:
        raw = data["accounting_locked_to"]
        day = None if raw is None else parse_date(raw)
        if raw is not None and day is None:
            raise ControlError(400, "accounting_locked_to must be yyyy-mm-dd or null")
        company.accounting_locked_to = day
    return company_detail(company)


async def set_password(request: Request, emu: Emulator) -> Any:
    """Change a password: every grant of the user dies, browser logins end."""
    user, data = user_of(request, emu), await body_of(request)
    if not isinstance(data.get("password"), str) or not data["password"]:
        raise ControlError(400, "password required")
    user.password = data["password"]
    revoked = emu.tokens.revoke_user(user.email, "password changed")
    for cookie in [c for c, e in emu.state.login_sessions.items() if e == user.email]:
        del emu.state.login_sessions[cookie]
    return {"email": user.email, "revoked_grants": revoked}


async def revoke_grants(request: Request, emu: Emulator) -> Any:
    """The user withdraws the app's access in Visma: every grant of the user, or with
    ``?company=key|id`` only those for that company. Their tokens answer ``invalid_grant``."""
    user = user_of(request, emu)
    company_id = None
    if ref := request.query_params.get("company"):
        company = emu.state.company(ref)
        if company is None:
            raise ControlError(404, f"no company {ref!r}")
        company_id = company.id
    revoked = emu.tokens.revoke_user(user.email, "access withdrawn by the user", company_id)
    return {"email": user.email, "revoked_grants": revoked}


async def set_default_company(request: Request, emu: Emulator) -> Any:
    """``{"company": key|id|null, "overrides_picker"?: bool}`` (the default-company trap)."""
    user, data = user_of(request, emu), await body_of(request)
    if "overrides_picker" in data:
        user.default_company_overrides_picker = bool(data["overrides_picker"])
    ref = data.get("company")
    if ref is None:
        user.default_company_id = None
    else:
        company = emu.state.company(str(ref))
        if company is None or company.id not in user.company_ids:
            raise ControlError(400, f"{ref!r} is not one of the user's companies")
        user.default_company_id = company.id
    return {
        "email": user.email,
        "default_company_id": user.default_company_id,
        "overrides_picker": user.default_company_overrides_picker,
    }


async def grant_company(request: Request, emu: Emulator) -> Any:
    """PUT gives the user access to a company, DELETE takes it away (then 4011)."""
    user, company = user_of(request, emu), company_of(request, emu)
    if request.method == "PUT" and company.id not in user.company_ids:
        user.company_ids.append(company.id)
    elif request.method == "DELETE" and company.id in user.company_ids:
        user.company_ids.remove(company.id)
        if user.default_company_id == company.id:
            user.default_company_id = None
    return {"email": user.email, "company_ids": user.company_ids}


async def add_client(request: Request, emu: Emulator) -> Any:
    """Register (or replace) an OAuth client."""
    data = await body_of(request)
    try:
        client = OAuthClient(
            str(data["client_id"]),
            str(data["client_secret"]),
            str(data.get("name", data["client_id"])),
            [str(p) for p in data.get("redirect_uri_patterns", emu.config.redirect_uri_patterns)],
        )
    except KeyError as exc:
        raise ControlError(400, f"missing {exc.args[0]}") from exc
    emu.state.clients[client.client_id] = client
    return {"client_id": client.client_id, "redirect_uri_patterns": client.redirect_uri_patterns}


async def mint_tokens(request: Request, emu: Emulator) -> Any:
    """Issue a token pair without the browser: ``{email, company, scopes, client_id?}``."""
    data = await body_of(request)
    user = emu.state.user(str(data.get("email", "")))
    company = emu.state.company(str(data.get("company", "")))
    if user is None or company is None:
        raise ControlError(400, "email and company must name a seeded user and company")
    scopes = data.get("scopes", "ea:api offline_access ea:accounting ea:sales_readonly")
    scope_list = scopes.split() if isinstance(scopes, str) else [str(s) for s in scopes]
    client_id = str(data.get("client_id") or next(iter(emu.state.clients), "control"))
    return emu.tokens.mint(client_id, user.email, company.id, scope_list)


async def clock(request: Request, emu: Emulator) -> Any:
    """GET the time; PUT ``{"offset_seconds": n}`` or ``{"advance_seconds": n}``."""
    if request.method == "PUT":
        data = await body_of(request)
        if "offset_seconds" in data:
            emu.state.clock_offset_s = float(data["offset_seconds"])
        if "advance_seconds" in data:
            emu.state.clock_offset_s += float(data["advance_seconds"])
    return {"now": emu.now(), "offset_seconds": str(emu.state.clock_offset_s)}


async def reset(request: Request, emu: Emulator) -> Any:
    """Rebuild a seed world (``{"seed": "demo"}``), clear faults, logs and throttles."""
    seed = str((await body_of(request)).get("seed", emu.state.seed))
    if seed not in SEEDS:
        raise ControlError(400, f"unknown seed {seed!r}")
    emu.reseed(seed)
    return overview(emu)


async def attachment_content(request: Request, emu: Emulator) -> Any:
    """The bytes behind ``TemporaryUrl``."""
    for company in emu.state.companies.values():
        for attachment in company.attachments.values():
            if str(attachment.id) == request.path_params["id"] and attachment.data:
                return Response(
                    base64.b64decode(attachment.data), media_type=attachment.content_type
                )
    raise ControlError(404, "no such attachment")


ROUTES: list[Route] = [
    control_route("/_emulator/state", "GET", get_state),
    control_route("/_emulator/companies/{company}", "GET", get_company),
    control_route("/_emulator/companies/{company}/vouchers", "GET", get_vouchers),
    control_route("/_emulator/companies/{company}/settings", "PUT", set_settings),
    control_route("/_emulator/tokens", "GET", get_tokens),
    control_route("/_emulator/tokens", "POST", mint_tokens),
    control_route("/_emulator/requests", "GET", get_requests),
    control_route("/_emulator/faults", "GET", get_faults),
    control_route("/_emulator/faults", "PUT", set_faults),
    control_route("/_emulator/faults", "PATCH", set_faults),
    control_route("/_emulator/faults", "DELETE", clear_faults),
    control_route("/_emulator/users/{email}/password", "PUT", set_password),
    control_route("/_emulator/users/{email}/grants", "DELETE", revoke_grants),
    control_route("/_emulator/users/{email}/default-company", "PUT", set_default_company),
    control_route("/_emulator/users/{email}/companies/{company}", "PUT", grant_company),
    control_route("/_emulator/users/{email}/companies/{company}", "DELETE", grant_company),
    control_route("/_emulator/clients", "POST", add_client),
    control_route("/_emulator/clock", "GET", clock),
    control_route("/_emulator/clock", "PUT", clock),
    control_route("/_emulator/reset", "POST", reset),
    control_route(
        "/_emulator/attachments/{id}/content", "GET", attachment_content, name="attachment_content"
    ),
]
