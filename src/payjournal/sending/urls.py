"""Routes of sending, under ``companies/``."""

from django.urls import path

from payjournal.sending import dashlet_views, run_views, settings_views, views

urlpatterns = [
    path("<int:company_id>/", dashlet_views.company, name="company"),
    path("<int:company_id>/sending/rows/", dashlet_views.rows, name="sending-rows"),
    path(
        "<int:company_id>/runs/<int:run_pk>/timeline/",
        dashlet_views.timeline,
        name="sending-timeline",
    ),
    path("<int:company_id>/sending/send/", views.send_bulk, name="sending-bulk"),
    path("<int:company_id>/sending/automatic/", views.automatic, name="sending-automatic"),
    path("<int:company_id>/runs/<int:run_pk>/", run_views.run_detail, name="run"),
    path("<int:company_id>/runs/<int:run_pk>/send/", views.send_run, name="sending-send"),
    path(
        "<int:company_id>/runs/<int:run_pk>/withdraw/", views.withdraw_run, name="sending-withdraw"
    ),
    path(
        "<int:company_id>/sending/corrections/",
        settings_views.company_corrections,
        name="sending-corrections",
    ),
    path(
        "<int:company_id>/submissions/<uuid:submission_id>/retry/",
        views.retry,
        name="sending-retry",
    ),
]
