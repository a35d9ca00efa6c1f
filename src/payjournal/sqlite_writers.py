"""One turn at a time for the writers of a process on one SQLite file.

SQLite lets one writer in at a time; a second one that finds the file locked is made to sleep
and retry by SQLite's busy handler, with sleeps that grow to 25–100 ms. When the writers are
threads of one process — DBOS's queue thread, its workflow threads and the enqueuer at
month-end — most of their wall time went to those sleeps. Here each database file has a lock
per process: a writer takes it before its transaction's first write and gives it back when the
transaction ends, so the next one is woken the moment the file is free. SQLite's own busy
handling still covers writers of other processes, and a writer that waits for the turn longer
than the connection's timeout goes ahead without it.

:mod:`payjournal.site.sqlite.base` (the app's database) and :func:`connection_class` (DBOS's
system database, :mod:`payjournal.jobs.dbos`) share the locks.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

__all__ = ["connection_class", "turn_of"]

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()

#: The first word of a statement that starts a write transaction (the statements before which
#: ``sqlite3`` opens one by itself, and an explicit ``BEGIN``).
_WRITES = ("insert", "update", "delete", "replace", "begin")


def turn_of(name: str) -> threading.Lock:
    """The writers' lock of database file ``name`` in this process."""
    with _locks_guard:
        return _locks.setdefault(name, threading.Lock())


def _writes(statement: str) -> bool:
    return statement.lstrip().split(None, 1)[0].lower().startswith(_WRITES) if statement else False


def connection_class(name: str, timeout_s: float) -> type[sqlite3.Connection]:
    """A ``sqlite3.Connection`` class (``factory=`` of ``sqlite3.connect``) whose writes take
    the turn of ``name`` before a transaction's first write and give it back at its end."""
    turn = turn_of(name)

    class Cursor(sqlite3.Cursor):
        def execute(self, sql: str, parameters: Any = (), /) -> Cursor:
            self.connection._take_turn(sql)  # type: ignore[attr-defined]
            return super().execute(sql, parameters)

        def executemany(self, sql: str, seq_of_parameters: Any, /) -> Cursor:
            self.connection._take_turn(sql)  # type: ignore[attr-defined]
            return super().executemany(sql, seq_of_parameters)

    class Connection(sqlite3.Connection):
        _holds_turn = False

        def _take_turn(self, sql: str) -> None:
            if not self._holds_turn and not self.in_transaction and _writes(sql):
                self._holds_turn = turn.acquire(timeout=timeout_s)

        def _give_turn(self) -> None:
            if self._holds_turn and not self.in_transaction:
                self._holds_turn = False
                turn.release()

        def cursor(self, factory: Any = Cursor) -> Any:
            return super().cursor(factory)

        def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
            cursor: sqlite3.Cursor = self.cursor()
            return cursor.execute(sql, parameters)

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                self._give_turn()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self._give_turn()

        def close(self) -> None:
            try:
                super().close()
            finally:
                if self._holds_turn:
                    self._holds_turn = False
                    turn.release()

    return Connection
