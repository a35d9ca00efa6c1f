"""URL map: the apps' routes, auth views, Django admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from payjournal.payroll.pages import cockpit
from payjournal.payroll.pages.administrations import administrations
from payjournal.payroll.pages.corrections import master_corrections

urlpatterns = [
    path("", include("payjournal.web.urls")),
    path("", include("payjournal.tenancy.urls")),
    path(
        "integrations/visma/administrations/",
        administrations,
        name="visma-administrations",
    ),
    path("integrations/visma/corrections/", master_corrections, name="visma-corrections"),
    path("integrations/visma/", include("payjournal.integrations.urls")),
    path("companies/", include("payjournal.payroll.pages.urls")),
    path("cockpit/", cockpit.cockpit, name="cockpit"),
    path("cockpit/act/", cockpit.act, name="cockpit-act"),
    path("", include("payjournal.catalog.urls")),
    path("api/", include("payjournal.api.urls")),
    path("notifications/", include("payjournal.notifications.urls")),
    path("admin/", admin.site.urls),
]

# JSON problems under /api/, Django's pages elsewhere (payjournal/site/errors.py)
handler400 = "payjournal.site.errors.bad_request"
handler403 = "payjournal.site.errors.permission_denied"
handler404 = "payjournal.site.errors.page_not_found"
handler500 = "payjournal.site.errors.server_error"
