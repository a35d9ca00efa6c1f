"""Notifications as a Django app (its models, pages and templates)."""

import logging

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "payjournal.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        """An account Visma refused is a *connection needs re-authorization* event; a
        preference or endpoint saved or removed in this process: who wants an opt-in event is
        read again (:func:`payjournal.notifications.wanted.is_wanted`)."""
        from django.db.models.signals import post_delete, post_save

        from payjournal.integrations.watch import refused
        from payjournal.notifications.models import Preference, WebhookEndpoint

        refused.connect(_account_refused, dispatch_uid="notify-account-refused")
        for model in (Preference, WebhookEndpoint):
            post_save.connect(_forget, sender=model, dispatch_uid=f"forget-wanted-{model.__name__}")
            post_delete.connect(_forget, sender=model, dispatch_uid=f"forget-del-{model.__name__}")


def _forget(**_kwargs: object) -> None:
    from payjournal.notifications.wanted import forget_wanted

    forget_wanted()


def _account_refused(*, account_id: int, code: str, **_kwargs: object) -> None:
    """Tell who depends on the account; a failure here never breaks the call that met the
    refusal (it is logged, with no data)."""
    from django.db import DatabaseError

    from payjournal.integrations.models import VismaAccount
    from payjournal.notifications.service import connection_needs_reauthorization

    try:
        account = VismaAccount.objects.get(pk=account_id)
        connection_needs_reauthorization(account, code=code)
    except DatabaseError as exc:
        logging.getLogger("payjournal.notifications").warning(
            "re-authorization not notified",
            extra={"event": "notifications.not_recorded", "error": type(exc).__name__},
        )
