"""Notifications as a Django app (its models, pages and templates)."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "payjournal.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        """A preference or endpoint saved or removed in this process: who wants an opt-in
        event is read again (:func:`payjournal.notifications.service.is_wanted`)."""
        from django.db.models.signals import post_delete, post_save

        from payjournal.notifications.models import Preference, WebhookEndpoint

        for model in (Preference, WebhookEndpoint):
            post_save.connect(_forget, sender=model, dispatch_uid=f"forget-wanted-{model.__name__}")
            post_delete.connect(_forget, sender=model, dispatch_uid=f"forget-del-{model.__name__}")


def _forget(**_kwargs: object) -> None:
    from payjournal.notifications.wanted import forget_wanted

    forget_wanted()
