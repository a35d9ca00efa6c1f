"""Routes of Integrations → Visma eAccounting."""

from django.urls import path

from payjournal.integrations import views

urlpatterns = [
    path("accounts/", views.accounts, name="visma-accounts"),
    path("accounts/list/", views.accounts_list, name="visma-accounts-list"),
    path("accounts/<int:account_id>/authorize/", views.authorize, name="visma-authorize"),
    path("accounts/<int:account_id>/disconnect/", views.disconnect, name="visma-disconnect"),
    path("callback/", views.callback, name="visma-callback"),
]
