"""``payjournal api-token``: create and revoke the per-master tokens of the JSON API."""

from __future__ import annotations

import typer
from rich.console import Console

from payjournal.site.bootstrap import start_django

console = Console()
app = typer.Typer(help="Tokens of the JSON API (/api/v1, docs at /api/docs).", no_args_is_help=True)


@app.command("create")
def create(
    master: str = typer.Option(..., help="The master (organisation) the token acts for."),
    name: str = typer.Option(..., help="What the token is for (e.g. the payroll system)."),
    scope: list[str] = typer.Option(
        ["runs:write", "runs:read", "send"], help="runs:write, runs:read, send (repeatable)."
    ),
) -> None:
    """Create a token; its secret is printed once and stored only as a hash."""
    start_django(migrate=True)
    from payjournal.api.models import Scope
    from payjournal.api.tokens import create_token
    from payjournal.tenancy.models import Master

    found = Master.objects.filter(name=master).first()
    if found is None:
        console.print(f"[red]No master named {master!r}.[/red]")
        raise typer.Exit(1)
    try:
        scopes = [Scope(s) for s in scope]
    except ValueError:
        raise typer.BadParameter(
            "scopes: runs:write, runs:read, send", param_hint="--scope"
        ) from None
    token, secret = create_token(found, name, scopes)
    console.print(
        f"Token {token.pk} ({token.scopes}) for {master}. Keep the secret; it is not shown again:"
    )
    typer.echo(secret)


@app.command("revoke")
def revoke_token(token_id: int = typer.Argument(..., help="The token's id.")) -> None:
    """Revoke a token at once."""
    start_django(migrate=True)
    from payjournal.api.models import ApiToken
    from payjournal.api.tokens import revoke

    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None:
        console.print(f"[red]No token {token_id}.[/red]")
        raise typer.Exit(1)
    revoke(token)
    console.print(f"Token {token_id} revoked.")
