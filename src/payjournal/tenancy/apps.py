"""Django app config of :mod:`payjournal.tenancy`."""

from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "payjournal.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"
