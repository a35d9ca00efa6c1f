"""``payjournal emulator`` as a person runs it: prints credentials, serves, saves on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx2

from payjournal.emulator import loopback
from payjournal.emulator.persistence import load_state
from tests.waiting import PATIENCE_S


def wait_until_up(base: str, process: subprocess.Popen[str]) -> None:
    """Until the emulator ``process`` serves at ``base`` (at once an error if it exited)."""

    def exited() -> str | None:
        return None if process.poll() is None else str(process.communicate())

    loopback.wait_until_up(f"{base}/_emulator/state", timeout_s=PATIENCE_S, exited=exited)


def test_serves_prints_credentials_and_saves_state(tmp_path: Path) -> None:
    port, state = loopback.free_port(), tmp_path / "visma.json"
    command = [
        str(Path(sys.executable).parent / "payjournal"),
        "emulator",
        "--port",
        str(port),
        "--state",
        str(state),
        "--seed",
        "demo",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        httpx2.put(
            f"{base}/_emulator/companies/se-nordisk/settings",
            json={"accounting_locked_to": "2026-06-30"},
        )
    finally:
        process.send_signal(signal.SIGINT)
        out, _err = process.communicate(timeout=PATIENCE_S)
    assert f"{base}/connect/authorize" in out
    assert "client_id=payjournal-demo  client_secret=demo-secret" in out
    assert "anna@bakkerij.example / anna-demo" in out
    assert "(API module off)" in out
    saved = load_state(state).company("se-nordisk")
    assert saved is not None
    assert str(saved.accounting_locked_to) == "2026-06-30"
