"""Django app config of :mod:`payjournal.integrations`."""

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "payjournal.integrations"
    label = "integrations"
    verbose_name = "Integrations"
