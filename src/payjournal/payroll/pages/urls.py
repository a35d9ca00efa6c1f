"""Every route of a payroll company, under ``companies/``: its page and the dashlet's actions, a
run's page and its pre-flight check, the ledger scheme editor and the correction settings."""

from django.urls import path

from payjournal.payroll.pages import (
    actions,
    administrations,
    checks,
    companies,
    company,
    corrections,
    run,
    scheme,
)

urlpatterns = [
    path("", companies.companies, name="companies"),
    path("<int:company_id>/", company.company, name="company"),
    path("<int:company_id>/sending/rows/", company.rows, name="sending-rows"),
    path("<int:company_id>/runs/<int:run_pk>/timeline/", company.timeline, name="sending-timeline"),
    path("<int:company_id>/runs/<int:run_pk>/", run.run_detail, name="run"),
    path("<int:company_id>/runs/<int:run_pk>/check/", checks.check, name="run-check"),
    path(
        "<int:company_id>/runs/<int:run_pk>/check/fiscal-year/",
        checks.fix_fiscal_year,
        name="run-fix-fiscal-year",
    ),
    path("<int:company_id>/runs/<int:run_pk>/send/", actions.send_run, name="sending-send"),
    path(
        "<int:company_id>/runs/<int:run_pk>/withdraw/",
        actions.withdraw_run,
        name="sending-withdraw",
    ),
    path(
        "<int:company_id>/submissions/<uuid:submission_id>/retry/",
        actions.retry,
        name="sending-retry",
    ),
    path("<int:company_id>/sending/send/", actions.send_bulk, name="sending-bulk"),
    path("<int:company_id>/sending/automatic/", actions.automatic, name="sending-automatic"),
    path(
        "<int:company_id>/sending/corrections/",
        corrections.company_corrections,
        name="sending-corrections",
    ),
    path("<int:company_id>/scheme/", scheme.scheme_editor, name="company-scheme"),
    path("<int:company_id>/mapping/", administrations.map_company, name="map-company"),
]
