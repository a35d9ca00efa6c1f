"""Start Django from the CLI: install explicit settings, ``django.setup()``, migrate."""

from __future__ import annotations

import os

import django
from django.core.management import call_command

from payjournal.config import Settings, use_settings


def start_django(settings: Settings | None = None, *, migrate: bool = False) -> None:
    """Configure Django from ``settings`` (else the environment) and optionally migrate."""
    if settings is not None:
        use_settings(settings)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payjournal.site.settings")
    django.setup()
    if migrate:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
