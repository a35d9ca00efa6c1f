"""``payjournal emulator`` as a person runs it: prints credentials, serves, saves on Ctrl-C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2

from payjournal.emulator.persistence import load_state


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            httpx2.get(f"{base}/_emulator/state", timeout=0.5)
            return
        except httpx2.TransportError:
            time.sleep(0.05)
    raise AssertionError("the emulator did not come up")


def test_serves_prints_credentials_and_saves_state(tmp_path: Path) -> None:
    port, state = free_port(), tmp_path / "visma.json"
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
        out, _err = process.communicate(timeout=20)
    assert f"{base}/connect/authorize" in out
    assert "client_id=payjournal-demo  client_secret=demo-secret" in out
    assert "anna@bakkerij.example / anna-demo" in out
    assert "(API module off)" in out
    saved = load_state(state).company("se-nordisk")
    assert saved is not None
    assert str(saved.accounting_locked_to) == "2026-06-30"
