"""Django admin for operators: masters and memberships."""

from django.contrib import admin

from payjournal.tenancy.models import Master, Membership


@admin.register(Master)
class MasterAdmin(admin.ModelAdmin[Master]):
    list_display = ("name", "created_at")
    search_fields = ("name",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ("user", "master", "role")
    list_filter = ("role", "master")
