"""``payjournal notifications digest``: the daily digest mails, now; ``payjournal
notifications prune``: delete settled notifications past their retention, now.

The scheduler of a running executor (``serve``, ``demo``, ``worker``) sends the digests every
day at 07:00; ``digest`` is for an operator who wants them now (after a month-end batch, or to
try the mail settings). Each person with waiting notices gets one mail with all of them.
Exit status 1 when a mail could not be sent (its notices wait for the next digest).

The scheduler prunes every day at 03:30 too; ``prune`` is for a process without an executor,
or a first prune after a long time (``--keep-days`` overrides
``PAYJOURNAL_NOTIFICATIONS_KEEP_DAYS`` for this run).
"""

from __future__ import annotations

import typer
from rich.console import Console

from payjournal.cli.history import speaking
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


@app.command("prune")
def prune(
    keep_days: int | None = typer.Option(
        None,
        min=1,
        help="Keep this many days (default: PAYJOURNAL_NOTIFICATIONS_KEEP_DAYS, 90).",
    ),
) -> None:
    """Delete sent notifications and settled webhook deliveries older than the retention."""
    start_django(migrate=True)
    from django.utils import formats, timezone
    from django.utils.translation import gettext

    from payjournal.notifications.retention import prune as prune_rows

    with speaking():
        pruned = prune_rows(keep_days=keep_days)
        line = gettext(
            "deleted %(notices)s notifications and %(deliveries)s webhook deliveries "
            "from before %(before)s"
        ) % {
            "notices": pruned.notices,
            "deliveries": pruned.deliveries,
            "before": formats.date_format(timezone.localdate(pruned.before), "SHORT_DATE_FORMAT"),
        }
        Console().print(line, markup=False, highlight=False)
