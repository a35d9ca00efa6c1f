"""Django app config of :mod:`payjournal.sending`."""

from django.apps import AppConfig


class SendingConfig(AppConfig):
    name = "payjournal.sending"
    label = "sending"
    verbose_name = "Sending"
