"""Fixtures of the sending tests: the emulator in-process (its sync transport enforces read
timeouts and turns commit-then-drop into a dropped connection), a master with the sample
companies mapped to authorized Visma accounts holding minted tokens, and imported runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.cache import caches

from payjournal.emulator import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    Emulator,
    create_app,
    emulator_of,
    stable_id,
)
from payjournal.emulator.transport import EmulatorTransport
from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.integrations.tokenstore import DatabaseTokenStore
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.payroll.services import create_company, map_company
from payjournal.sending import workflows
from payjournal.sending.services import import_run
from payjournal.tenancy.models import Master, Role
from payjournal.tenancy.users import create_user
from payjournal.visma import TokenSet
from tests.emulator.spec import ConformingTransport
from tests.wiring import rewired

BASE = "http://visma.test"
EMAILS = {"nl-bakkerij": "anna@bakkerij.example", "se-nordisk": "erik@nordisk.example"}


@pytest.fixture(scope="session")
def emulator_app() -> Any:
    return create_app(seed="demo")


@pytest.fixture
def emu(emulator_app: Any) -> Iterator[Emulator]:
    emulator = emulator_of(emulator_app)
    emulator.reseed("demo")
    emulator.faults.clear()
    yield emulator
    emulator.faults.clear()


@pytest.fixture
def emulator_transport(emulator_app: Any) -> Iterator[ConformingTransport]:
    """The in-process emulator as a transport; every exchange of the sending tests is held to
    Visma's vendored spec as well."""
    transport = ConformingTransport(EmulatorTransport(emulator_app))
    yield transport
    transport.close()


@pytest.fixture
def visma(
    settings: Any, emu: Emulator, emulator_transport: ConformingTransport
) -> Iterator[Emulator]:
    """The app's Visma settings and the process's wiring pointed at the in-process emulator."""
    settings.VISMA_IDENTITY_URL = BASE
    settings.VISMA_API_URL = f"{BASE}/v2/"
    settings.VISMA_CLIENT_ID = DEMO_CLIENT_ID
    settings.VISMA_CLIENT_SECRET = DEMO_CLIENT_SECRET
    settings.PAYJOURNAL_VISMA_TIMEOUT_S = 0.5
    settings.PAYJOURNAL_VISMA_PER_MINUTE = 6000
    caches["default"].clear()  # the pre-flight's day-long reads (the database cache)
    with rewired(emulator_transport):
        yield emu
    caches["default"].clear()


def connect_account(
    emu: Emulator, master: Master, key: str, name: str | None = None
) -> VismaAccount:
    """An authorized account for the emulator company ``key``, tokens minted without a browser."""
    company_id = stable_id("company", key)
    answer = emu.tokens.mint(
        DEMO_CLIENT_ID,
        EMAILS[key],
        company_id,
        ["ea:api", "offline_access", "ea:accounting", "ea:sales_readonly"],
    )
    account = VismaAccount.objects.create(master=master, name=name or f"Visma {key}")
    DatabaseTokenStore(account.pk).save(
        TokenSet(
            access_token=str(answer["access_token"]),
            refresh_token=str(answer["refresh_token"]),
            expires_at=datetime.now(UTC) + timedelta(seconds=int(str(answer["expires_in"]))),
            scope=str(answer.get("scope", "")),
        )
    )
    VismaAccount.objects.filter(pk=account.pk).update(
        status=AccountStatus.AUTHORIZED,
        visma_company_id=str(company_id),
        visma_company_name=key,
    )
    account.refresh_from_db()
    return account


@dataclass
class Books:
    master: Master
    bakkerij: PayrollCompany
    nordisk: PayrollCompany

    def runs(self, company: PayrollCompany) -> list[PayrollRun]:
        return list(PayrollRun.objects.filter(company=company).order_by("run_id", "version"))


def sample_company(master: Master, key: str) -> PayrollCompany:
    folder = samples_dir() / key
    scheme = next(folder.glob("scheme.*"))
    company = create_company(master, key, key, scheme.read_bytes(), scheme.name)
    return company


def import_samples(company: PayrollCompany) -> list[PayrollRun]:
    folder = samples_dir() / company.key
    return [import_run(company, f.read_bytes(), f.name).run for f in sorted(folder.glob("run-*"))]


@pytest.fixture
def books(db: None, visma: Emulator) -> Books:
    """A master with both sample companies mapped to authorized accounts, runs imported."""
    admin = create_user(
        "sender", "correct horse battery", master_name="Send Co", role=Role.MASTER_ADMIN
    )
    master = admin.master
    bakkerij = sample_company(master, "nl-bakkerij")
    nordisk = sample_company(master, "se-nordisk")
    map_company(bakkerij, connect_account(visma, master, "nl-bakkerij"))
    map_company(nordisk, connect_account(visma, master, "se-nordisk"))
    import_samples(bakkerij)
    import_samples(nordisk)
    return Books(master, bakkerij, nordisk)


@pytest.fixture
def executor(tmp_path: Path, settings: Any) -> Iterator[None]:
    """A DBOS executor in this process (SQLite system DB, or a throw-away PostgreSQL one)."""
    from django.db import connection as db

    url = (
        f"sqlite:///{tmp_path / 'dbos.sqlite'}"
        if db.vendor == "sqlite"
        else settings.PAYJOURNAL_TEST_DBOS_URL
    )
    workflows.start(url, executor_id="test-0", worker_concurrency=8)
    yield
    workflows.stop()
    if url.startswith("postgresql://"):
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True
        ) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
