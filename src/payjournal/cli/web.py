"""Web-app commands: ``serve`` (production start), ``createuser``, ``invite``,
``password-link``, ``rotate-keys``, ``runs import``.

Each command starts Django from the settings of the environment / ``.env`` and calls the same
service functions as the views; errors are translated to messages here, once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from payjournal.cli.history import speaking
from payjournal.cli.journal import EXIT_INPUT, EXIT_PROBLEMS
from payjournal.cli.progress import progress
from payjournal.private_files import private_umask
from payjournal.site.bootstrap import start_django

if TYPE_CHECKING:
    from payjournal.payroll.models import PayrollCompany
    from payjournal.tenancy.models import Membership

console = Console()
runs_app = typer.Typer(help="Import and send processed payroll runs.", no_args_is_help=True)

ROLE_HELP = "master_admin, payroll_admin or viewer"


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    migrate: bool = typer.Option(True, help="Apply database migrations first."),
) -> None:
    """Start the web app (uvicorn + whitenoise) with settings from PAYJOURNAL_* / .env."""
    import uvicorn

    private_umask()  # payroll data, tokens, sessions: every file this server writes is 0600
    start_django(migrate=migrate)
    from payjournal.cli.sending import start_jobs
    from payjournal.site.asgi import application

    start_jobs(long_running=True)  # the embedded DBOS executor: sends run in this process
    console.print(f"payjournal on http://{host}:{port}/  (Ctrl-C stops)")
    print_mail_status()
    uvicorn.run(application, host=host, port=port, log_level="warning")


def print_mail_status() -> None:
    """Say at start whether users can reset their password by e-mail, and what to do if not."""
    from django.conf import settings

    if not settings.PAYJOURNAL_PASSWORD_RESET_BY_MAIL:
        console.print(
            "Password reset by e-mail is off (no PAYJOURNAL_SMTP_HOST): the reset page tells "
            "users to ask PAYJOURNAL_SUPPORT_CONTACT; `payjournal password-link NAME` makes "
            "a link."
        )


def createuser(
    username: str = typer.Argument(..., help="The sign-in name."),
    master: str = typer.Option(..., help="The master (organisation); created when new."),
    role: str = typer.Option("master_admin", help=ROLE_HELP),
    email: str = typer.Option("", help="E-mail address (for password resets)."),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, help="The password."
    ),
) -> None:
    """Create a user with a role in a master (the first administrator, or anyone after)."""
    start_django(migrate=True)
    with speaking():
        _createuser(username, master, role, email, password)


def _createuser(username: str, master: str, role: str, email: str, password: str) -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext

    from payjournal.tenancy.models import Role
    from payjournal.tenancy.users import UserExistsError, create_user

    if role not in Role.values:
        raise typer.BadParameter(f"role must be one of {ROLE_HELP}", param_hint="--role")
    try:
        validate_password(password)
        member = create_user(username, password, master_name=master, role=Role(role), email=email)
    except ValidationError as exc:
        refused = gettext("Password refused: %(why)s") % {"why": " ".join(exc.messages)}
        console.print(refused, style="red", markup=False, highlight=False)
        raise typer.Exit(1) from None
    except UserExistsError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    created = gettext("Created %(user)s (%(role)s) in %(master)s.")
    console.print(
        created % _member_words(member, master), markup=False, highlight=False, soft_wrap=True
    )


def _member_words(member: Membership, master: str) -> dict[str, str]:
    return {"user": member.user.get_username(), "role": member.get_role_display(), "master": master}


def invite(
    username: str = typer.Argument(..., help="The sign-in name of the new user."),
    master: str = typer.Option(..., help="The master (organisation); created when new."),
    role: str = typer.Option("master_admin", help=ROLE_HELP),
    email: str = typer.Option("", help="E-mail address (for password resets)."),
) -> None:
    """Invite a user (the first administrator, or anyone after): print a one-time link where
    they choose their own password. The link works once, for three days."""
    start_django(migrate=True)
    with speaking():
        _invite(username, master, role, email)


def _invite(username: str, master: str, role: str, email: str) -> None:
    from django.conf import settings
    from django.utils.translation import gettext

    from payjournal.tenancy.models import Role
    from payjournal.tenancy.users import UserExistsError, invite_user

    if role not in Role.values:
        raise typer.BadParameter(f"role must be one of {ROLE_HELP}", param_hint="--role")
    try:
        invitation = invite_user(username, master_name=master, role=Role(role), email=email)
    except UserExistsError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    base = (settings.PAYJOURNAL_PUBLIC_URL or "http://127.0.0.1:8000").rstrip("/")
    member = invitation.membership
    invited = gettext("Invited %(user)s (%(role)s) to %(master)s.")
    console.print(
        invited % _member_words(member, master), markup=False, highlight=False, soft_wrap=True
    )
    console.print(
        gettext("Send them this link to choose a password (it works once, for three days):")
    )
    typer.echo(base + invitation.path)


def password_link(
    username: str = typer.Argument(..., help="The sign-in name of an existing user."),
) -> None:
    """Print a one-time link where a user chooses a new password (it works once, for three
    days): the way to help a user when password reset by e-mail is not set up."""
    start_django(migrate=True)
    with speaking():
        _password_link(username)


def _password_link(username: str) -> None:
    from django.conf import settings
    from django.utils.translation import gettext

    from payjournal.tenancy.users import UnknownUserError, password_link_path

    try:
        path = password_link_path(username)
    except UnknownUserError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    base = (settings.PAYJOURNAL_PUBLIC_URL or "http://127.0.0.1:8000").rstrip("/")
    console.print(gettext("Send this link to the user, not by a public channel (it works once):"))
    typer.echo(base + path)


def rotate_keys() -> None:
    """Re-encrypt every stored Visma token (and webhook secret) under the first key of
    PAYJOURNAL_TOKEN_KEYS.

    Put the new key first, keep the old ones after it, run this, then drop the old keys.
    """
    start_django(migrate=True)
    with speaking():
        _rotate_keys()


def _rotate_keys() -> None:
    from django.db import transaction
    from django.utils.translation import gettext, ngettext

    from payjournal.integrations.crypto import TokenDecryptionError
    from payjournal.integrations.services import rotate_token_keys
    from payjournal.notifications.webhooks import rotate_secrets

    try:
        with transaction.atomic():  # both or neither
            count = rotate_token_keys()
            secrets = rotate_secrets()
    except TokenDecryptionError as exc:
        refused = gettext("Nothing changed: %(why)s. Keep the old key in the list.")
        console.print(refused % {"why": exc}, style="red", markup=False, highlight=False)
        raise typer.Exit(1) from None
    tokens = ngettext(
        "Re-encrypted the tokens of %(count)s account under the newest key.",
        "Re-encrypted the tokens of %(count)s accounts under the newest key.",
        count,
    )
    console.print(tokens % {"count": count})
    signing = ngettext(
        "Re-encrypted the signing secret of %(count)s webhook endpoint.",
        "Re-encrypted the signing secrets of %(count)s webhook endpoints.",
        secrets,
    )
    console.print(signing % {"count": secrets})


@runs_app.command("import")
def import_runs(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, help="Run files."),
    company: int = typer.Option(..., help="The payroll company's id."),
) -> None:
    """Import processed runs (JSON or CSV) into a payroll company.

    Exits with 0 when every file was imported (or was already), 1 when a run has problems
    (an unmapped component …), 2 when a file cannot be read (or is over the upload limit,
    PAYJOURNAL_MAX_UPLOAD_BYTES: refused unread); each problem names its line and field.
    Texts from the files are printed as they are, never as Rich markup.
    """
    start_django(migrate=True)
    with speaking():
        _import_runs(files, company)


def _import_runs(files: list[Path], company: int) -> None:
    from django.utils.translation import gettext

    from payjournal.payroll.models import PayrollCompany

    target = PayrollCompany.objects.filter(pk=company).first()
    if target is None:
        missing = gettext("No payroll company with id %(id)s.") % {"id": company}
        console.print(missing, style="red", markup=False, highlight=False)
        raise typer.Exit(1)
    exit_code = 0
    with progress(console, gettext("Importing"), len(files), gettext("files")) as bar:
        for path in files:
            exit_code = max(exit_code, _import_one(target, path))
            bar.advance(item=path.name)
    if exit_code:
        raise typer.Exit(exit_code)


def _import_one(target: PayrollCompany, path: Path) -> int:
    """Import one run file and print what became of it; the exit code it calls for."""
    from django.utils.translation import gettext

    from payjournal.payroll.limits import read_within_limit
    from payjournal.payroll.services import RunRejectedError, RunUnreadableError
    from payjournal.sending.services import import_run

    try:
        with path.open("rb") as file:
            data = read_within_limit(file, path.name, path.stat().st_size)
        result = import_run(target, data, path.name)
    except OSError as exc:
        console.print(_not_imported(path), style="red", markup=False)
        cannot = gettext("cannot read %(path)s: %(why)s") % {"path": path, "why": exc.strerror}
        console.print(f"  - {cannot}", markup=False, highlight=False)
        return EXIT_INPUT
    except RunRejectedError as exc:
        console.print(_not_imported(path), style="red", markup=False)
        for problem in exc.problems:
            console.print(f"  - {problem}", markup=False, highlight=False, soft_wrap=True)
        return EXIT_INPUT if isinstance(exc, RunUnreadableError) else EXIT_PROBLEMS
    said = (
        gettext("%(file)s: run %(run)s v%(version)s imported")
        if result.created
        else gettext("%(file)s: run %(run)s v%(version)s unchanged")
    )
    words = {"file": path.name, "run": result.run.run_id, "version": result.run.version}
    console.print(said % words, markup=False, highlight=False)
    return 0


def _not_imported(path: Path) -> str:
    from django.utils.translation import gettext

    return gettext("%(file)s: not imported") % {"file": path.name}
