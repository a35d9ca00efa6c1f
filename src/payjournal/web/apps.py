"""Django app config of :mod:`payjournal.web`."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "payjournal.web"
    label = "web"
    verbose_name = "Web"
