"""The app factory: ``create_app()`` gives a Starlette app with identity server, API and control.

The emulator behind the app is ``app.state.emulator`` (see :func:`emulator_of`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from payjournal.emulator import (
    api_attachments,
    api_setup,
    api_vouchers,
    control,
    control_books,
    control_config,
    identity,
    jsonio,
    token_endpoint,
    user_settings,
)
from payjournal.emulator.config import EmulatorConfig
from payjournal.emulator.drop import DROPPED_KEY, RAW_SEND_KEY, ConnectionDropped, has_transport
from payjournal.emulator.persistence import AutoSaver, load_state
from payjournal.emulator.runtime import Emulator
from payjournal.emulator.seed import build_seed
from payjournal.emulator.spec import spec_bytes


class EmulatorApp(Starlette):
    """Starlette plus the outermost layer: commit-then-drop, ``/v2`` routed whatever its case,
    and (``check_spec``) each ``/v2`` exchange recorded on the wire and held to Visma's spec."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        scope[RAW_SEND_KEY] = send
        _route_case_insensitively(scope)
        check = emulator_of(self).spec_check
        exchange = (
            None
            if check is None
            else check.start(scope["method"], scope["path"], scope.get("query_string", b""))
        )

        async def recorded_receive() -> Message:
            message = await receive()
            if exchange is not None:
                exchange.received(message)
            return message

        async def guarded_send(message: Message) -> None:
            if exchange is not None:
                exchange.sent(message)
            if not scope.get(DROPPED_KEY):
                await send(message)

        await super().__call__(scope, recorded_receive, guarded_send)
        if scope.get(DROPPED_KEY):
            if not has_transport(scope):
                raise ConnectionDropped("the emulator dropped the connection after committing")
            return
        if check is not None and exchange is not None:
            check.finish(exchange)  # what was answered, held to Visma's spec


def _route_case_insensitively(scope: Scope) -> None:
    """``/v2`` paths route whatever their case, as ASP.NET routing does in production
    (``GET /v2/Vouchers``). Every id in a path is a GUID or a number, so lower-casing the whole
    path is safe (.NET parses GUIDs case-insensitively too)."""
    path: str = scope["path"]
    lowered = path.lower()
    if lowered != path and (lowered == "/v2" or lowered.startswith("/v2/")):
        scope["path"] = lowered
        scope["raw_path"] = lowered.encode("ascii", "replace")


def emulator_of(app: Starlette) -> Emulator:
    """The :class:`Emulator` behind an app made by :func:`create_app`."""
    emulator: Emulator = app.state.emulator
    return emulator


async def _not_found(request: Request, exc: Exception) -> Response:
    body = {
        "ErrorCode": 3000,
        "DeveloperErrorMessage": f"No route for {request.url.path}",
        "ErrorId": "00000000-0000-0000-0000-000000000000",
        "Errors": [],
    }
    return Response(jsonio.dumps(body), 404, media_type="application/json")


async def _official_spec(request: Request) -> Response:
    """Visma's Swagger document, where production published it (``/swagger/docs/v2``)."""
    return Response(spec_bytes(), media_type="application/json")


def create_app(
    config: EmulatorConfig | None = None,
    seed: str = "demo",
    state_file: Path | None = None,
) -> EmulatorApp:
    """Build an emulator app. With ``state_file`` the world is loaded from it when it exists
    and saved back (atomically) on changes and at shutdown."""
    config = config or EmulatorConfig()
    if state_file is not None and state_file.exists():
        state = load_state(state_file)
    else:
        state = build_seed(seed, config.clock.now().date(), config.redirect_uri_patterns)
    emulator = Emulator(config, state)
    saver = AutoSaver(emulator, state_file, config.autosave_interval_s) if state_file else None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if saver is None:
            yield
            return
        async with saver.running():
            yield

    routes = [
        *identity.ROUTES,
        *token_endpoint.ROUTES,
        *user_settings.ROUTES,
        *api_setup.ROUTES,
        *api_vouchers.ROUTES,
        *api_attachments.ROUTES,
        *control.ROUTES,
        *control_books.ROUTES,
        *control_config.ROUTES,
        Route("/swagger/docs/v2", _official_spec, methods=["GET"]),
    ]
    app = EmulatorApp(routes=routes, lifespan=lifespan, exception_handlers={404: _not_found})
    app.state.emulator = emulator
    app.state.saver = saver
    return app
