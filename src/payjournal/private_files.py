"""The data directory and the database files are their owner's alone (0700 and 0600).

They hold payroll data, encrypted Visma tokens and sessions; ``secrets.env`` beside them holds
the keys. Other users of the machine must not read them, whatever the umask: the directory is
made 0700 and each SQLite file is created 0600 before SQLite opens it (SQLite gives the ``-wal``
and ``-shm`` files the mode of their database). An older install with looser modes is tightened
where this process owns the files; where it cannot, a warning says which path to fix. The
servers (``payjournal serve``, ``demo``) also set the umask to 077 for everything else they write.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

__all__ = ["private_dir", "private_file", "private_sqlite", "private_umask"]

log = logging.getLogger("payjournal.files")

#: What SQLite keeps beside a database file.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def _tighten(path: Path, wanted: int) -> None:
    """Take the group's and others' bits away (``wanted`` is the mode to set then)."""
    current = stat.S_IMODE(path.stat().st_mode)
    if current & 0o077:
        try:
            path.chmod(wanted)
        except PermissionError:
            log.warning(
                "cannot make %s private (mode %s): change its owner or mode",
                path,
                oct(current),
                extra={"event": "file_not_private"},
            )


def private_umask() -> None:
    """From now on this process creates files 0600 and directories 0700 (the servers call this
    first: whatever they write — mail files, the demo's emulator state — is the owner's)."""
    os.umask(0o077)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) with the directory itself 0700; tighten it if it
    exists with wider access."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    _tighten(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 if missing, else take others' access away."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        _tighten(path, 0o600)
    return path


def private_sqlite(path: Path) -> Path:
    """Make a SQLite database file (and the companions an older run left) 0600 before SQLite
    opens it; an empty file is a new database to SQLite."""
    private_file(path)
    for suffix in SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            _tighten(companion, 0o600)
    return path
