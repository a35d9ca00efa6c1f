"""Django app config of :mod:`payjournal.live`."""

from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "payjournal.live"
    label = "live"
    verbose_name = "Live pages"
