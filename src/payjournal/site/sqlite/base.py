"""Django's SQLite backend, with the threads of one process queueing for the write lock.

The embedded database runs ``BEGIN IMMEDIATE`` transactions (the write lock is taken at the
start, so two writers never deadlock half-way). When several threads of one process want it
at once, SQLite's busy handler makes the losers sleep and retry, with sleeps that grow to
25–100 ms: at month-end, with dozens of send threads, most of the wall time went to those
sleeps. Here a thread first takes a per-database lock of the process (woken the moment the
holder commits), then SQLite's lock, which only another process can still hold. Waiting for
the process lock is bounded by the connection's ``timeout``, after which SQLite's own busy
handling takes over as before.

A new connection first makes the database file its owner's alone (0600, see
:mod:`payjournal.private_files`): it holds payroll data, encrypted tokens and sessions.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from django.db.backends.sqlite3 import base

from payjournal.private_files import private_sqlite
from payjournal.sqlite_writers import turn_of


class DatabaseWrapper(base.DatabaseWrapper):
    """The SQLite wrapper; transactions of one process's threads take turns without sleeping.

    It extends private methods of Django's wrapper, which django-stubs does not describe: hence
    the ``type: ignore[misc]`` on their ``super()`` calls.
    """

    transaction_mode: str | None  # Django's, from OPTIONS (absent from django-stubs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._holds_write_turn = False

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        name = str(conn_params.get("database", ""))
        if not self.is_in_memory_db() and not name.startswith("file:"):
            private_sqlite(Path(name))  # 0600 before SQLite creates it (and its -wal, -shm)
        return super().get_new_connection(conn_params)

    def _write_lock(self) -> threading.Lock:
        return turn_of(str(self.settings_dict["NAME"]))

    def _start_transaction_under_autocommit(self) -> None:
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        if self.transaction_mode == "IMMEDIATE" and not self._holds_write_turn:
            self._holds_write_turn = self._write_lock().acquire(timeout=timeout)
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private, not in the stubs
        except BaseException:
            self._end_write_turn()
            raise

    def _end_write_turn(self) -> None:
        if self._holds_write_turn:
            self._holds_write_turn = False
            self._write_lock().release()

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # private, not in the stubs
        finally:
            self._end_write_turn()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # private, not in the stubs
        finally:
            self._end_write_turn()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # private, not in the stubs
        finally:
            self._end_write_turn()
