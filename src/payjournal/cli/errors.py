"""``payjournal errors``: read the error catalog from the command line.

``payjournal errors explain CODE [--lang nl] [--json]`` prints what happened, why, what to do,
who acts and where; CODE is a catalog code, an alias, a domain problem code or Visma's own
wording (e.g. "Resource not found: fiscalYearId"). ``payjournal errors list`` lists the codes.
"""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from payjournal.cli.history import LANG_OPTION, Language, chosen_language, speaking
from payjournal.site.bootstrap import start_django

app = typer.Typer(help="Explain errors: cause, solution, who acts.", no_args_is_help=True)
console = Console()


@app.command("explain")
def explain(
    code: str = typer.Argument(..., help="A catalog code, alias or Visma's message."),
    lang: Language | None = LANG_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print the API form (JSON)."),
) -> None:
    """Explain one error."""
    start_django()
    from django.utils.translation import gettext

    from payjournal import catalog

    if as_json and lang is None:
        lang = Language.EN  # the API form stays English unless --lang asks otherwise
    with speaking(lang):
        try:
            text = catalog.explain(code)
        except catalog.UnknownErrorCodeError:
            unknown = gettext("Unknown error code: %(code)s  (see: payjournal errors list)")
            console.print(unknown % {"code": code}, style="red", markup=False, highlight=False)
            raise typer.Exit(2) from None
        if as_json:
            typer.echo(json.dumps(text.as_dict(), ensure_ascii=False, indent=2))
            return
        console.print(f"[bold]{text.message}[/bold]  [dim]({text.code})[/dim]", highlight=False)
        for label, value in (
            (gettext("Why"), text.cause),
            (gettext("What to do"), text.solution),
            (gettext("Who acts"), text.who_label),
            (gettext("Where"), text.link.label),
            (gettext("Original message"), text.original),
        ):
            if value:
                console.print(f"[cyan]{label}:[/cyan] {value}", highlight=False)


@app.command("list")
def list_codes(lang: Language | None = LANG_OPTION) -> None:
    """List every catalog entry."""
    start_django()
    from django.utils.translation import gettext

    from payjournal import catalog

    with speaking(lang):
        table = Table("code", "Visma", gettext("What happened"), gettext("Who acts"))
        entries = catalog.explain_all(chosen_language(lang).value)
    for text in entries:
        visma_code = str(text.visma_error_code or "")
        table.add_row(text.code, visma_code, text.message, text.who_label)
    console.print(table)
