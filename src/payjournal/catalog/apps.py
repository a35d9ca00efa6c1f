"""The catalog as a Django app: its ``locale/`` holds the translations of every user-facing
error text, compiled when the app starts."""

from __future__ import annotations

from django.apps import AppConfig
from django.conf import settings


class CatalogConfig(AppConfig):
    name = "payjournal.catalog"
    label = "catalog"
    verbose_name = "Error catalog"

    def ready(self) -> None:
        from payjournal.catalog.messages import LOCALE_DIR, compile_all

        built = compile_all()
        if built != LOCALE_DIR:
            settings.LOCALE_PATHS = [*settings.LOCALE_PATHS, str(built)]
