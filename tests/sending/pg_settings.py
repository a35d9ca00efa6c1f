"""The test settings on PostgreSQL (127.0.0.1:5432, trust auth): the sending tests run here too.

``pytest tests/sending --ds tests.sending.pg_settings`` (``test_postgres.py`` does this from the
default SQLite session). The web tests' PostgreSQL settings (:mod:`tests.web.pg_settings`, which
also explains why the URL is a constant) with the pool ``payjournal web``/``worker`` use;
pytest-django creates ``test_payjournal_pg_<pid>`` (one per run, so parallel runs never share
it) and drops it after; DBOS gets its own system database next to it.
"""

import os

from payjournal.site.databases import database_settings
from tests.web.pg_settings import *  # noqa: F403
from tests.web.pg_settings import DATABASES, POSTGRES_URL

DATABASES["default"] = {
    **database_settings(POSTGRES_URL, conn_max_age=0, pool_size=16),
    "TEST": {"NAME": f"test_payjournal_pg_{os.getpid()}"},
}
PAYJOURNAL_TEST_DBOS_URL = (
    f"postgresql://postgres@127.0.0.1:5432/test_payjournal_pg_{os.getpid()}_dbos"
)
