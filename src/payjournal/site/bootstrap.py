"""Start Django from the CLI: install explicit settings, ``django.setup()``, the process's
wiring (:mod:`payjournal.wiring`), migrate."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

import django
from django.core.management import call_command

from payjournal.config import Settings, use_settings

log = logging.getLogger(__name__)


def start_django(settings: Settings | None = None, *, migrate: bool = False) -> None:
    """Configure Django from ``settings`` (else the environment), wire the process from them,
    and optionally migrate."""
    if settings is not None:
        use_settings(with_demo_mailbox(settings))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payjournal.site.settings")
    django.setup()
    from payjournal import wiring  # its token store is a model: after django.setup()
    from payjournal.catalog.apps import compiled_catalogs

    for stale in compiled_catalogs():  # read, never rewritten here: pages would be English
        log.warning("%s %s", stale.msg, stale.hint)

    wiring.install_from_settings()
    if migrate:
        with _migrating_alone():
            call_command("migrate", interactive=False, verbosity=0)
            call_command("createcachetable", verbosity=0)


#: The PostgreSQL advisory lock that start-up migrations take turns on.
MIGRATION_LOCK = 0x70_6A_6D_69  # "pjmi"


@contextmanager
def _migrating_alone() -> Iterator[None]:
    """On PostgreSQL, one process at a time migrates (a web process and workers started
    together): the others wait, then find nothing to apply. SQLite has one writer anyway."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])


def with_demo_mailbox(settings: Settings) -> Settings:
    """The demo (``demo_mailbox`` set, no SMTP host): start the local SMTP catcher on loopback
    and send every mail to it (:mod:`payjournal.notifications.mailbox`)."""
    if settings.demo_mailbox is None or settings.smtp_host:
        return settings
    from payjournal.notifications.mailbox import start_catcher

    port = start_catcher(settings.demo_mailbox)
    return settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none"}
    )
