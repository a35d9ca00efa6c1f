"""``/api/docs``: Swagger UI from our own static files (vendored in ``api/static/api/swagger-ui``,
version and source in its README), started by a static script, so the page works with no
internet and under the site's strict CSP. ninja's own page loads Swagger UI from a CDN unless
``ninja`` is an installed app, and the CDN is exactly what the CSP refuses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI


class VendoredSwagger(DocsBase):
    """The docs page of :data:`payjournal.api.views.api`."""

    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        context = {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)}
        return render(request, self.template, context)
