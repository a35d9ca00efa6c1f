"""Django app config of :mod:`payjournal.sending`: once an account is authorized (again), the
journals that waited for it are retried (:func:`.services.retry_waiting_for`)."""

from typing import Any

from django.apps import AppConfig


class SendingConfig(AppConfig):
    name = "payjournal.sending"
    label = "sending"
    verbose_name = "Sending"

    def ready(self) -> None:
        from payjournal.integrations.watch import authorized

        authorized.connect(_retry_waiting, dispatch_uid="payjournal.sending.retry_waiting")


def _retry_waiting(sender: Any, account: Any, **kwargs: Any) -> None:
    from payjournal.sending.services import retry_waiting_for

    retry_waiting_for(account)
