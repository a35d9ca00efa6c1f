"""Django settings for the test suite: the product's settings with a throw-away data directory,
fixed test keys, plain-HTTP cookies, webhooks allowed to loopback and a file-backed SQLite test database (so tests can read
the file the way an attacker would, from another process: ``tests/site/database_files.py``).

Each process that imports these settings gets a data directory of its own and removes it when
it ends (xdist workers, the PostgreSQL pass, mypy's django-stubs plugin)."""

import atexit
import os
import shutil
import tempfile

_data = tempfile.mkdtemp(prefix="payjournal-tests-")
atexit.register(shutil.rmtree, _data, ignore_errors=True)
os.environ["PAYJOURNAL_DATA_DIR"] = _data
os.environ.setdefault("PAYJOURNAL_SECRET_KEY", "test-secret-key-not-for-production-0123456789")
os.environ.setdefault("PAYJOURNAL_TOKEN_KEYS", '["ZmRlYTk0YjQtZjI3Yy00ZTJmLWJmZjQtYjJmOTc5NmQ="]')
os.environ["PAYJOURNAL_SECURE_COOKIES"] = "false"
os.environ["PAYJOURNAL_ALLOWED_HOSTS"] = '["127.0.0.1", "localhost", "testserver"]'
os.environ["PAYJOURNAL_DATABASE_URL"] = f"sqlite:///{_data}/app.sqlite"
# The webhook receivers of the tests listen on loopback: allowed, as an operator would allow
# an internal receiver (the SSRF guard refuses loopback by default).
os.environ["PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS"] = "127.0.0.0/8,::1/128"

from payjournal.site.settings import *  # noqa: E402, F403
from payjournal.site.settings import DATABASES  # noqa: E402

DATABASES["default"]["TEST"] = {"NAME": f"{_data}/test.sqlite"}
PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]
