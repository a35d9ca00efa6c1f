"""``payjournal notifications digest``: the daily digest mails, now.

The scheduler of a running executor (``serve``, ``demo``, ``worker``) sends them every day at
07:00; this command is for an operator who wants them now (after a month-end batch, or to
try the mail settings). Each person with waiting notices gets one mail with all of them.
Exit status 1 when a mail could not be sent (its notices wait for the next digest).
"""

from __future__ import annotations

import typer
from rich.console import Console

from payjournal.site.bootstrap import start_django

app = typer.Typer(help="E-mail and webhook notifications.", no_args_is_help=True)


@app.command("digest")
def digest() -> None:
    """Send each person's digest of waiting notifications now (one e-mail per person)."""
    start_django(migrate=True)
    from payjournal.notifications.mail import MailNotSetUpError, send_digests

    try:
        summary = send_digests()
    except MailNotSetUpError:
        Console().print(
            "Mail is not set up (PAYJOURNAL_SMTP_HOST …): no digest was sent; the "
            "notifications wait until it is."
        )
        raise typer.Exit(1) from None
    Console().print(
        f"sent {summary.mails} digest e-mails with {summary.notices} notifications"
        + (f"; {summary.failed} not sent (they wait for the next digest)" if summary.failed else "")
    )
    if summary.failed:
        raise typer.Exit(1)
