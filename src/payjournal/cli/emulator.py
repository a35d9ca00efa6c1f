"""``payjournal emulator``: serve the local Visma eAccounting emulator until Ctrl-C."""

from __future__ import annotations

from pathlib import Path

import typer

from payjournal.emulator import EmulatorConfig, create_app, emulator_of
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
) -> None:
    """Run a local Visma eAccounting (identity server + API v2) with seeded demo companies."""
    config = EmulatorConfig(
        rate_limit_per_minute=rate_limit,
        request_log_size=request_log_size,
        access_token_lifetime_s=access_token_lifetime,
        unauthorized_json_body=not empty_401,
        rate_limit_retry_after_header=not no_retry_after,
    )
    app = create_app(config, seed=seed, state_file=state)
    emu = emulator_of(app)
    base = f"http://{host}:{port}"
    out = typer.echo
    out(
        f"Visma eAccounting emulator on {base}  (seed {emu.state.seed!r}"
        + (f", state {state}" if state else "")
        + ")"
    )
    out(f"  identity server  {base}/connect/authorize   token {base}/connect/token")
    out(f"  API v2           {base}/v2/")
    out(f"  control API      {base}/_emulator/state   config {base}/_emulator/config")
    out(f"  user settings    {base}/settings/default-company   spec {base}/swagger/docs/v2")
    for client in emu.state.clients.values():
        out(
            f"  OAuth client     client_id={client.client_id}  client_secret={client.client_secret}"
        )
        out(f"                   redirect URIs: {', '.join(client.redirect_uri_patterns)}")
    for user in emu.state.users.values():
        companies = [emu.state.companies[c] for c in user.company_ids if c in emu.state.companies]
        names = ", ".join(
            c.name
            + (" *default*" if c.id == user.default_company_id else "")
            + (
                " (wins over the picker: the default-company trap)"
                if c.id == user.default_company_id and user.default_company_overrides_picker
                else ""
            )
            + ("" if c.api_module_enabled else " (API module off)")
            for c in companies
        )
        out(f"  user             {user.email} / {user.password}  → {names}")
    if emu.state.clients:
        client_id = next(iter(emu.state.clients))
        out("  try in a browser:")
        out(
            f"    {base}/connect/authorize?client_id={client_id}&response_type=code"
            "&scope=ea:api+offline_access+ea:accounting+ea:sales_readonly&state=demo"
            "&redirect_uri=http://127.0.0.1:8000/callback&prompt=select_account"
        )
    serve_app(app, host, port)
