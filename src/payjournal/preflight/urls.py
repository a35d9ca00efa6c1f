"""Routes of the pre-flight, next to the run they check (``/companies/<id>/runs/<pk>/…``), and
the ledger scheme editor that picks accounts from Visma's chart (``/companies/<id>/scheme/``)."""

from django.urls import path

from payjournal.preflight import editor, views

urlpatterns = [
    path("<int:company_id>/scheme/", editor.scheme_editor, name="company-scheme"),
    path("<int:company_id>/runs/<int:run_pk>/check/", views.check, name="run-check"),
    path(
        "<int:company_id>/runs/<int:run_pk>/check/fiscal-year/",
        views.fix_fiscal_year,
        name="run-fix-fiscal-year",
    ),
]
