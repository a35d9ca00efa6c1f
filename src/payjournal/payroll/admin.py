"""Django admin: payroll companies (with assignees) and runs."""

from django.contrib import admin

from payjournal.payroll.models import PayrollCompany, PayrollRun


@admin.register(PayrollCompany)
class PayrollCompanyAdmin(admin.ModelAdmin[PayrollCompany]):
    list_display = ("name", "key", "registration_number", "master", "visma_account")
    list_filter = ("master",)
    filter_horizontal = ("assignees",)


@admin.register(PayrollRun)
class PayrollRunAdmin(admin.ModelAdmin[PayrollRun]):
    list_display = ("company", "run_id", "version", "period_label", "imported_at")
    list_filter = ("company__master",)
    readonly_fields = ("source_sha256",)
