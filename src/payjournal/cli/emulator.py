"""``payjournal emulator``: serve the local Visma eAccounting emulator until Ctrl-C."""

from __future__ import annotations

from pathlib import Path

import typer

from payjournal.emulator import EmulatorConfig, create_app, emulator_of
from payjournal.emulator.banner import banner
from payjournal.emulator.server import serve as serve_app


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on (keep it loopback)."),
    port: int = typer.Option(8765, help="TCP port."),
    state: Path | None = typer.Option(
        None, "--state", help="JSON file: loaded at start, saved on changes and at exit."
    ),
    seed: str = typer.Option("demo", help="Seed world when no state file exists: demo or empty."),
    rate_limit: int = typer.Option(
        600, "--rate-limit", help="Requests per minute per client and endpoint (Visma: 600)."
    ),
    request_log_size: int = typer.Option(
        10_000, help="Requests the control API's log keeps (/_emulator/requests)."
    ),
    access_token_lifetime: int = typer.Option(
        3600, "--access-token-lifetime", min=1, help="Seconds an access token lives (Visma: 3600)."
    ),
    no_retry_after: bool = typer.Option(
        False,
        "--no-retry-after",
        help="The throttle's 429 omits Retry-After (the message still says the wait).",
    ),
    empty_401: bool = typer.Option(
        False, "--empty-401", help="Answer 401 with an empty body instead of Visma's 4005 JSON."
    ),
    check_spec: bool = typer.Option(
        False,
        "--check-spec",
        help="Validate every /v2 exchange served against Visma's official spec "
        "(departures in the log and at /_emulator/conformance).",
    ),
) -> None:
    """Run a local Visma eAccounting (identity server + API v2) with seeded demo companies."""
    config = EmulatorConfig(
        rate_limit_per_minute=rate_limit,
        request_log_size=request_log_size,
        access_token_lifetime_s=access_token_lifetime,
        unauthorized_json_body=not empty_401,
        rate_limit_retry_after_header=not no_retry_after,
    )
    config.check_spec = config.check_spec or check_spec
    app = create_app(config, seed=seed, state_file=state)
    base = f"http://{host}:{port}"
    for line in banner(emulator_of(app), base, str(state) if state else None):
        typer.echo(line)
    serve_app(app, host, port)
