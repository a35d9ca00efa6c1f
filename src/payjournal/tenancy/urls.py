"""Sign in, sign out, password reset and invitations (Django's views, our templates and
throttled form)."""

from __future__ import annotations

from django.contrib.auth import views as auth
from django.urls import path, reverse_lazy

from payjournal.tenancy.forms import ThrottledLoginForm
from payjournal.tenancy.passwords import ThrottledPasswordResetView

urlpatterns = [
    path(
        "login/",
        auth.LoginView.as_view(
            authentication_form=ThrottledLoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password-reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "invite/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(
            template_name="registration/invite_accept.html",
            success_url=reverse_lazy("invite_done"),
        ),
        name="invite_accept",
    ),
    path(
        "invite/done/",
        auth.PasswordResetCompleteView.as_view(template_name="registration/invite_done.html"),
        name="invite_done",
    ),
    path(
        "password-reset/done/",
        auth.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
