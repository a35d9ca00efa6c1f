"""Template context: the signed-in user's membership (or ``None``)."""

from __future__ import annotations

from django.http import HttpRequest

from payjournal.tenancy.models import Membership


def membership(request: HttpRequest) -> dict[str, Membership | None]:
    user = getattr(request, "user", None)
    found = getattr(user, "membership", None) if user and user.is_authenticated else None
    return {"membership": found if isinstance(found, Membership) else None}
