"""The ``payjournal`` command: one entry point, one sub-command module per area.

Each area registers its commands in its own module here (``journal``, ``bench``,
``emulator`` …) so the top level only assembles them.
"""

from __future__ import annotations

import typer

from payjournal.cli import (
    api,
    bench,
    bench_month_end,
    bench_pages,
    checks,
    demo,
    emulator,
    errors,
    history,
    journal,
    notifications,
    sending,
    web,
)

app = typer.Typer(
    name="payjournal",
    help="Payroll journal entries to Visma eAccounting, exactly once.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # never print secrets or payroll data from frames
)
app.add_typer(journal.app, name="journal")
bench.app.command("pages")(bench_pages.pages)
bench.app.command("month-end")(bench_month_end.month_end)
app.add_typer(bench.app, name="bench")
app.command("emulator")(emulator.serve)
app.command("demo")(demo.demo)
app.command("serve")(web.serve)
app.command("createuser")(web.createuser)
app.command("invite")(web.invite)
app.command("password-link")(web.password_link)
app.command("rotate-keys")(web.rotate_keys)
web.runs_app.command("send")(sending.send_runs)
web.runs_app.command("withdraw")(sending.withdraw_run)
web.runs_app.command("history")(history.history)
app.add_typer(web.runs_app, name="runs")
app.command("web")(sending.web)
app.command("worker")(sending.worker)
app.add_typer(api.app, name="api-token")
app.add_typer(errors.app, name="errors")
app.add_typer(checks.app, name="checks")
app.add_typer(notifications.app, name="notifications")


def main() -> None:
    """Console-script entry point. A setting the environment gets wrong stops the command
    with what is wrong and where (``PAYJOURNAL_<NAME>``), not with a traceback."""
    from pydantic import ValidationError

    from payjournal.site.affinity import CoresError

    try:
        app()
    except ValidationError as exc:
        for error in exc.errors():
            name = "_".join(str(part) for part in error["loc"]).upper()
            typer.echo(f"payjournal: PAYJOURNAL_{name}: {error['msg']}", err=True)
        raise SystemExit(2) from None
    except CoresError as exc:
        typer.echo(f"payjournal: {exc}", err=True)
        raise SystemExit(2) from None
