"""Every error under ``/api/`` is one JSON shape: ``{"detail", "problems", "code"}``.

``detail`` says what happened in the request's language (``Accept-Language``), ``problems``
lists every reason (a refused run's lines and fields), ``code`` is stable for programs:

====================  ======  ==========================================================
code                  status  when
====================  ======  ==========================================================
bad_request           400     Django refused the request itself (a bad Host, a bad body)
unauthorized          401     no token, or a revoked one
forbidden             403     the token lacks a scope (``scope_missing``) or Django refused
scope_missing         403     the token lacks the route's scope
not_found             404     an unknown address, company, run or version
method_not_allowed    405     the address does not take the method
already_booked …      409     a send refused (:data:`~payjournal.api.schemas.RefusalCode`)
too_large             413     the body is over ``PAYJOURNAL_MAX_UPLOAD_BYTES``, refused unread
not_imported          422     the run cannot be imported (every problem listed)
invalid               422     a parameter is malformed
throttled             429     over 600 requests a minute for the token (``Retry-After``)
server_error          500     payjournal failed; the request may not have been carried out
====================  ======  ==========================================================

The routes' own errors are answered by the ninja exception handlers in
:mod:`payjournal.api.views`; failures before or around a route — Django's 400/403/404/500
handlers and CSRF failure view (:mod:`payjournal.site.errors`), ninja's 405 — come here
through :func:`problem_response` and :class:`ApiProblemMiddleware`, so no API client ever
gets an HTML page. The API is CSRF-free: it authenticates by token, never by cookie.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, get_args

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = [
    "API_PREFIX",
    "ApiProblemMiddleware",
    "ProblemCode",
    "generic_problem",
    "is_api",
    "problem_body",
    "problem_response",
]

#: Where the API lives (``site/urls.py`` mounts it here).
API_PREFIX = "/api/"

ProblemCode = Literal[
    "bad_request",
    "unauthorized",
    "forbidden",
    "scope_missing",
    "not_found",
    "method_not_allowed",
    "already_booked",
    "no_change",
    "nothing_booked",
    "not_mapped",
    "refused",
    "too_large",
    "not_imported",
    "invalid",
    "throttled",
    "server_error",
]
PROBLEM_CODES: frozenset[str] = frozenset(get_args(ProblemCode))

#: What a status means when nothing more precise is known.
GENERIC: dict[int, tuple[ProblemCode, Promise]] = {
    400: ("bad_request", _("The request is not valid.")),
    401: ("unauthorized", _("Give a valid API token: Authorization: Bearer pj_…")),
    403: ("forbidden", _("This request is not allowed.")),
    404: ("not_found", _("There is nothing at this address.")),
    405: ("method_not_allowed", _("This address does not take this method.")),
    413: ("too_large", _("The request body is too large.")),
    422: ("invalid", _("The request is not valid.")),
    429: ("throttled", _("Too many requests: wait a moment and try again.")),
    500: (
        "server_error",
        _("payjournal failed to answer; the request may not have been carried out. Try again."),
    ),
}


def is_api(request: HttpRequest) -> bool:
    """True for a request to the JSON API."""
    return request.path.startswith(API_PREFIX)


def problem_body(
    detail: str, problems: Sequence[str] = (), code: ProblemCode = "bad_request"
) -> dict[str, object]:
    """The JSON of an error (:class:`~payjournal.api.schemas.ProblemOut`)."""
    return {"detail": str(detail), "problems": [str(p) for p in problems], "code": code}


def problem_response(
    status: int,
    detail: str | None = None,
    problems: Sequence[str] = (),
    code: ProblemCode | None = None,
) -> JsonResponse:
    """An error answer outside ninja (Django's handlers, the middleware)."""
    fallback_code, fallback_detail = GENERIC.get(status, GENERIC[500 if status >= 500 else 400])
    body = problem_body(detail or str(fallback_detail), problems, code or fallback_code)
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def generic_problem(status: int) -> JsonResponse:
    """The error answer of a status with nothing more to say."""
    return problem_response(status)


def _is_problem(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


class ApiProblemMiddleware:
    """Turns an error answer under ``/api/`` that is not JSON — ninja's bare 405, an HTML page
    from anything between Django and the routes — into the problem of its status, keeping
    headers such as ``Allow`` and ``Retry-After``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not is_api(request) or _is_problem(response):
            return response
        problem = generic_problem(response.status_code)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                problem[header] = response[header]
        return problem
