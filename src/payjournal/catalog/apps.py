"""The catalog as a Django app: its ``locale/`` holds the translations of every user-facing
text, compiled when the package is built or installed (:mod:`.messages`), not at start-up."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks


class CatalogConfig(AppConfig):
    name = "payjournal.catalog"
    label = "catalog"
    verbose_name = "Error catalog"

    def ready(self) -> None:
        checks.register(compiled_catalogs, checks.Tags.translation)


def compiled_catalogs(**_: Any) -> list[checks.CheckMessage]:
    """A warning per ``.po`` whose ``.mo`` is missing or older: pages would show English."""
    from payjournal.catalog.messages import stale_catalogs

    return [
        checks.Warning(
            f"The translations in {po} are not compiled (or older than the .po).",
            hint="Run `python -m payjournal.catalog.messages` (or reinstall the package).",
            id="payjournal.catalog.W001",
        )
        for po in stale_catalogs()
    ]
