"""ASGI entry point (uvicorn) for ``payjournal serve``, ``web`` and ``demo``: the Django
application behind :class:`~payjournal.site.bodylimit.BodyLimitMiddleware`, which answers a body
far over the upload limit before Django reads it."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payjournal.site.settings")
django_application = get_asgi_application()

from payjournal.site.bodylimit import BodyLimitMiddleware  # noqa: E402 - after Django's setup

application = BodyLimitMiddleware(django_application)
