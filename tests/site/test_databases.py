"""The app's database settings: SQLite embedded, a connection pool on PostgreSQL."""

from __future__ import annotations

import pytest

from payjournal.site.databases import POOL_TIMEOUT_S, database_settings


def test_sqlite_keeps_a_connection_per_thread_and_queues_writers() -> None:
    database = database_settings("sqlite:////tmp/app.sqlite", conn_max_age=60, pool_size=16)
    assert database["ENGINE"] == "payjournal.site.sqlite"
    assert database["NAME"] == "/tmp/app.sqlite"
    assert database["CONN_MAX_AGE"] == 60
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "pool" not in database["OPTIONS"]


def test_postgres_uses_a_bounded_pool_and_returns_connections_to_it() -> None:
    database = database_settings(
        "postgres://payjournal@db.internal:5432/payjournal", conn_max_age=60, pool_size=12
    )
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["CONN_MAX_AGE"] == 0  # Django's pool refuses persistent connections
    assert database["OPTIONS"]["pool"] == {
        "min_size": 1,
        "max_size": 12,
        "timeout": POOL_TIMEOUT_S,
    }


def test_a_pool_without_connections_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one connection"):
        database_settings("postgres://db.internal/payjournal", conn_max_age=0, pool_size=0)
