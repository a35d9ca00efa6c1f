"""The test settings on PostgreSQL (127.0.0.1:5432, trust auth), for the web tests that must
hold on both databases: ``pytest tests/web/test_bad_inputs_cli.py --ds tests.web.pg_settings``.

The URL is given here, after ``tests.web.settings`` has pointed ``PAYJOURNAL_DATABASE_URL`` at
its SQLite file (reading it from the environment would give SQLite again). pytest-django
creates ``test_payjournal_web_pg_<pid>`` and drops it after.
"""

import os

from payjournal.site.databases import database_settings
from tests.web.settings import *  # noqa: F403
from tests.web.settings import DATABASES

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/payjournal_pg"

DATABASES["default"] = {
    **database_settings(POSTGRES_URL, conn_max_age=0, pool_size=4),
    "TEST": {"NAME": f"test_payjournal_web_pg_{os.getpid()}"},
}
