"""The Visma client, wired from Django settings (endpoints, OAuth client, redirect URI)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from payjournal.integrations.tokenstore import DatabaseTokenStore
from payjournal.visma import (
    ClientCredentials,
    CompanySelection,
    VismaClient,
    VismaEndpoints,
    VismaOAuth,
)


def endpoints() -> VismaEndpoints:
    selection = (
        CompanySelection.FORCE_SELECT_COMPANY
        if settings.VISMA_FORCE_SELECT_COMPANY
        else CompanySelection.SELECT_ACCOUNT
    )
    return VismaEndpoints.at(settings.VISMA_IDENTITY_URL, settings.VISMA_API_URL, selection)


def redirect_uri(request: HttpRequest) -> str:
    """The callback URL registered at Visma: ``PAYJOURNAL_PUBLIC_URL`` based, else the host."""
    path = reverse("visma-callback")
    base = settings.PAYJOURNAL_PUBLIC_URL
    return base.rstrip("/") + path if base else request.build_absolute_uri(path)


def oauth(callback_url: str) -> VismaOAuth:
    credentials = ClientCredentials(
        settings.VISMA_CLIENT_ID, settings.VISMA_CLIENT_SECRET, callback_url
    )
    return VismaOAuth(credentials, endpoints())


def client(account_id: int, oauth_client: VismaOAuth) -> VismaClient:
    return VismaClient(DatabaseTokenStore(account_id), oauth_client)
