"""Django app config of :mod:`payjournal.live`: the stamps' triggers are dropped before a
``migrate`` that applies migrations and installed after it; a ``migrate`` with nothing to apply
(every process's start-up) only installs what is missing (:mod:`payjournal.live.triggers`)."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate


class LiveConfig(AppConfig):
    name = "payjournal.live"
    label = "live"
    verbose_name = "Live pages"

    def ready(self) -> None:
        pre_migrate.connect(_before_migrate, sender=self)
        post_migrate.connect(_after_migrate, sender=self)


def _before_migrate(using: str = "default", plan: Any = None, **_: Any) -> None:
    from payjournal.live import triggers

    if plan:
        triggers.drop(connections[using])


def _after_migrate(using: str = "default", plan: Any = None, **_: Any) -> None:
    from payjournal.live import triggers

    if plan:
        triggers.install(connections[using])
    else:
        triggers.ensure(connections[using])
