"""``payjournal checks daily``: the daily grant check of every Visma account and drift check of
every mapped company, by hand.

The scheduler of a running executor (``serve``, ``demo``, ``worker``) runs the same at 03:00;
this command is for operators who want it now (after fixing a chart, before a payday).
Exit status 1 when any company's scheme no longer fits its Visma books, or any account needs
re-authorization.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack

import typer
from rich.console import Console
from rich.table import Table

from payjournal.cli.history import speaking
from payjournal.cli.progress import progress
from payjournal.site.bootstrap import start_django

app = typer.Typer(help="Pre-flight checks of every company.", no_args_is_help=True)


@app.command("daily")
def daily() -> None:
    """Check every mapped company's ledger scheme against Visma and store the reports."""
    start_django(migrate=True)
    with speaking():
        _daily()


def _daily() -> None:
    from django.utils import timezone
    from django.utils.translation import gettext, pgettext

    from payjournal import catalog
    from payjournal.preflight.daily import check_every_company
    from payjournal.preflight.models import DriftReport

    console = Console()  # made per run: its width follows the terminal (COLUMNS) of this run
    day = timezone.localdate()
    with ExitStack() as bars:

        def started(total: int) -> Callable[[str], None]:
            what, unit = gettext("Checking"), gettext("companies")
            bar = bars.enter_context(progress(console, what, total, unit))
            return lambda name: bar.advance(item=name)

        summary = check_every_company(day, started)
    drifted = DriftReport.objects.filter(passed=False, checked_for=day).select_related("company")
    if drifted:
        table = Table(
            gettext("Company"),
            pgettext("daily check column", "Check"),
            gettext("Subject"),
            gettext("What to do"),
        )
        for report in drifted:
            for failure in report.failure_list:
                explained = catalog.explain(failure["code"])  # in the active language
                table.add_row(
                    report.company.name, failure["key"], failure["subject"], explained.solution
                )
        console.print(table)
    if summary.reauthorize:
        reauthorize = gettext(
            "needs re-authorization (Integrations → Visma eAccounting → Accounts): %(accounts)s"
        )
        console.print(
            reauthorize % {"accounts": ", ".join(summary.reauthorize)},
            markup=False,
            highlight=False,
        )
    checked = gettext(
        "checked %(checked)s companies: %(drifted)s with drift, %(errors)s not checkable"
    ) % {"checked": summary.checked, "drifted": summary.drifted, "errors": summary.errors}
    if summary.not_checkable:
        checked += f" ({', '.join(summary.not_checkable)})"
    console.print(checked, markup=False, highlight=False)
    if summary.drifted or summary.errors or summary.reauthorize:
        raise typer.Exit(1)
