"""``payjournal demo``: the whole product on one machine, with no configuration.

Starts the Visma emulator (demo seed) on loopback, points the web app at it, keeps SQLite
files and the generated secrets in a data directory, creates a demo master with logins and
the sample payroll companies with their runs, then serves Django under uvicorn until Ctrl-C.

It prints how to sign in (the demo's logins and every Visma demo user) and what each Visma
company shows: one case for each error of the original integration's table, ready to try —
a company without the fiscal year of its next run (Sundsvall), a company with the API module
off (Fietsenmaker), a Visma user with a default company set (jan@fietsen.example), and a run
with a wage component missing from the ledger scheme (the Bakkerij's bonus run, left as a
file to import). The README's demo walk-through leads through them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from django.urls import reverse
from pydantic import SecretStr
from rich.console import Console

from payjournal.config import Settings
from payjournal.private_files import private_dir, private_umask
from payjournal.site.bootstrap import start_django

if TYPE_CHECKING:
    from payjournal.emulator import Emulator
    from payjournal.emulator.model import Company
    from payjournal.payroll.samples import RunToTry

DEMO_MASTER = "Demo Payroll Bureau"
MAIL_DIR = "mail"
#: Where the demo leaves the sample runs to import by hand (``payroll.samples.TO_TRY``).
TRY_DIR = "runs-to-try"
DEMO_LOGINS = (
    ("admin", "payjournal-demo", "master_admin"),
    ("payroll", "payjournal-demo", "payroll_admin"),
)
#: What each sign-in of the demo sees.
LOGIN_NOTES = {
    "master_admin": "master administrator: every company, Integrations",
    "payroll_admin": "payroll administrator: Bakkerij De Vries B.V. only",
}


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

    from payjournal.emulator import create_app, emulator_of
    from payjournal.emulator.server import run_in_thread

    console = Console()
    private_umask()  # every file the demo writes (databases, mail, emulator state) is 0600
    data_dir = data_dir.resolve()
    private_dir(data_dir)
    emulator = create_app(seed="demo", state_file=data_dir / "visma-emulator.json")
    with run_in_thread(emulator, host="127.0.0.1", port=0) as visma_url:
        start_django(demo_settings(data_dir, visma_url), migrate=True)
        to_try = seed(data_dir)
        from payjournal.cli.sending import start_jobs

        start_jobs()  # the embedded DBOS executor (SQLite system database in the data dir)
        from payjournal.site.asgi import application

        lines = banner(port, visma_url, data_dir, emulator_of(emulator), to_try)
        for line in lines:
            console.print(line, markup=False, highlight=False, soft_wrap=True)
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


def seed(data_dir: Path | None = None) -> list[RunToTry]:
    """The demo master, its logins and sample companies (idempotent); with ``data_dir``, the
    sample runs to try are left in ``<data_dir>/runs-to-try`` (and returned)."""
    from django.contrib.auth import get_user_model

    from payjournal.payroll.samples import add_sample_companies, leave_runs_to_try
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
    return leave_runs_to_try(companies, data_dir / TRY_DIR) if data_dir is not None else []


def banner(
    port: int, visma_url: str, data_dir: Path, emu: Emulator, to_try: list[RunToTry]
) -> list[str]:
    """What the demo prints at start: where to sign in, every Visma demo user with the
    companies it can pick, and the case each Visma company shows (with its fix)."""
    state = emu.state
    lines = [f"payjournal demo on http://127.0.0.1:{port}/"]
    lines += [
        f"  sign in: {username} / {password}  ({LOGIN_NOTES[role]})"
        for username, password, role in DEMO_LOGINS
    ]
    lines.append(f"Visma emulator on {visma_url}: its users (sign in there to authorize):")
    for user in state.users.values():
        companies = [state.companies[c] for c in user.company_ids if c in state.companies]
        names = ", ".join(
            company.name + (" (default company)" if company.id == user.default_company_id else "")
            for company in companies
        )
        lines.append(f"  {user.email} / {user.password}  {user.name}: {names}")
        if user.default_company_overrides_picker and user.default_company_id in state.companies:
            default = state.companies[user.default_company_id].name
            lines.append(
                f"    the default-company trap: Visma skips the company picker and binds the "
                f"grant to {default}; fix: {visma_url}/settings/default-company (remove the star)"
            )
    lines.append("What each Visma company shows:")
    for company in state.companies.values():
        lines.append(f"  {company.name}: {_case(company, visma_url)}")
        lines += [
            f"    a run to import on its company page: {run.path}"
            + (f" (refused: {'; '.join(run.problems)})" if run.problems else "")
            for run in to_try
            if run.company.key == company.key
        ]
    mail_page = f"http://127.0.0.1:{port}{reverse('demo-mail')}"
    lines.append(
        f"  mails (password reset, notifications): {mail_page} (files in {data_dir / MAIL_DIR})"
    )
    lines.append(f"  data: {data_dir}   Ctrl-C stops")
    return lines


def _case(company: Company, visma_url: str) -> str:
    """The case a seeded Visma company demonstrates, in one line."""
    years = sorted(year.start.year for year in company.fiscal_years.values())
    if not company.api_module_enabled:
        settings = f"{visma_url}/_emulator/companies/{company.key}/settings"
        return (
            "the API module is off: authorizing it fails with the explanation; switch it on "
            f"with: curl -X PUT {settings} -H 'content-type: application/json' "
            """-d '{"api_module_enabled": true}'"""
        )
    if company.accounting_locked_to is not None:
        return (
            f"locked up to {company.accounting_locked_to.isoformat()}: the regular runs fail "
            "the lock-date check; the off-cycle run can be sent"
        )
    if len(years) == 1:
        return (
            f"only the fiscal year {years[0]}: its next run (January {years[0] + 1}) fails the "
            "fiscal-year check, which offers Create fiscal year"
        )
    return "everything in order: every run can be checked and sent"
