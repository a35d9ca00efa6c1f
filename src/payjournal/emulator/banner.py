"""What a person needs to use a running emulator: URLs, OAuth client, users, an authorize URL."""

from __future__ import annotations

from payjournal.emulator.runtime import Emulator


def banner(emu: Emulator, base: str, state_file: str | None = None) -> list[str]:
    """The lines printed at start (``visma-emulator`` and ``payjournal emulator``)."""
    lines = [
        f"Visma eAccounting emulator on {base}  (seed {emu.state.seed!r}"
        + (f", state {state_file}" if state_file else "")
        + ")",
        f"  identity server  {base}/connect/authorize   token {base}/connect/token",
        f"  API v2           {base}/v2/   official spec {base}/swagger/docs/v2",
        f"  control API      {base}/_emulator/state   behaviours {base}/_emulator/config",
        f"  user settings    {base}/settings/default-company",
    ]
    for client in emu.state.clients.values():
        lines.append(
            f"  OAuth client     client_id={client.client_id}  client_secret={client.client_secret}"
        )
        lines.append(f"                   redirect URIs: {', '.join(client.redirect_uri_patterns)}")
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
        lines.append(f"  user             {user.email} / {user.password}  → {names}")
    if emu.state.clients:
        client_id = next(iter(emu.state.clients))
        lines.append("  try in a browser:")
        lines.append(
            f"    {base}/connect/authorize?client_id={client_id}&response_type=code"
            "&scope=ea:api+offline_access+ea:accounting+ea:sales_readonly&state=demo"
            "&redirect_uri=http://127.0.0.1:8000/callback&prompt=select_account"
        )
    return lines
