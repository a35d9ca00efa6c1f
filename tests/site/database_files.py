"""The raw bytes of the SQLite test database, read the way an attacker would: by another process.

A test must never open and close the database's files itself. POSIX advisory locks belong to
the process and every ``close()`` of any descriptor of a file drops all of them: SQLite's locks
of the session's open connections would be gone. The next process that closes the database
(a worker, a CLI subprocess) then believes it is the last one, checkpoints and deletes the
``-shm`` still mapped by this process's connections, and every connection opened afterwards
fails with ``disk I/O error`` — far from the test that caused it ("How To Corrupt An SQLite
Database File", 2.2, sqlite.org/howtocorrupt.html).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.db import connection


def database_bytes() -> bytes:
    """The main database file, its ``-wal`` and its ``-shm``, concatenated (what exists)."""
    name = Path(str(connection.settings_dict["NAME"]))
    files = sorted(str(p) for p in name.parent.glob(name.name + "*"))
    assert files, f"no database files beside {name}"
    return subprocess.run(["cat", *files], capture_output=True, check=True).stdout
