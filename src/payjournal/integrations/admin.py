"""Django admin: Visma accounts (read the status; tokens are never shown)."""

from django.contrib import admin

from payjournal.integrations.models import VismaAccount


@admin.register(VismaAccount)
class VismaAccountAdmin(admin.ModelAdmin[VismaAccount]):
    list_display = ("name", "master", "status", "visma_company_name", "authorized_at")
    list_filter = ("status", "master")
    exclude = ("token_ciphertext", "refresh_lease_owner", "refresh_lease_until")
    readonly_fields = ("token_version", "visma_company_id", "visma_company_name", "authorized_at")
