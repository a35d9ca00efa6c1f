"""``payjournal.site.sqlite``: the threads of one process take turns on a per-database lock for
their ``BEGIN IMMEDIATE`` transactions.

Proven here: a transaction holds the lock until it commits; many threads writing at once all
finish with every row stored; the lock is given back after a rollback caused by an exception
inside ``atomic()`` and after the connection is closed mid-transaction, so another thread's
next transaction does not wait out the connection's timeout (20 s in the settings). The waits
below are bounded only so that a leaked lock fails the test instead of stalling it.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections, transaction

from payjournal.site.sqlite.base import DatabaseWrapper
from payjournal.sqlite_writers import turn_of
from tests.site.database_files import database_bytes

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend only"),
]
#: Far below the connection's 20 s lock timeout, far above what one small write takes.
LEAK_BOUND_S = 10.0


def write_lock() -> threading.Lock:
    return turn_of(str(connection.settings_dict["NAME"]))


@pytest.fixture(autouse=True)
def _no_leaked_lock(transactional_db: None) -> Iterator[None]:
    """A lock a broken test leaked is given back before the database is flushed (else every
    later transaction of the session waits out the timeout), and fails that test."""
    yield
    if write_lock().locked():
        write_lock().release()
        pytest.fail("the write lock was still held after the test")


def in_thread(
    work: Callable[[], None],
) -> tuple[threading.Thread, threading.Event, list[BaseException]]:
    """Run ``work`` in a new thread with its own connection (closed at its end)."""
    done, errors = threading.Event(), []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, done, errors


def finishes(work: Callable[[], None]) -> None:
    """``work`` in another thread completes (and raises nothing) well within the lock timeout."""
    thread, done, errors = in_thread(work)
    assert done.wait(LEAK_BOUND_S), "the write lock was not released"
    thread.join()
    assert errors == []


def add_group(name: str) -> None:
    with transaction.atomic():
        Group.objects.create(name=name)


def test_the_backend_is_in_use_and_a_transaction_holds_the_lock_until_commit() -> None:
    assert isinstance(connections["default"], DatabaseWrapper)
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with transaction.atomic():
        Group.objects.create(name="inside")
        assert write_lock().locked()
    assert not write_lock().locked()


def test_many_threads_writing_at_once_all_finish_with_every_row() -> None:
    threads, per_thread = 12, 5
    start = threading.Barrier(threads)

    def writer(n: int) -> Callable[[], None]:
        def work() -> None:
            start.wait()
            for i in range(per_thread):
                add_group(f"g-{n}-{i}")

        return work

    started = [in_thread(writer(n)) for n in range(threads)]
    for thread, done, errors in started:
        assert done.wait(LEAK_BOUND_S * 3), "a writer never finished"
        thread.join()
        assert errors == []
    assert Group.objects.count() == threads * per_thread
    assert not write_lock().locked()


class PayrollError(Exception):
    pass


def test_an_exception_inside_atomic_rolls_back_and_gives_the_lock_back() -> None:
    rolled_back, checked = threading.Event(), threading.Event()

    def fails() -> None:
        try:
            with transaction.atomic():
                Group.objects.create(name="rolled back")
                raise PayrollError
        except PayrollError:
            rolled_back.set()
        # keep the connection open: only the rollback can have given the lock back
        checked.wait(LEAK_BOUND_S * 3)

    thread, _done, errors = in_thread(fails)
    try:
        assert rolled_back.wait(LEAK_BOUND_S), "the exception did not leave atomic()"
        assert not write_lock().locked()
        finishes(lambda: add_group("after the rollback"))
    finally:
        checked.set()
        thread.join()
    assert errors == []
    assert list(Group.objects.values_list("name", flat=True)) == ["after the rollback"]


def test_closing_the_connection_mid_transaction_gives_the_lock_back() -> None:
    def closes() -> None:
        with transaction.atomic():
            Group.objects.create(name="never committed")
            connection.close()
        assert connection.connection is None  # the thread's last close() has nothing to do

    finishes(closes)
    assert not write_lock().locked()
    finishes(lambda: add_group("after the close"))
    assert list(Group.objects.values_list("name", flat=True)) == ["after the close"]


def test_reading_the_database_files_leaves_the_connections_locks_alone() -> None:
    """A test that looks for secrets in the database's bytes (``database_bytes``) does not drop
    SQLite's locks: another process that opens and closes the database afterwards still sees
    this process's connection and leaves the ``-shm`` it maps in place."""
    name = str(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM auth_group")
    assert database_bytes().startswith(b"SQLite format 3")
    look = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
        " c.execute('SELECT count(*) FROM sqlite_master').fetchall(); c.close()"
    )
    subprocess.run([sys.executable, "-c", look, name], check=True)
    assert Path(f"{name}-shm").exists(), "another process took this one's connection for gone"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM auth_group")
