"""Invariant 4 under a real race: two OS processes, each with Django and a Visma client for
the same account, call the API back to back for 5 s against the emulator on loopback, whose
access tokens live 2 s (a refresh round every second: about five). Refresh tokens rotate and are
single use (a reuse revokes the grant), so every refresh both processes want at the same
moment must happen once, through the account's lease row. Runs on SQLite and, through
``test_postgres.py``, on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from payjournal.emulator import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    Emulator,
    EmulatorConfig,
    create_app,
    emulator_of,
)
from payjournal.emulator.server import run_in_thread
from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.integrations.tokenstore import DatabaseTokenStore
from payjournal.tenancy.models import Master
from tests.fixtures.books import connect_account
from tests.waiting import PATIENCE_S, start_together

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TOKEN_LIFETIME_S = 2
CALLING_S = 5.0
#: Refresh when less than 1 s is left: both processes reach that point within milliseconds.
MARGIN_S = 1.0


@pytest.fixture
def short_lived_tokens() -> Iterator[tuple[str, Emulator]]:
    """The emulator on loopback: 2-second access tokens, no throttle (not the subject)."""
    config = EmulatorConfig(
        access_token_lifetime_s=TOKEN_LIFETIME_S,
        rate_limit_per_minute=10_000_000,
        request_log_size=1_000_000,
    )
    app = create_app(config, seed="demo")
    with run_in_thread(app, host="127.0.0.1", port=0) as url:
        yield url, emulator_of(app)


def database_url() -> str:
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def start_caller(tmp_path: Path, url: str, account_id: int, n: int) -> subprocess.Popen[str]:
    env = dict(
        os.environ,
        PAYJOURNAL_DATA_DIR=str(tmp_path),
        PAYJOURNAL_DATABASE_URL=database_url(),
        PAYJOURNAL_SECRET_KEY=django_settings.SECRET_KEY,
        PAYJOURNAL_VISMA_IDENTITY_URL=url,
        PAYJOURNAL_VISMA_API_URL=f"{url}/v2/",
        PAYJOURNAL_VISMA_CLIENT_ID=DEMO_CLIENT_ID,
        PAYJOURNAL_VISMA_CLIENT_SECRET=DEMO_CLIENT_SECRET,
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    args = [str(account_id), str(CALLING_S), str(MARGIN_S)]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.sending.refresh_worker", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=(tmp_path / f"caller-{n}.log").open("w"),
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_two_processes_refreshing_one_account_never_reuse_a_refresh_token(
    tmp_path: Path, short_lived_tokens: tuple[str, Emulator]
) -> None:
    url, emu = short_lived_tokens
    account = connect_account(emu, Master.objects.create(name="Race Co"), "nl-bakkerij")
    callers = [start_caller(tmp_path, url, account.pk, n) for n in (1, 2)]
    try:
        start_together(callers)
        outputs = [caller.communicate(timeout=CALLING_S + PATIENCE_S)[0] for caller in callers]
    finally:
        for caller in callers:
            caller.kill()
    logs = " | ".join((tmp_path / f"caller-{n}.log").read_text()[-1500:] for n in (1, 2))
    assert all(caller.returncode == 0 for caller in callers), logs
    summaries = [json.loads(out.strip().splitlines()[-1]) for out in outputs]

    # Nothing surfaced: no invalid_grant, no 401, no error of any kind, in either process.
    assert [s["errors"] for s in summaries] == [{}, {}], summaries
    assert all(s["calls"] > 0 for s in summaries), summaries
    # every API call of both processes was held to Visma's spec by the emulator
    assert emu.spec_check is not None
    assert emu.spec_check.checked >= sum(s["calls"] for s in summaries) > 0
    assert emu.spec_check.problems == []
    # The emulator refused no token request, saw no reuse, revoked nothing, answered no 401.
    events = list(emu.state.token_events)
    assert [e for e in events if e.kind != "issued"] == []
    assert [r for r in emu.requests if r.status == 401] == []
    refreshes = [e for e in events if e.grant_type == "refresh_token"]
    # Several rounds, each fought over: both processes asked for more refreshes than happened,
    # and the refreshes spent are exactly those the emulator issued.
    assert len(refreshes) >= CALLING_S // TOKEN_LIFETIME_S, summaries
    assert sum(s["spent"] for s in summaries) == len(refreshes)
    assert sum(s["asked"] for s in summaries) > len(refreshes), summaries
    assert all(s["asked"] > 0 for s in summaries), summaries
    # The account is still authorized and holds the newest pair of its grant.
    account = VismaAccount.objects.get(pk=account.pk)
    assert account.status == AccountStatus.AUTHORIZED
    assert account.refresh_lease_owner == ""
    stored = DatabaseTokenStore(account.pk).load()
    assert stored is not None
    unused = [t for t in emu.state.refresh_tokens.values() if t.used_at is None]
    assert [t.token for t in unused] == [stored.refresh_token]
    newest = max(emu.state.access_tokens.values(), key=lambda t: t.expires_at)
    assert stored.access_token == newest.token
