"""The emulator on its own: ``visma-emulator`` (the entry point) and ``python -m
payjournal.emulator`` serve it without Django, Typer or any other part of payjournal."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx2

from payjournal.emulator import spec as official
from payjournal.emulator.config import CHECK_SPEC_ENV, SPEC_REPORT_ENV
from tests.emulator.test_cli import wait_until_up
from tests.waiting import PATIENCE_S


def free_port_in_range(first: int = 18900, last: int = 18999) -> int:
    """A free loopback port from the range these tests may use, tried from a random start so
    that parallel workers rarely race for the same one."""
    ports = list(range(first, last + 1))
    start = random.randrange(len(ports))  # spreading ports, not a secret
    for port in ports[start:] + ports[:start]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError(f"no free port in {first}-{last}")


def test_visma_emulator_serves_with_behaviours_chosen_on_the_command_line() -> None:
    port = free_port_in_range(18950, 18999)  # the browser test's emulators use 18900-18949
    command = [
        str(Path(sys.executable).parent / "visma-emulator"),
        "--port",
        str(port),
        "--behave",
        "fiscal_years_order=newest_first",
        "--behave",
        "empty_list_total_pages=1",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        config = httpx2.get(f"{base}/_emulator/config").json()
        spec = httpx2.get(f"{base}/swagger/docs/v2")
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=PATIENCE_S)
    assert process.returncode == 0, err
    assert config["fiscal_years_order"] == "newest_first"
    assert config["empty_list_total_pages"] == 1
    assert spec.content == official.spec_bytes()
    assert f"{base}/connect/authorize" in out
    assert "jan@fietsen.example / jan-demo" in out and "default-company trap" in out


def test_visma_emulator_checks_what_it_serves_against_the_spec(tmp_path: Path) -> None:
    """``--check-spec``: an integrator's client is served and every exchange validated (the
    suite's own switch is taken out of the child's environment to test the flag)."""
    port = free_port_in_range(18950, 18999)
    report = tmp_path / "departures.jsonl"
    env = {k: v for k, v in os.environ.items() if k not in {CHECK_SPEC_ENV, SPEC_REPORT_ENV}}
    command = [
        *(str(Path(sys.executable).parent / "visma-emulator"), "--port", str(port)),
        *("--check-spec", "--spec-report", str(report), "--log-level", "warning"),
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        token = httpx2.post(
            f"{base}/_emulator/tokens",
            json={"email": "erik@nordisk.example", "company": "se-nordisk"},
        ).json()["access_token"]
        years = httpx2.get(f"{base}/v2/fiscalyears", headers={"Authorization": f"Bearer {token}"})
        summary = httpx2.get(f"{base}/_emulator/conformance").json()
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=PATIENCE_S)
    assert process.returncode == 0, err
    assert years.status_code == 200
    assert summary == {
        "enabled": True,
        "checked": 1,
        "operations": ["GET /v2/fiscalyears"],
        "problems": [],
        "report": str(report),
    }


def test_a_wrong_behaviour_is_refused_before_serving() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "payjournal.emulator", "--behave", "fiscal_years_order=random"],
        capture_output=True,
        text=True,
        timeout=PATIENCE_S,
        check=False,
    )
    assert done.returncode == 2
    assert "fiscal_years_order must be one of" in done.stderr


def test_running_it_imports_nothing_else_of_payjournal() -> None:
    probe = (
        "import sys, payjournal.emulator.__main__, payjournal.emulator.server\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in "
        "{'django', 'typer', 'rich', 'httpx2', 'authlib'} or "
        "(n.startswith('payjournal.') and not n.startswith('payjournal.emulator')))\n"
        "print(bad)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=PATIENCE_S,
        check=True,
    )
    assert done.stdout.strip() == "[]"
