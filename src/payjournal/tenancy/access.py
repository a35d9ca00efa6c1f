"""Scoping helpers: who is asking, what their role allows, and objects fetched within the master.

Views call :func:`member_required` and fetch through :func:`get_scoped` so that an id from
another master is indistinguishable from an id that does not exist (404).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from payjournal.tenancy.models import Membership, Role

M = TypeVar("M", bound=Model)
View = Callable[..., HttpResponse]


def membership_of(request: HttpRequest) -> Membership:
    """The signed-in user's membership; 403 for users who belong to no master (operators)."""
    membership = getattr(request.user, "membership", None)
    if not isinstance(membership, Membership):
        raise PermissionDenied("This user belongs to no master; operators use /admin/.")
    return membership


def member_required(*roles: Role) -> Callable[[View], View]:
    """Login plus a membership, and one of ``roles`` when given (else any role)."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = membership_of(request)
            if roles and membership.role not in roles:
                raise PermissionDenied("Your role does not allow this page.")
            return view(request, membership, *args, **kwargs)

        return wrapper

    return decorate


def get_scoped(queryset: QuerySet[M], **lookup: Any) -> M:
    """One object of an already scoped queryset, or 404."""
    return get_object_or_404(queryset, **lookup)
