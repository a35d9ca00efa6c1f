"""The test settings on PostgreSQL (127.0.0.1:5432, trust auth), for every test that must hold on
both databases: ``pytest tests/sending --ds tests.pg_settings`` (the tests marked
``postgres_again`` do this from the default SQLite session: :mod:`tests.on_postgres`).

The URL is a constant given here, after :mod:`tests.settings` has pointed
``PAYJOURNAL_DATABASE_URL`` at its SQLite file: reading it from the environment would give
SQLite again, and a "PostgreSQL" run would quietly run on SQLite. The pool is the size the
``payjournal web``/``worker`` processes use. pytest-django creates ``test_payjournal_pg_<pid>``
(one per run, so parallel runs never share it) and drops it after; DBOS gets its own system
database next to it.
"""

import os

from payjournal.site.databases import database_settings
from tests.settings import *  # noqa: F403
from tests.settings import DATABASES

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/payjournal_pg"

DATABASES["default"] = {
    **database_settings(POSTGRES_URL, conn_max_age=0, pool_size=16),
    "TEST": {"NAME": f"test_payjournal_pg_{os.getpid()}"},
}
PAYJOURNAL_TEST_DBOS_URL = (
    f"postgresql://postgres@127.0.0.1:5432/test_payjournal_pg_{os.getpid()}_dbos"
)
