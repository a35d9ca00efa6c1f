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
from django.utils.translation import gettext, gettext_lazy
from pydantic import SecretStr
from rich.console import Console

from payjournal.cli.history import speaking
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
    "master_admin": gettext_lazy("master administrator: every company, Integrations"),
    "payroll_admin": gettext_lazy("payroll administrator: Bakkerij De Vries B.V. only"),
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

        start_jobs(long_running=True)  # the embedded executor (SQLite system db in the data dir)
        from payjournal.site.asgi import application

        with speaking():  # the banner in the language of LC_ALL, LC_MESSAGES, LANG, LANGUAGE
            lines = banner(port, visma_url, data_dir, emulator_of(emulator), to_try)
        for line in lines:
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        uvicorn.run(application, host="127.0.0.1", port=port, log_level="warning")


def demo_settings(data_dir: Path, visma_url: str) -> Settings:
    """The demo's settings: plain HTTP on loopback, the emulator as Visma, mail kept as
    files in ``<data_dir>/mail`` (a local way to try a password reset; never the log), and
    webhooks allowed to a receiver on this machine (loopback, over http too)."""
    from payjournal.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

    return Settings(
        data_dir=data_dir,
        secure_cookies=False,
        visma_identity_url=visma_url,
        visma_api_url=f"{visma_url}/v2/",
        visma_client_id=DEMO_CLIENT_ID,
        visma_client_secret=SecretStr(DEMO_CLIENT_SECRET),
        demo_mailbox=data_dir / MAIL_DIR,  # SMTP catcher on loopback
        webhook_allowed_networks=["127.0.0.0/8", "::1/128"],
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
    web = f"http://127.0.0.1:{port}/"
    lines = [gettext("payjournal demo on %(url)s") % {"url": web}]
    lines += [
        "  "
        + gettext("sign in: %(user)s / %(password)s  (%(sees)s)")
        % {"user": username, "password": password, "sees": LOGIN_NOTES[role]}
        for username, password, role in DEMO_LOGINS
    ]
    lines.append(
        gettext("Visma emulator on %(url)s: its users (sign in there to authorize):")
        % {"url": visma_url}
    )
    default_mark = " (" + gettext("default company") + ")"
    for user in state.users.values():
        companies = [state.companies[c] for c in user.company_ids if c in state.companies]
        names = ", ".join(
            company.name + (default_mark if company.id == user.default_company_id else "")
            for company in companies
        )
        lines.append(f"  {user.email} / {user.password}  {user.name}: {names}")
        if user.default_company_overrides_picker and user.default_company_id in state.companies:
            trap = gettext(
                "the default-company trap: Visma skips the company picker and binds the grant "
                "to %(company)s; fix: %(url)s (remove the star)"
            )
            lines.append(
                "    "
                + trap
                % {
                    "company": state.companies[user.default_company_id].name,
                    "url": f"{visma_url}/settings/default-company",
                }
            )
    lines.append(gettext("What each Visma company shows:"))
    for company in state.companies.values():
        lines.append(f"  {company.name}: {_case(company, visma_url)}")
        lines += [
            "    "
            + gettext("a run to import on its company page: %(path)s") % {"path": run.path}
            + (
                " ("
                + gettext("refused: %(problems)s") % {"problems": "; ".join(run.problems)}
                + ")"
                if run.problems
                else ""
            )
            for run in to_try
            if run.company.key == company.key
        ]
    mails = gettext("the mails the demo sends: %(url)s (files in %(dir)s)")
    lines.append(
        "  " + mails % {"url": f"{web}notifications/demo-mail/", "dir": data_dir / MAIL_DIR}
    )
    lines.append("  " + gettext("data: %(dir)s   Ctrl-C stops") % {"dir": data_dir})
    return lines


def _case(company: Company, visma_url: str) -> str:
    """The case a seeded Visma company demonstrates, in one line."""
    years = sorted(year.start.year for year in company.fiscal_years.values())
    if not company.api_module_enabled:
        settings = f"{visma_url}/_emulator/companies/{company.key}/settings"
        switch_on = (
            f"curl -X PUT {settings} -H 'content-type: application/json' "
            """-d '{"api_module_enabled": true}'"""
        )
        return gettext(
            "the API module is off: authorizing it fails with the explanation; switch it on "
            "with: %(command)s"
        ) % {"command": switch_on}
    if company.accounting_locked_to is not None:
        return gettext(
            "locked up to %(date)s: the regular runs fail the lock-date check; the off-cycle "
            "run can be sent"
        ) % {"date": company.accounting_locked_to.isoformat()}
    if len(years) == 1:
        return gettext(
            "only the fiscal year %(year)s: its next run (January %(next)s) fails the "
            "fiscal-year check, which offers Create fiscal year"
        ) % {"year": years[0], "next": years[0] + 1}
    return gettext("everything in order: every run can be checked and sent")
