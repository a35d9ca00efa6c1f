"""``payjournal demo``: the whole product on one machine, with no configuration.

Starts the Visma emulator (demo seed) on loopback, points the web app at it, keeps SQLite
files and the generated secrets in a data directory, creates a demo master with logins and
the sample payroll companies with their runs, then serves Django under uvicorn until Ctrl-C.
"""

from __future__ import annotations

from pathlib import Path

import typer
from pydantic import SecretStr
from rich.console import Console

from payjournal.config import Settings
from payjournal.private_files import private_dir, private_umask
from payjournal.site.bootstrap import start_django

DEMO_MASTER = "Demo Payroll Bureau"
MAIL_DIR = "mail"
DEMO_LOGINS = (
    ("admin", "payjournal-demo", "master_admin"),
    ("payroll", "payjournal-demo", "payroll_admin"),
)


def demo(
    data_dir: Path = typer.Option(
        Path(".payjournal-demo"),
        envvar="PAYJOURNAL_DEMO_DIR",
        help="Where the demo keeps its files.",
    ),
    port: int = typer.Option(8000, help="Port of the web app on 127.0.0.1."),
) -> None:
    """Run payjournal with a local Visma emulator, demo logins and sample payroll runs."""
    import uvicorn

    from payjournal.emulator import create_app
    from payjournal.emulator.server import run_in_thread

    console = Console()
    private_umask()  # every file the demo writes (databases, mail, emulator state) is 0600
    data_dir = data_dir.resolve()
    private_dir(data_dir)
    emulator = create_app(seed="demo", state_file=data_dir / "visma-emulator.json")
    with run_in_thread(emulator, host="127.0.0.1", port=0) as visma_url:
        start_django(demo_settings(data_dir, visma_url), migrate=True)
        seed()
        from payjournal.cli.sending import start_jobs

        start_jobs()  # the embedded DBOS executor (SQLite system database in the data dir)
        from payjournal.site.asgi import application

        console.print(f"[bold]payjournal demo[/bold] on http://127.0.0.1:{port}/")
        for username, password, role in DEMO_LOGINS:
            console.print(f"  sign in: {username} / {password}  ({role})")
        console.print(
            f"  Visma emulator: {visma_url}  (Visma user erik@nordisk.example / erik-demo)"
        )
        console.print(
            "  the default-company trap: Visma user jan@fietsen.example / jan-demo "
            f"(fix: {visma_url}/settings/default-company)"
        )
        console.print(f"  password-reset mails: files in {data_dir / MAIL_DIR}")
        console.print(f"  data: {data_dir}   Ctrl-C stops")
        uvicorn.run(application, host="127.0.0.1", port=port, log_level="warning")


def demo_settings(data_dir: Path, visma_url: str) -> Settings:
    """The demo's settings: plain HTTP on loopback, the emulator as Visma, and mail kept as
    files in ``<data_dir>/mail`` (a local way to try a password reset; never the log)."""
    from payjournal.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

    return Settings(
        data_dir=data_dir,
        secure_cookies=False,
        visma_identity_url=visma_url,
        visma_api_url=f"{visma_url}/v2/",
        visma_client_id=DEMO_CLIENT_ID,
        visma_client_secret=SecretStr(DEMO_CLIENT_SECRET),
        demo_mailbox=data_dir / MAIL_DIR,  # SMTP catcher on loopback
    )


def seed() -> None:
    """The demo master, its logins and sample companies (idempotent)."""
    from django.contrib.auth import get_user_model

    from payjournal.payroll.samples import add_sample_companies
    from payjournal.tenancy.models import Master, Role
    from payjournal.tenancy.users import create_user

    master, _ = Master.objects.get_or_create(name=DEMO_MASTER)
    users = get_user_model()
    for username, password, role in DEMO_LOGINS:
        if not users.objects.filter(username=username).exists():
            email = f"{username}@demo.example"  # a reset mail lands in <data_dir>/mail
            create_user(username, password, master_name=DEMO_MASTER, role=Role(role), email=email)
    companies = add_sample_companies(master)
    payroll_user = users.objects.get(username="payroll")
    companies[0].assignees.add(payroll_user)
