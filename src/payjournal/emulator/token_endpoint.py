"""``POST /connect/token`` and ``POST /connect/revocation`` (form-encoded only).

Client authentication by HTTP Basic or by ``client_id``/``client_secret`` in the body.
Faults apply here only when the fault plan names ``POST /connect/token`` explicitly (a lost
refresh answer is the classic way to kill a grant).
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from payjournal.emulator import errors, jsonio
from payjournal.emulator.errors import ApiError
from payjournal.emulator.model import OAuthClient
from payjournal.emulator.pipeline import early_fault, late_fault
from payjournal.emulator.runtime import Emulator, RequestRecord
from payjournal.emulator.tokens import OAuthError

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
FORM = "application/x-www-form-urlencoded"


def _json(data: dict[str, object], status: int = 200) -> Response:
    return Response(jsonio.dumps(data), status, headers=_NO_STORE, media_type="application/json")


def _oauth_error(error: OAuthError) -> Response:
    response = _json({"error": error.error, "error_description": error.description}, error.status)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="identity"'
    return response


async def _form(request: Request) -> FormData:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != FORM:
        raise OAuthError("invalid_request", f"Content-Type must be {FORM}")
    return await request.form()


def _client(emu: Emulator, request: Request, form: FormData) -> OAuthClient:
    header = request.headers.get("authorization", "")
    client_id = form.get("client_id")
    secret = form.get("client_secret")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client", "malformed Basic credentials", 401) from None
        user, _, password = decoded.partition(":")
        client_id, secret = unquote(user), unquote(password)
    return emu.tokens.authenticate_client(
        str(client_id) if client_id is not None else None,
        str(secret) if secret is not None else None,
    )


async def token(request: Request) -> Response:
    """Exchange a code or rotate a refresh token."""
    emu: Emulator = request.app.state.emulator
    decision = emu.faults.decide("POST", "/connect/token")
    client_id: str | None = None
    try:
        early = await early_fault(emu, decision)
        if early is not None:
            response = early
        else:
            form = await _form(request)
            client = _client(emu, request, form)
            client_id = client.client_id
            grant = form.get("grant_type")
            if grant == "authorization_code":
                answer = emu.tokens.exchange_code(
                    client,
                    str(form.get("code", "")),
                    _opt(form, "redirect_uri"),
                    _opt(form, "code_verifier"),
                )
            elif grant == "refresh_token":
                answer = emu.tokens.refresh(
                    client, str(form.get("refresh_token", "")), _opt(form, "scope")
                )
            else:
                raise OAuthError("unsupported_grant_type", f"grant_type {grant!r} is not supported")
            emu.changed()
            response = await late_fault(decision, _json(answer))
    except OAuthError as error:
        emu.changed()
        response = _oauth_error(error)
    except ApiError as error:
        response = errors.error_response(error)
    emu.log(
        RequestRecord(
            emu.now(),
            "POST",
            "/connect/token",
            "POST /connect/token",
            0 if response.status_code == 0 else response.status_code,
            client_id,
            None,
            decision.label if decision else None,
        )
    )
    return response


def _opt(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return None if value is None else str(value)


async def revocation(request: Request) -> Response:
    """RFC 7009: always 200 for an authenticated client, whatever the token."""
    emu: Emulator = request.app.state.emulator
    try:
        form = await _form(request)
        client = _client(emu, request, form)
    except OAuthError as error:
        return _oauth_error(error)
    emu.tokens.revoke_token(client, str(form.get("token", "")))
    emu.changed()
    return Response(b"", 200, headers=_NO_STORE)


async def discovery(request: Request) -> Response:
    """A minimal OpenID discovery document (endpoints only)."""
    base = str(request.base_url).rstrip("/")
    return _json(
        {
            "issuer": base,
            "authorization_endpoint": f"{base}/connect/authorize",
            "token_endpoint": f"{base}/connect/token",
            "revocation_endpoint": f"{base}/connect/revocation",
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256", "plain"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }
    )


ROUTES: list[Route] = [
    Route("/connect/token", token, methods=["POST"]),
    Route("/connect/revocation", revocation, methods=["POST"]),
    Route("/.well-known/openid-configuration", discovery, methods=["GET"]),
]
