"""Django's error handlers (``handler400`` … in :mod:`payjournal.site.urls`, and
``CSRF_FAILURE_VIEW``): a request to the JSON API gets its JSON problem
(:mod:`payjournal.api.errors`) — a body over Django's own limit as 413 ``too_large`` — and a
page request Django's page, as before."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views import csrf, defaults

from payjournal.api.errors import generic_problem, is_api

__all__ = ["bad_request", "csrf_failure", "page_not_found", "permission_denied", "server_error"]


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return generic_problem(413 if isinstance(exception, RequestDataTooBig) else 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return generic_problem(403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return generic_problem(404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return generic_problem(500)
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The API authenticates by token and takes no CSRF token; a CSRF refusal can only meet a
    page, but an address under ``/api/`` still answers JSON."""
    if is_api(request):
        return generic_problem(403)
    return csrf.csrf_failure(request, reason)
