"""Routes of Integrations → Visma eAccounting."""

from django.urls import path

from payjournal.integrations import views

urlpatterns = [
    path("accounts/", views.accounts, name="visma-accounts"),
    path("accounts/list/", views.accounts_list, name="visma-accounts-list"),
    path("accounts/<int:account_id>/authorize/", views.authorize, name="visma-authorize"),
    path("accounts/<int:account_id>/rename/", views.rename, name="visma-rename"),
    path("accounts/<int:account_id>/disconnect/", views.disconnect, name="visma-disconnect"),
    path("accounts/<int:account_id>/delete/", views.delete, name="visma-delete"),
    path("callback/", views.callback, name="visma-callback"),
]
