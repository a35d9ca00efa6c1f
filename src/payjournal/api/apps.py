"""Django app config of :mod:`payjournal.api`."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "payjournal.api"
    label = "api"
    verbose_name = "JSON API"
