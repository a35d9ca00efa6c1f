"""The path of every ``/v2`` request: token, throttle, faults, company checks, handler, log.

Handlers are plain ``async def handler(ctx: ApiContext) -> Response`` functions; they raise
:class:`~payjournal.emulator.errors.ApiError` for Visma errors. Check order (a guess, see
docs): 401 token, 429 throttle, injected faults, 4011 company access, 4004 company inactive,
4003 startup guide, 4002 API module, 4006 scope.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from payjournal.emulator import errors, jsonio
from payjournal.emulator.drop import DropConnection
from payjournal.emulator.errors import ApiError, FieldError
from payjournal.emulator.faults import FaultDecision
from payjournal.emulator.model import Company, TokenFamily, User
from payjournal.emulator.ratelimit import quota_message
from payjournal.emulator.runtime import Emulator, RequestRecord

ACCOUNTING = frozenset({"ea:accounting"})
ACCOUNTING_READ = frozenset({"ea:accounting", "ea:accounting_readonly"})
SALES_READ = frozenset({"ea:sales", "ea:sales_readonly"})
SETUP_READ = ACCOUNTING_READ | SALES_READ
SETUP_WRITE = frozenset({"ea:accounting", "ea:sales"})
ANY_READ = SETUP_READ | {"ea:purchase", "ea:purchase_readonly"}
ATTACH_WRITE = frozenset({"ea:accounting", "ea:purchase"})
JSON_TYPE = "application/json; charset=utf-8"


@dataclass
class ApiContext:
    """What a handler gets: the request and the company the token is bound to."""

    request: Request
    emulator: Emulator
    company: Company
    user: User
    family: TokenFamily
    now: datetime

    async def body(self) -> Any:
        """The JSON body, numbers with decimals parsed as ``Decimal``."""
        kind = self.request.headers.get("content-type", "application/json").split(";")[0]
        if kind.strip().lower() not in {"application/json", "text/json"}:
            raise errors.validation_error(
                [FieldError("body", f"unsupported content type {kind!r}; send JSON")]
            )
        raw = await self.request.body()
        try:
            return jsonio.loads(raw)
        except ValueError as exc:
            raise errors.validation_error([FieldError("body", f"invalid JSON: {exc}")]) from exc

    def flag(self, name: str, default: bool) -> bool:
        """A boolean query parameter (``true``/``false``)."""
        raw = self.request.query_params.get(name)
        if raw is None:
            return default
        if raw.lower() in {"true", "false"}:
            return raw.lower() == "true"
        raise errors.validation_error([FieldError(name, f"{raw!r} is not a boolean")])


Handler = Callable[[ApiContext], Awaitable[Response]]


def json_response(data: Any, status: int = 200) -> Response:
    """A Visma JSON answer."""
    return Response(jsonio.dumps(data), status_code=status, media_type=JSON_TYPE)


def api_route(method: str, template: str, scopes: frozenset[str], handler: Handler) -> Route:
    """A Starlette route running ``handler`` behind the whole pipeline."""

    async def endpoint(request: Request) -> Response:
        return await run(request, method, template, scopes, handler)

    return Route(template, endpoint, methods=[method], name=f"{method} {template}")


class _Unauthorized(Exception):  # noqa: N818 - internal signal, never escapes
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def run(
    request: Request, method: str, template: str, scopes: frozenset[str], handler: Handler
) -> Response:
    """Run one API request through every check; always log it."""
    emu: Emulator = request.app.state.emulator
    now = emu.now()
    client_id: str | None = None
    company: str | None = None
    decision: FaultDecision | None = None
    response: Response = PlainTextResponse("cancelled", 499)
    try:
        family = _authenticate(emu, request)
        client_id = family.client_id
        key = template if emu.config.rate_limit_key == "template" else request.url.path
        throttled = emu.limiter.hit(f"{client_id} {method} {key}", now)
        if throttled is not None:
            raise _throttle(
                emu.config.rate_limit_per_minute,
                throttled.retry_after_s,
                header=emu.config.rate_limit_retry_after_header,
            )
        decision = emu.faults.decide(method, template)
        early = await early_fault(emu, decision)
        if early is not None:
            response = early
            return response
        ctx = _context(emu, request, family, now, scopes)
        company = ctx.company.key
        response = await handler(ctx)
        response = await late_fault(decision, response)
    except ApiError as error:
        response = errors.error_response(error)
    except _Unauthorized as refusal:
        response = _unauthorized(emu, refusal.reason)
    finally:
        emu.log(
            RequestRecord(
                now,
                method,
                request.url.path,
                f"{method} {template}",
                0 if isinstance(response, DropConnection) else response.status_code,
                client_id,
                company,
                decision.label if decision else None,
            )
        )
    return response


async def early_fault(emu: Emulator, decision: FaultDecision | None) -> Response | None:
    if decision is None:
        return None
    if decision.latency_s:
        await asyncio.sleep(decision.latency_s)
    if decision.throttle_retry_after_s is not None:
        raise _throttle(
            emu.config.rate_limit_per_minute,
            decision.throttle_retry_after_s,
            header=decision.throttle_header,
            states_wait=decision.throttle_states_wait,
        )
    if decision.error_status is not None:
        return _plain_status(decision.error_status)
    if decision.timeout_delay_s is not None and not decision.timeout_commits:
        await asyncio.sleep(decision.timeout_delay_s)
        return _plain_status(504)
    return None


async def late_fault(decision: FaultDecision | None, response: Response) -> Response:
    if decision is None or response.status_code >= 400:
        return response
    if decision.timeout_delay_s is not None:
        await asyncio.sleep(decision.timeout_delay_s)
    if decision.drop:
        return DropConnection()
    return response


def _plain_status(status: int) -> Response:
    return PlainTextResponse(HTTPStatus(status).phrase, status_code=status)


def _throttle(
    per_minute: int, retry_after_s: int, *, header: bool = True, states_wait: bool = True
) -> ApiError:
    return ApiError(
        429,
        errors.RATE_LIMITED,
        quota_message(per_minute, retry_after_s if states_wait else None),
        headers={"Retry-After": str(retry_after_s)} if header else {},
    )


def _authenticate(emu: Emulator, request: Request) -> TokenFamily:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _Unauthorized("")
    family, reason = emu.tokens.check_access(token.strip())
    if family is None:
        raise _Unauthorized(reason)
    return family


def _unauthorized(emu: Emulator, reason: str) -> Response:
    challenge = "Bearer"
    if reason:
        challenge = f'Bearer error="invalid_token", error_description="{reason}"'
    headers = {"WWW-Authenticate": challenge}
    if emu.config.unauthorized_json_body:
        error = ApiError(401, errors.NOT_AUTHORIZED, errors.NOT_AUTHORIZED_MESSAGE)
        body = errors.error_body(error)
        return Response(jsonio.dumps(body), 401, headers=headers, media_type=JSON_TYPE)
    return Response(b"", 401, headers=headers)


def _context(
    emu: Emulator, request: Request, family: TokenFamily, now: datetime, scopes: frozenset[str]
) -> ApiContext:
    user = emu.state.user(family.user_email)
    company = emu.state.company(family.company_id)
    if user is None or company is None or company.id not in user.company_ids:
        raise ApiError(403, errors.NO_ACCESS_TO_COMPANY, errors.NO_COMPANY_ACCESS_MESSAGE)
    if company.company_status != 1:
        raise ApiError(
            403, errors.COMPANY_NOT_ACTIVE, "ForbiddenRequestException - The company is not active"
        )
    if not company.startup_guide_completed:
        raise ApiError(
            403,
            errors.STARTUP_GUIDE_NOT_COMPLETED,
            "ForbiddenRequestException - Error: the startup guide has not been completed",
        )
    if not company.api_module_enabled:
        raise ApiError(403, errors.NO_ACCESS_TO_MODULE, errors.MODULE_OFF_MESSAGE)
    granted = set(family.scopes)
    if (emu.config.require_ea_api_scope and "ea:api" not in granted) or not scopes & granted:
        needed = ", ".join(sorted(scopes))
        raise ApiError(
            403,
            errors.NO_ACCESS_TO_SCOPES,
            f"NoAccessToScopes - This endpoint requires any of the scopes: {needed} (and ea:api)",
        )
    return ApiContext(request, emu, company, user, family, now)
