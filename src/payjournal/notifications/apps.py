"""Notifications as a Django app (its models, pages and templates)."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "payjournal.notifications"
    label = "notifications"
    verbose_name = "Notifications"
