"""Activate the signed-in user's chosen language for the request (after Django's
``LocaleMiddleware`` picked one from the browser, and after authentication)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

__all__ = ["UserLanguageMiddleware", "language_of"]


def language_of(user: object) -> str:
    """The user's chosen language code, or "" when they follow the browser."""
    membership = getattr(user, "membership", None) if user is not None else None
    return getattr(membership, "language", "") or ""


class UserLanguageMiddleware:
    """A membership's ``language`` wins over the browser's ``Accept-Language``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        chosen = language_of(user) if user is not None and user.is_authenticated else ""
        if chosen:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        if chosen:
            response.headers["Content-Language"] = chosen
        return response
