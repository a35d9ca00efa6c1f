"""``payjournal api-token``: create and revoke the per-master tokens of the JSON API."""

from __future__ import annotations

import typer
from rich.console import Console

from payjournal.cli.history import speaking
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
    with speaking():
        _create(master, name, scope)


def _create(master: str, name: str, scope: list[str]) -> None:
    from django.utils.translation import gettext

    from payjournal.api.models import Scope
    from payjournal.api.tokens import create_token
    from payjournal.tenancy.models import Master

    found = Master.objects.filter(name=master).first()
    if found is None:
        missing = gettext("No master named %(master)r.") % {"master": master}
        console.print(missing, style="red", markup=False, highlight=False)
        raise typer.Exit(1)
    try:
        scopes = [Scope(s) for s in scope]
    except ValueError:
        raise typer.BadParameter(
            "scopes: runs:write, runs:read, send", param_hint="--scope"
        ) from None
    token, secret = create_token(found, name, scopes)
    made = gettext(
        "Token %(id)s (%(scopes)s) for %(master)s. Keep the secret; it is not shown again:"
    )
    words = {"id": token.pk, "scopes": token.scopes, "master": master}
    console.print(made % words, markup=False, highlight=False)
    typer.echo(secret)


@app.command("revoke")
def revoke_token(token_id: int = typer.Argument(..., help="The token's id.")) -> None:
    """Revoke a token at once."""
    start_django(migrate=True)
    with speaking():
        _revoke(token_id)


def _revoke(token_id: int) -> None:
    from django.utils.translation import gettext

    from payjournal.api.models import ApiToken
    from payjournal.api.tokens import revoke

    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None:
        missing = gettext("No token %(id)s.") % {"id": token_id}
        console.print(missing, style="red", markup=False, highlight=False)
        raise typer.Exit(1)
    revoke(token)
    console.print(gettext("Token %(id)s revoked.") % {"id": token_id})
