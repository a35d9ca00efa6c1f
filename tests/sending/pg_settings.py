"""The test settings on PostgreSQL (127.0.0.1:5432, trust auth): the sending tests run here too.

``pytest tests/sending --ds tests.sending.pg_settings`` (``test_postgres.py`` does this from the
default SQLite session). pytest-django creates ``test_payjournal_pg_<pid>`` (one per run, so parallel
runs never share it) and drops it after; DBOS gets its own system database next to it.
"""

import os

from payjournal.site.databases import database_settings
from tests.web.settings import *  # noqa: F403
from tests.web.settings import DATABASES

# After the import: the SQLite test settings set this variable too, and the app reads it.
os.environ["PAYJOURNAL_DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/payjournal_pg"

# As ``payjournal web``/``worker`` configure it (the connection pool included).
DATABASES["default"] = {
    **database_settings(os.environ["PAYJOURNAL_DATABASE_URL"], conn_max_age=0, pool_size=16),
    "TEST": {"NAME": f"test_payjournal_pg_{os.getpid()}"},
}
PAYJOURNAL_TEST_DBOS_URL = (
    f"postgresql://postgres@127.0.0.1:5432/test_payjournal_pg_{os.getpid()}_dbos"
)
