"""Django app config of :mod:`payjournal.live`: the stamps' triggers are dropped before every
``migrate`` and installed after it (:mod:`payjournal.live.triggers`)."""

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


def _before_migrate(using: str = "default", **_: Any) -> None:
    from payjournal.live import triggers

    triggers.drop(connections[using])


def _after_migrate(using: str = "default", **_: Any) -> None:
    from payjournal.live import triggers

    triggers.install(connections[using])
