"""Nothing payjournal answers is kept by a browser or a proxy: ``Cache-Control: no-store``.

Pages show payroll amounts, names and bookkeeping; the API answers with runs and journals. A
stored copy outlives the session — in the browser's cache and back/forward history on a shared
computer, or in a proxy — so every answer that passes Django gets ``no-store, private`` (with
Django's ``add_never_cache_headers``). Static files never reach this middleware: WhiteNoise,
above it in ``MIDDLEWARE``, serves them with their own long-lived caching.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

__all__ = ["NoStoreMiddleware"]


class NoStoreMiddleware:
    """``Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private`` on every
    answer (a view's own directives are tightened, never loosened)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
