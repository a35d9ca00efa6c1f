"""The pre-flight as a Django app (its templates and routes)."""

from django.apps import AppConfig


class PreflightConfig(AppConfig):
    name = "payjournal.preflight"
    label = "preflight"
    verbose_name = "Pre-flight checks"
