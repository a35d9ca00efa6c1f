"""A ``payjournal worker`` killed with SIGKILL while its POST is under way (Visma committed the
voucher, the answer never came) and restarted with the same executor id: DBOS recovers the
workflow, the step finds the submission ``sending``, reads the vouchers back and marks it
sent. Exactly one voucher. Real processes, real HTTP (the emulator on loopback)."""

from __future__ import annotations

import os
import signal
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
    FaultPlan,
    create_app,
    emulator_of,
)
from payjournal.emulator.server import run_in_thread
from payjournal.payroll.models import PayrollRun
from payjournal.payroll.services import map_company
from payjournal.sending.models import Submission
from payjournal.sending.services import request_send
from payjournal.tenancy.models import Master
from tests.fixtures.books import connect_account, import_samples, sample_company
from tests.waiting import PATIENCE_S, assert_running, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="one database is enough here"),
]


@pytest.fixture
def loopback() -> Iterator[tuple[str, Emulator]]:
    app = create_app(seed="demo")
    with run_in_thread(app, host="127.0.0.1", port=0) as url:
        yield url, emulator_of(app)


def start_worker(tmp_path: Path, url: str, log: Path) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        PAYJOURNAL_DATA_DIR=str(tmp_path),
        PAYJOURNAL_DATABASE_URL=f"sqlite:///{connection.settings_dict['NAME']}",
        PAYJOURNAL_DBOS_URL=f"sqlite:///{tmp_path / 'dbos.sqlite'}",
        PAYJOURNAL_SECRET_KEY=django_settings.SECRET_KEY,
        PAYJOURNAL_VISMA_IDENTITY_URL=url,
        PAYJOURNAL_VISMA_API_URL=f"{url}/v2/",
        PAYJOURNAL_VISMA_CLIENT_ID=DEMO_CLIENT_ID,
        PAYJOURNAL_VISMA_CLIENT_SECRET=DEMO_CLIENT_SECRET,
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "payjournal"), "worker", "--executor-id", "worker-0"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_and_restarted_leaves_one_voucher(
    tmp_path: Path, loopback: tuple[str, Emulator]
) -> None:
    url, emu = loopback
    master = Master.objects.create(name="Kill Co")
    company = sample_company(master, "nl-bakkerij")
    map_company(company, connect_account(emu, master, "nl-bakkerij"))
    import_samples(company)
    run = PayrollRun.objects.filter(company=company).first()
    assert run is not None
    submission = request_send(run)  # no executor in this process: the worker's sweep finds it
    books = emu.state.company("nl-bakkerij")
    assert books is not None
    before = len(books.vouchers)
    # The voucher is stored at once; the answer comes much later (never, for this worker).
    emu.faults.set(
        FaultPlan(
            timeout_next=1,
            timeout_delay_s=PATIENCE_S,
            timeout_commits=True,
            endpoints=["POST /v2/vouchers"],
        )
    )
    log = tmp_path / "worker.log"
    worker = start_worker(tmp_path, url, log)
    try:

        def committed() -> bool:
            assert_running(worker, lambda: log.read_text()[-3000:])
            return len(books.vouchers) == before + 1

        wait_until(committed, "the POST to be committed")
        submission.refresh_from_db()
        assert submission.state == "sending"
        worker.send_signal(signal.SIGKILL)
        worker.wait(PATIENCE_S)
        emu.faults.clear()
        worker = start_worker(tmp_path, url, log)

        def finished() -> bool:
            assert_running(worker, lambda: log.read_text()[-3000:])
            submission.refresh_from_db()
            return submission.state in ("sent", "needs_action")

        wait_until(finished, lambda: f"the restarted worker to finish: {log.read_text()[-3000:]}")
    finally:
        worker.kill()
        worker.wait(PATIENCE_S)
    assert submission.state == "sent", log.read_text()[-3000:]
    assert len(books.vouchers) == before + 1
    assert [v for v in books.vouchers.values() if submission.marker in v.text]
    events = list(Submission.objects.get().attempts.values_list("event", flat=True))
    assert events == ["claimed", "claimed", "found_by_marker"]
    # the workers' exchanges were held to Visma's spec by the emulator (tests/conftest.py):
    # the pre-flight's reads and the restarted worker's search for the voucher by its marker
    assert emu.spec_check is not None
    assert {("get", "/v2/fiscalyears"), ("get", "/v2/vouchers")} <= emu.spec_check.seen
    assert emu.spec_check.problems == []
