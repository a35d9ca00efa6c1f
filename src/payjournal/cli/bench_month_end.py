"""``payjournal bench month-end``: many companies, one run each, sent through the embedded DBOS
executor to the emulator on loopback; prints the wall time as a ratio of the rate-limit bound,
API calls per voucher, 429s surfaced as failures, and duplicates."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import typer

# The emulator's limit is per endpoint; POST /v2/vouchers is the bound for one voucher each.


def month_end(
    companies: int = typer.Option(1000, help="Payroll companies, one run each."),
    per_minute: int = typer.Option(6000, help="Rate limit per endpoint (emulator and ours)."),
    latency_ms: int = typer.Option(50, help="Latency the emulator adds to every request."),
    concurrency: int = typer.Option(32, help="Send workflows in flight in this process."),
) -> None:
    """Send one journal for each of ``companies`` companies and print the figures."""
    from payjournal.config import Settings
    from payjournal.emulator import (
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        EmulatorConfig,
        FaultPlan,
        create_app,
        emulator_of,
    )
    from payjournal.emulator.server import run_in_thread
    from payjournal.site.bootstrap import start_django

    emulator_app = create_app(
        EmulatorConfig(rate_limit_per_minute=per_minute, request_log_size=companies * 10 + 1000),
        seed="demo",
    )
    emulator = emulator_of(emulator_app)
    with tempfile.TemporaryDirectory() as workdir, run_in_thread(emulator_app) as url:
        data_dir = Path(workdir)
        start_django(
            Settings(
                data_dir=data_dir,
                secure_cookies=False,
                visma_identity_url=url,
                visma_api_url=f"{url}/v2/",
                visma_client_id=DEMO_CLIENT_ID,
                visma_client_secret=DEMO_CLIENT_SECRET,
            ),
            migrate=True,
        )
        from django.conf import settings

        from payjournal.jobs import dbos as dbos_jobs
        from payjournal.sending.models import Submission
        from payjournal.sending.services import request_send_many

        settings.PAYJOURNAL_VISMA_PER_MINUTE = per_minute
        typer.echo(f"setting up {companies} companies with one run each …")
        runs = _setup(emulator, companies)
        dbos_jobs.start(
            f"sqlite:///{data_dir / 'dbos.sqlite'}",
            per_minute=per_minute,
            worker_concurrency=concurrency,
        )
        try:
            emulator.requests.clear()
            emulator.faults.set(FaultPlan(latency_ms=latency_ms))
            started = time.monotonic()
            request_send_many(runs)
            while Submission.objects.exclude(state__in=["sent", "needs_action"]).exists():
                time.sleep(0.2)
            wall = time.monotonic() - started
        finally:
            dbos_jobs.stop()
        sent = Submission.objects.filter(state="sent").count()
        failed = Submission.objects.filter(state="needs_action").count()
        calls = [r for r in emulator.requests if r.path.startswith("/v2/")]
        throttled = sum(1 for r in calls if r.status == 429)
        company = emulator.state.company("nl-bakkerij")
        assert company is not None
        markers = [
            v.text[v.text.index("[pj:") :] for v in company.vouchers.values() if "[pj:" in v.text
        ]
        duplicates = len(markers) - len(set(markers))
        bound = companies / per_minute * 60
        by_endpoint: dict[str, int] = {}
        for record in calls:
            by_endpoint[record.endpoint] = by_endpoint.get(record.endpoint, 0) + 1
        typer.echo(
            f"journals sent         {sent} / {companies}  (needs action: {failed})\n"
            f"wall time             {wall:.2f} s\n"
            f"rate-limit bound      {bound:.2f} s  ({per_minute}/min per endpoint, latency {latency_ms} ms)\n"
            f"ratio to the bound    {wall / bound:.3f}  (target <= 1.15)\n"
            f"API calls per voucher {len(calls) / max(sent, 1):.2f}  (target <= 1.2)  {by_endpoint}\n"
            f"429s seen by Visma    {throttled}; surfaced as failures: {failed}  (target 0)\n"
            f"duplicates            {duplicates}  (target 0)"
        )


def _setup(emulator: object, companies: int) -> list[object]:
    """A master, ``companies`` payroll companies on the bakkerij scheme, each with its own
    authorized account (tokens minted at the emulator) and one imported run."""
    from datetime import UTC, datetime, timedelta

    from payjournal.emulator import DEMO_CLIENT_ID, stable_id
    from payjournal.integrations.models import AccountStatus, VismaAccount
    from payjournal.integrations.tokenstore import DatabaseTokenStore
    from payjournal.payroll.samples import samples_dir
    from payjournal.payroll.services import create_company, import_run, map_company
    from payjournal.tenancy.models import Master
    from payjournal.visma import TokenSet

    master = Master.objects.create(name="Month-end bench")
    folder = samples_dir() / "nl-bakkerij"
    scheme = next(folder.glob("scheme.*"))
    template = json.loads((folder / "run-2026-09.json").read_text())
    company_id = stable_id("company", "nl-bakkerij")
    scopes = ["ea:api", "offline_access", "ea:accounting", "ea:sales_readonly"]
    runs = []
    for number in range(companies):
        key = f"bench-{number:05d}"
        company = create_company(master, key, key, scheme.read_bytes(), scheme.name)
        answer = emulator.tokens.mint(DEMO_CLIENT_ID, "anna@bakkerij.example", company_id, scopes)  # type: ignore[attr-defined]
        account = VismaAccount.objects.create(master=master, name=key)
        DatabaseTokenStore(account.pk).save(
            TokenSet(
                str(answer["access_token"]),
                str(answer["refresh_token"]),
                datetime.now(UTC) + timedelta(seconds=int(answer["expires_in"])),
            )
        )
        VismaAccount.objects.filter(pk=account.pk).update(
            status=AccountStatus.AUTHORIZED, visma_company_id=str(company_id)
        )
        account.refresh_from_db()
        map_company(company, account)
        data = dict(template, company=key, run_id="2026-09")
        runs.append(import_run(company, json.dumps(data).encode(), f"{key}.json").run)
    return runs
