"""The ``DATABASES["default"]`` entry for the app's database URL.

* SQLite (embedded): :mod:`payjournal.site.sqlite`, write-ahead log, ``BEGIN IMMEDIATE``; each
  thread keeps its connection for ``conn_max_age`` seconds (opening one runs the pragmas).
* PostgreSQL (scaled): a psycopg connection pool of at most ``pool_size`` connections per
  process. A send workflow returns its connection when it ends, so the connections a process
  holds follow the work in flight, not the number of threads DBOS ever started; a thread that
  finds the pool empty waits up to :data:`POOL_TIMEOUT_S` for one.
"""

from __future__ import annotations

from typing import Any

import dj_database_url

__all__ = ["POOL_TIMEOUT_S", "database_settings"]

#: How long a thread waits for a pooled PostgreSQL connection before the query fails.
POOL_TIMEOUT_S = 30.0


def database_settings(url: str, *, conn_max_age: int, pool_size: int) -> dict[str, Any]:
    """Django's settings for the database at ``url`` (``sqlite:///…`` or ``postgres://…``)."""
    database: dict[str, Any] = dict(dj_database_url.parse(url, conn_health_checks=True))
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["ENGINE"] = "payjournal.site.sqlite"  # threads queue for the write lock
        database["CONN_MAX_AGE"] = conn_max_age
        database["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif database["ENGINE"] == "django.db.backends.postgresql":
        if pool_size < 1:
            raise ValueError("the PostgreSQL pool needs at least one connection")
        database["CONN_MAX_AGE"] = 0  # closing a connection returns it to the pool
        database["OPTIONS"] = {
            **database.get("OPTIONS", {}),
            "pool": {"min_size": 1, "max_size": pool_size, "timeout": POOL_TIMEOUT_S},
        }
    return database
