"""Routes of the notification pages, under ``notifications/``."""

from django.urls import path

from payjournal.notifications import views

urlpatterns = [
    path("", views.preferences, name="notification-preferences"),
    path("webhooks/", views.endpoints, name="notification-endpoints"),
    path("webhooks/<int:endpoint_id>/", views.endpoint_log, name="notification-endpoint"),
    path(
        "webhooks/<int:endpoint_id>/test/", views.endpoint_test, name="notification-endpoint-test"
    ),
    path(
        "webhooks/<int:endpoint_id>/enable/",
        views.endpoint_enable,
        name="notification-endpoint-enable",
    ),
    path(
        "webhooks/<int:endpoint_id>/delete/",
        views.endpoint_delete,
        name="notification-endpoint-delete",
    ),
    path("demo-mail/", views.demo_mail, name="demo-mail"),
]
