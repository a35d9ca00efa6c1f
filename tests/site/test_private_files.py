"""The data directory is its owner's alone: created 0700, and the SQLite files that hold payroll
data, encrypted tokens and sessions (app.sqlite, dbos.sqlite, their -wal and -shm) 0600.

Proven by starting the real thing (``payjournal serve`` and ``payjournal demo``, where a password
reset then writes its mail file) on a fresh data directory with the usual umask 022, and by the
helpers tightening an older install.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from payjournal.private_files import private_dir, private_sqlite
from tests.ports import free_port
from tests.waiting import PATIENCE_S, assert_running, http_status, wait_until


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def clean_env(data_dir: Path) -> dict[str, str]:
    """The environment of a person starting payjournal: none of the test suite's settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PAYJOURNAL_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env["PAYJOURNAL_DATA_DIR"] = str(data_dir)
    env["PAYJOURNAL_DEMO_DIR"] = str(data_dir)
    return env


def loose_files(data_dir: Path) -> dict[str, str]:
    """Every file under the data directory that its group or others may touch, with its mode."""
    return {
        str(p.relative_to(data_dir)): oct(mode(p))
        for p in data_dir.rglob("*")
        if p.is_file() and mode(p) & 0o077
    }


def ask_password_reset(base: str, email: str) -> None:
    with httpx2.Client(base_url=base, timeout=PATIENCE_S) as http:
        form = http.get("/password-reset/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        assert token is not None, form.text
        answer = http.post(
            "/password-reset/", data={"csrfmiddlewaretoken": token.group(1), "email": email}
        )
        assert answer.status_code == 302, answer.text


def wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until ``url`` answers 200: after migrations, the DBOS launch and (demo) the samples."""

    def serving() -> bool:
        assert_running(process, lambda: log.read_text()[-3000:])
        return http_status(url) == 200

    wait_until(serving, lambda: f"{url} to answer: {log.read_text()[-3000:]}", poll_s=0.2)


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_a_fresh_data_directory_is_private(tmp_path: Path, command: str) -> None:
    data_dir, port, log = tmp_path / "fresh" / "payjournal", free_port(), tmp_path / "out.log"
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "payjournal"), command, "--port", str(port)],
        env=clean_env(data_dir),
        cwd=tmp_path,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        umask=0o022,
    )
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/login/", process, log)
        if command == "demo":  # the demo keeps reset mails as files: those are private too
            ask_password_reset(f"http://127.0.0.1:{port}", "admin@demo.example")
            assert len(list((data_dir / "mail").iterdir())) == 1
        assert mode(data_dir) == 0o700
        databases = sorted(p.name for p in data_dir.glob("*.sqlite*"))
        assert {"app.sqlite", "app.sqlite-wal", "dbos.sqlite", "dbos.sqlite-wal"} <= set(
            databases
        ), databases
        assert loose_files(data_dir) == {}
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C: the demo saves its emulator state
        try:
            process.wait(PATIENCE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(PATIENCE_S)
    assert loose_files(data_dir) == {}


def test_an_older_install_is_tightened(tmp_path: Path) -> None:
    data_dir = tmp_path / "old"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    for name in ("app.sqlite", "app.sqlite-wal", "app.sqlite-shm"):
        (data_dir / name).write_bytes(b"")
        (data_dir / name).chmod(0o644)
    private_dir(data_dir)
    private_sqlite(data_dir / "app.sqlite")
    assert mode(data_dir) == 0o700
    assert {p.name: mode(p) for p in data_dir.iterdir()} == dict.fromkeys(
        ("app.sqlite", "app.sqlite-wal", "app.sqlite-shm"), 0o600
    )


def test_a_new_database_file_is_created_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        private_sqlite(tmp_path / "new.sqlite")
    finally:
        os.umask(old)
    assert mode(tmp_path / "new.sqlite") == 0o600
    assert (tmp_path / "new.sqlite").stat().st_size == 0  # SQLite takes an empty file as new


@pytest.mark.django_db
def test_the_app_database_is_created_private_whatever_the_umask() -> None:
    """This very test database was made by payjournal's SQLite backend under umask 022."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backend only")
    name = Path(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert {p.name: mode(p) for p in name.parent.glob(name.name + "*")} == dict.fromkeys(
        (name.name, f"{name.name}-wal", f"{name.name}-shm"), 0o600
    )


def test_the_dbos_database_is_created_private_whatever_the_umask(tmp_path: Path) -> None:
    from payjournal.jobs.dbos import sqlite_engine

    old = os.umask(0o022)
    try:
        engine = sqlite_engine(f"sqlite:///{tmp_path / 'dbos.sqlite'}")
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x)")
            connection.commit()
            files = {p.name: mode(p) for p in tmp_path.iterdir()}
        engine.dispose()
    finally:
        os.umask(old)
    assert files == dict.fromkeys(("dbos.sqlite", "dbos.sqlite-wal", "dbos.sqlite-shm"), 0o600)


def umask_of(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^Umask:\s*([0-7]+)$", status, re.MULTILINE).group(1), 8)  # type: ignore[union-attr]


def wait_for_line(log: Path, text: str, process: subprocess.Popen[bytes]) -> None:
    def printed() -> bool:
        if text in log.read_text():
            return True
        assert_running(process, lambda: log.read_text()[-3000:])
        return False

    wait_until(printed, lambda: f"{text!r}: {log.read_text()[-3000:]}", poll_s=0.2)


@pytest.mark.parametrize("command", ["web", "worker"])
def test_the_scaled_processes_are_private_and_say_how_passwords_are_reset(
    tmp_path: Path, command: str
) -> None:
    """`payjournal web` and `payjournal worker` run with umask 077 like serve, so whatever they
    write (reset mails as files, an SQLite file another library makes) is their owner's alone,
    and say at start whether password reset by e-mail is on."""
    data_dir, log = tmp_path / "fresh" / "payjournal", tmp_path / "out.log"
    args = ["--port", str(free_port())] if command == "web" else ["--executor-id", "worker-0"]
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "payjournal"), command, *args],
        env=clean_env(data_dir),
        cwd=tmp_path,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        umask=0o022,
    )
    try:
        wait_for_line(log, "Password reset by e-mail is off", process)
        assert umask_of(process.pid) == 0o077
        assert mode(data_dir) == 0o700
        assert loose_files(data_dir) == {}
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(PATIENCE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(PATIENCE_S)
