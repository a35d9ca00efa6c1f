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

from payjournal.site.bootstrap import start_django

app = typer.Typer(help="Explain errors: cause, solution, who acts.", no_args_is_help=True)
console = Console()

LANG_HELP = "Language of the texts: en, nl or sv."


@app.command("explain")
def explain(
    code: str = typer.Argument(..., help="A catalog code, alias or Visma's message."),
    lang: str = typer.Option("en", "--lang", help=LANG_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the API form (JSON)."),
) -> None:
    """Explain one error."""
    start_django()
    from django.utils import translation
    from django.utils.translation import gettext

    from payjournal import catalog

    try:
        text = catalog.explain(code, lang)
    except catalog.UnknownErrorCodeError:
        console.print(f"[red]Unknown error code:[/red] {code}  (see: payjournal errors list)")
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(text.as_dict(), ensure_ascii=False, indent=2))
        return
    console.print(f"[bold]{text.message}[/bold]  [dim]({text.code})[/dim]", highlight=False)
    with translation.override(lang):
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
def list_codes(lang: str = typer.Option("en", "--lang", help=LANG_HELP)) -> None:
    """List every catalog entry."""
    start_django()
    from payjournal import catalog

    table = Table("code", "Visma", "what happened", "who acts")
    for text in catalog.explain_all(lang):
        visma_code = str(text.visma_error_code or "")
        table.add_row(text.code, visma_code, text.message, text.who_label)
    console.print(table)
