"""Waiting for an emulator served by another process: a free port, then poll until it answers;
a server that exited is reported at once with why, one that never answers after the timeout."""

from __future__ import annotations

import socket

import pytest

from payjournal.emulator import create_app
from payjournal.emulator.loopback import free_port, wait_until_up
from payjournal.emulator.server import run_in_thread


def test_a_free_port_can_be_bound() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_waiting_returns_once_the_emulator_answers() -> None:
    with run_in_thread(create_app()) as base:
        wait_until_up(f"{base}/_emulator/state", timeout_s=10.0)


def test_a_server_that_exited_is_reported_at_once_with_why() -> None:
    url = f"http://127.0.0.1:{free_port()}/_emulator/state"
    with pytest.raises(RuntimeError, match="exited: exit code 3: boom"):
        wait_until_up(url, timeout_s=60.0, exited=lambda: "exit code 3: boom")


def test_a_server_that_never_answers_times_out() -> None:
    url = f"http://127.0.0.1:{free_port()}/_emulator/state"
    with pytest.raises(RuntimeError, match="did not answer"):
        wait_until_up(url, timeout_s=0.3)
