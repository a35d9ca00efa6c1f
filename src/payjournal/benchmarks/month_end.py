"""The month-end benchmark's parts: an emulator in its own process, a throw-away database,
many tenants, and the figures read back from the emulator's request log.

The emulator runs as ``python -m payjournal emulator`` in a separate process, on loopback, so
the app's processes are measured the way they run against Visma: over HTTP, on their own
interpreter. Each payroll company gets its own Visma company (a copy of the demo's Bakkerij),
its own authorization and one run, so every cache is per company as in production.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2

from payjournal import cpu_budget
from payjournal.emulator.loopback import free_port, wait_until_up
from payjournal.site.affinity import CoreSetting

DEMO_USER = "anna@bakkerij.example"
SOURCE_COMPANY = "nl-bakkerij"
SCOPES = "ea:api offline_access ea:accounting ea:sales_readonly"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
#: The run every company gets (the demo's Bakkerij run, under the company's own key).
RUN_FILE = "run-2026-09.json"
RUN_ID = "2026-09"


def cpu_seconds(pid: int) -> float:
    """User + system CPU of process ``pid`` so far (Linux ``/proc``; 0.0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class EmulatorProcess:
    url: str
    pid: int


@contextmanager
def emulator_process(per_minute: int, log_size: int) -> Iterator[EmulatorProcess]:
    """``payjournal emulator`` in a child process on a free loopback port."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "payjournal",
        "emulator",
        "--port",
        str(port),
        "--rate-limit",
        str(per_minute),
        "--request-log-size",
        str(log_size),
    ]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/_emulator/faults", exited=lambda: _exited(child))
        yield EmulatorProcess(url, child.pid)
    finally:
        child.terminate()
        child.wait(timeout=10)


def _exited(child: subprocess.Popen[bytes]) -> str | None:
    """Why ``child`` ended (its exit code and the end of its stderr), or None while it runs."""
    if child.poll() is None:
        return None
    error = child.stderr.read().decode() if child.stderr else ""
    return f"exit code {child.returncode}: {error[-2000:]}"


@contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """A fresh PostgreSQL database on 127.0.0.1:5432, dropped afterwards; yields its URL."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Emulator:
    """The emulator's control API, as the benchmark uses it."""

    def __init__(self, url: str, transport: httpx2.BaseTransport | None = None) -> None:
        self.http = httpx2.Client(base_url=url, timeout=60.0, transport=transport)

    def copy_companies(self, count: int) -> list[dict[str, str]]:
        answer = self.http.post(
            f"/_emulator/companies/{SOURCE_COMPANY}/copies",
            json={"count": count, "grant": [DEMO_USER]},
            timeout=max(60.0, count * 0.05),  # 10,000 copies take minutes on a busy machine
        )
        answer.raise_for_status()
        return list(answer.json())

    def grow_chart(self, company_key: str, seeded: Collection[int], size: int) -> int:
        """Add filler accounts to every fiscal year's chart of ``company_key``, seeded with
        the account numbers ``seeded``, until it has ``size`` (one in ten inactive, every other
        one open for cost centers, as in a real chart); returns how many were added."""
        free = (number for number in range(1000, 10_000) if number not in seeded)
        filler = [
            {
                "number": number,
                "name": f"Konto {number}",
                "is_active": index % 10 != 9,
                "cost_center_allowed": index % 2 == 0,
            }
            for index, number in zip(range(size - len(seeded)), free, strict=False)
        ]
        if not filler:
            return 0
        added = self.http.post(
            f"/_emulator/companies/{company_key}/accounts", json={"accounts": filler}
        )
        added.raise_for_status()
        return int(added.json()["added"])

    def mint(self, company_key: str) -> dict[str, Any]:
        answer = self.http.post(
            "/_emulator/tokens", json={"email": DEMO_USER, "company": company_key, "scopes": SCOPES}
        )
        answer.raise_for_status()
        return dict(answer.json())

    def set_latency(self, latency_ms: int) -> None:
        self.http.put("/_emulator/faults", json={"latency_ms": latency_ms}).raise_for_status()

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        answer = self.http.get("/_emulator/requests", params={"since": since})
        answer.raise_for_status()
        return [r for r in answer.json() if str(r["path"]).startswith("/v2/")]

    def request_count(self) -> int:
        answer = self.http.get("/_emulator/requests")
        answer.raise_for_status()
        rows = answer.json()
        return int(rows[-1]["index"]) + 1 if rows else 0

    def vouchers(self, company_key: str) -> list[dict[str, Any]]:
        """The company's vouchers in the API's shape (the control API: not in the request log)."""
        answer = self.http.get(f"/_emulator/companies/{company_key}/vouchers")
        answer.raise_for_status()
        return list(json.loads(answer.text, parse_float=Decimal))  # amounts as Decimal

    def cost_centers(self, company_key: str) -> list[dict[str, Any]]:
        """The company's cost centers with their items, in the API's shape."""
        answer = self.http.get(f"/_emulator/companies/{company_key}")
        answer.raise_for_status()
        return list(answer.json()["cost_centers"])

    def voucher_counts(self, keys: set[str]) -> dict[str, int]:
        answer = self.http.get("/_emulator/state")
        answer.raise_for_status()
        return {
            c["key"]: int(c["voucher_count"])
            for c in answer.json()["companies"]
            if c["key"] in keys
        }


@dataclass(frozen=True, slots=True)
class Calls:
    """API calls of a phase, by endpoint, with the 429s among them."""

    total: int
    by_endpoint: dict[str, int]
    throttled: int

    @classmethod
    def of(cls, rows: list[dict[str, Any]]) -> Calls:
        by_endpoint: dict[str, int] = {}
        for row in rows:
            by_endpoint[row["endpoint"]] = by_endpoint.get(row["endpoint"], 0) + 1
        return cls(len(rows), by_endpoint, sum(1 for r in rows if r["status"] == 429))


def post_timeline(rows: list[dict[str, Any]], started: datetime) -> str:
    """When the window's voucher POSTs reached the emulator, in seconds after ``started``:
    the first, the median and the last, and the rate between the 10th and 90th percentile
    (the steady state, which the rate limit bounds)."""
    times = sorted(
        (datetime.fromisoformat(str(r["at"])) - started).total_seconds()
        for r in rows
        if r["endpoint"] == "POST /v2/vouchers"
    )
    if not times:
        return "no voucher POSTs"
    low, high = times[len(times) // 10], times[len(times) * 9 // 10]
    steady = (len(times) * 8 // 10) / (high - low) if high > low else float("inf")
    return (
        f"first {times[0]:.2f} s, median {times[len(times) // 2]:.2f} s, "
        f"last {times[-1]:.2f} s; {steady:.0f}/s between the 10th and 90th percentile"
    )


def run_template() -> dict[str, Any]:
    """The run file every company imports (its ``company`` is replaced by the company's key)."""
    from payjournal.payroll.samples import samples_dir

    return dict(json.loads((samples_dir() / SOURCE_COMPANY / RUN_FILE).read_text()))


def setup_tenants(emulator: Emulator, companies: int, chart_size: int = 0) -> list[Any]:
    """A master and ``companies`` payroll companies on the Bakkerij scheme, each mapped to its
    own Visma company with its own authorization, each with one imported run. With
    ``chart_size``, each Visma company's chart has that many accounts (the seed's 18 and
    filler), like a real company's."""
    from django.db import transaction

    from payjournal.emulator.charts import DUTCH_CHART
    from payjournal.payroll.samples import samples_dir
    from payjournal.tenancy.models import Master

    master = Master.objects.create(name="Month-end bench")
    folder = samples_dir() / SOURCE_COMPANY
    scheme = next(folder.glob("scheme.*"))
    template = run_template()
    runs: list[Any] = []
    emulator.grow_chart(SOURCE_COMPANY, {account.number for account in DUTCH_CHART}, chart_size)
    copies = emulator.copy_companies(companies)
    # A transaction per hundred companies: on PostgreSQL a commit waits for its WAL flush.
    for start in range(0, len(copies), SETUP_CHUNK):
        with transaction.atomic():
            runs.extend(
                _set_up_one(emulator, master, scheme, template, copy)
                for copy in copies[start : start + SETUP_CHUNK]
            )
    return runs


#: Companies set up per transaction.
SETUP_CHUNK = 100


def _set_up_one(
    emulator: Emulator, master: Any, scheme: Path, template: dict[str, Any], copy: dict[str, str]
) -> Any:
    """One company of :func:`setup_tenants`; returns its imported run."""
    from datetime import UTC, datetime, timedelta

    from payjournal.integrations.models import AccountStatus, VismaAccount
    from payjournal.integrations.tokenstore import DatabaseTokenStore
    from payjournal.payroll.services import create_company, map_company
    from payjournal.sending.services import import_run
    from payjournal.visma import TokenSet

    key = copy["key"]
    company = create_company(master, key, key, scheme.read_bytes(), scheme.name)
    answer = emulator.mint(key)
    account = VismaAccount.objects.create(master=master, name=key)
    DatabaseTokenStore(account.pk).save(
        TokenSet(
            str(answer["access_token"]),
            str(answer["refresh_token"]),
            datetime.now(UTC) + timedelta(seconds=int(answer["expires_in"])),
        )
    )
    VismaAccount.objects.filter(pk=account.pk).update(
        status=AccountStatus.AUTHORIZED, visma_company_id=str(copy["id"])
    )
    account.refresh_from_db()
    map_company(company, account)
    data = dict(template, company=key, run_id=RUN_ID)
    return import_run(company, json.dumps(data).encode(), f"{key}.json").run


def send_automatically(runs: list[Any], mode: str) -> None:
    """Every company of ``runs`` sends automatically (a new version is booked at once) and
    books corrections in ``mode`` (``reverse_and_rebook`` or ``difference``)."""
    from payjournal.sending.models import SendingSettings

    SendingSettings.objects.bulk_create(
        [
            SendingSettings(company=run.company, send_automatically=True, correction_mode=mode)
            for run in runs
        ]
    )


def worker_environment(settings: Any) -> dict[str, str]:
    """The environment that makes ``payjournal worker`` use the benchmark's settings."""
    env = dict(os.environ)
    env.update(
        PAYJOURNAL_DATA_DIR=str(settings.data_dir),
        PAYJOURNAL_DATABASE_URL=settings.database(),
        PAYJOURNAL_VISMA_IDENTITY_URL=settings.visma_identity_url,
        PAYJOURNAL_VISMA_API_URL=settings.visma_api_url,
        PAYJOURNAL_VISMA_CLIENT_ID=settings.visma_client_id,
        PAYJOURNAL_VISMA_CLIENT_SECRET=settings.visma_client_secret.get_secret_value(),
        PAYJOURNAL_VISMA_PER_MINUTE=str(settings.visma_per_minute),
        PAYJOURNAL_WORKER_CONCURRENCY=str(settings.worker_concurrency),
        PAYJOURNAL_SECURE_COOKIES="false",
    )
    env[cpu_budget.ENVIRONMENT] = str(budget_prefix(settings.data_dir))
    return env


def budget_prefix(data_dir: Path) -> Path:
    """Where the workers write their CPU budgets (``<prefix>.<pid>.json``)."""
    return data_dir / "cpu-budget"


def worker_core(number: int) -> int:
    """The core worker ``number`` keeps its threads on with ``--cores pin``."""
    return number % (os.cpu_count() or 1)


def embedded_cores(cores: str) -> CoreSetting:
    """``PAYJOURNAL_CPU_AFFINITY`` for the benchmark's own process when it sends: ``pin`` the
    last core; ``all`` as it is; else ``auto``."""
    if cores == "pin":
        return frozenset({_last_core()})
    return "all" if cores == "all" else "auto"


def _last_core() -> int:
    """The core ``--cores pin`` holds the embedded benchmark's process on."""
    return (os.cpu_count() or 1) - 1


def cores_line(workers: int, cores: str) -> str:
    """Where the sending process(es) ran, for the report: with ``auto`` embedded, how often the
    core watch moved this process (a worker under ``auto`` leaves its threads to the OS)."""
    if cores == "pin":
        if workers:
            return ", ".join(f"worker {n} on core {worker_core(n)}" for n in range(workers))
        return f"this process on core {_last_core()} (--cores pin)"
    if cores == "all" or workers:
        return f"wherever the OS runs them (--cores {cores})"
    from payjournal.cli import sending

    watch = sending.current_core_watch()
    if watch is None:
        return "one core at a time, watched (auto): no watch on this machine"
    where = ",".join(map(str, sorted(watch.placement.cores)))
    return f"one core at a time, watched (auto): {watch.moves} moves, now on {where}"


@contextmanager
def worker_processes(
    count: int, settings: Any, log_dir: Path, *, cores: str = "auto"
) -> Iterator[list[int]]:
    """``count`` ``payjournal worker`` processes, started and ready (their banner printed);
    each with ``PAYJOURNAL_CPU_AFFINITY`` as ``cores`` says (``pin``: worker N on core N,
    :func:`worker_core`)."""
    children = []
    try:
        for number in range(count):
            env = worker_environment(settings)
            env["PAYJOURNAL_CPU_AFFINITY"] = str(worker_core(number)) if cores == "pin" else cores
            out = (log_dir / f"worker-{number}.log").open("wb")
            command = [sys.executable, "-m", "payjournal", "worker", "--executor-id"]
            children.append(
                (
                    subprocess.Popen(  # noqa: S603
                        [*command, f"bench-{number}"], stdout=out, stderr=subprocess.STDOUT, env=env
                    ),
                    log_dir / f"worker-{number}.log",
                )
            )
        for child, log in children:
            _wait_for_banner(child, log)
        yield [child.pid for child, _log in children]
    finally:
        for child, _log in children:
            child.terminate()
        for child, _log in children:
            child.wait(timeout=30)


def contention_backoffs(log_dir: Path) -> int:
    """How often DBOS in the workers backed off its polling after a serialization conflict."""
    return sum(
        log.read_text(errors="replace").count("Contention detected")
        for log in log_dir.glob("worker-*.log")
    )


def _wait_for_banner(child: subprocess.Popen[bytes], log: Path, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if "payjournal worker" in log.read_text(errors="replace"):
            return
        if child.poll() is not None:
            raise RuntimeError(f"a worker exited ({child.returncode}): {log.read_text()[-2000:]}")
        time.sleep(0.2)
    raise RuntimeError(f"a worker did not start within {timeout_s:.0f} s; see {log}")


def slowest_sends(started: datetime, count: int = 3) -> list[str]:
    """The ``count`` submissions that were sent last, each with its timeline in seconds after
    ``started`` (where a slow tail comes from: a retry, a reconcile, a late dequeue)."""
    from payjournal.sending.models import Attempt, Submission

    late = Submission.objects.filter(sent_at__isnull=False).order_by("-sent_at")[:count]
    lines = []
    for submission in late:
        steps = ", ".join(
            f"{attempt.event}@{(attempt.at - started).total_seconds():.2f}"
            + (f" ({attempt.error_code})" if attempt.error_code else "")
            for attempt in Attempt.objects.filter(submission=submission).order_by("at", "pk")
        )
        lines.append(f"{submission.company.key}: {steps}")
    return lines
