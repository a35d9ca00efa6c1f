"""Routes of sending, under ``companies/``."""

from django.urls import path

from payjournal.sending import views

urlpatterns = [
    path("<int:company_id>/sending/", views.panel, name="sending-panel"),
    path("<int:company_id>/sending/send/", views.send_bulk, name="sending-bulk"),
    path("<int:company_id>/sending/automatic/", views.automatic, name="sending-automatic"),
    path("<int:company_id>/runs/<int:run_pk>/send/", views.send_run, name="sending-send"),
    path(
        "<int:company_id>/submissions/<uuid:submission_id>/retry/",
        views.retry,
        name="sending-retry",
    ),
]
