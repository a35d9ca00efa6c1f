"""The notification pages: each person's preferences, the master's webhook endpoints with their
delivery log (master administrators), and in the demo the mails the local catcher received.

A form with a value outside its choices answers 400 with the form and its errors, never a 500;
an endpoint of another master is a 404 like one that does not exist.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from payjournal.notifications import mailbox, webhooks
from payjournal.notifications.events import EventKind
from payjournal.notifications.forms import EndpointForm, PreferenceForm
from payjournal.notifications.models import (
    DeliveryState,
    Preference,
    WebhookDelivery,
    WebhookEndpoint,
)
from payjournal.notifications.preferences import choice_of
from payjournal.tenancy.access import get_scoped, member_required
from payjournal.tenancy.models import Membership, Role

#: Lines of the delivery log a page shows (the newest).
LOG_LINES = 100


@member_required()
def preferences(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The signed-in person's notification preference."""
    status = 200
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            Preference.objects.update_or_create(
                user=membership.user,
                defaults={
                    "delivery": form.cleaned_data["delivery"],
                    "kinds": form.cleaned_data["kinds"],
                    "language": form.cleaned_data["language"],
                },
            )
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notification-preferences")
        status = 400
    else:
        stored = Preference.objects.filter(user=membership.user).first()
        choice = choice_of(membership.user)
        form = PreferenceForm(
            initial={
                "delivery": choice.delivery,
                "kinds": sorted(choice.kinds),
                "language": stored.language if stored else "",
            }
        )
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "has_email": bool(membership.user.email),
            "demo_mail": settings.PAYJOURNAL_DEMO_MAILBOX is not None,
        },
        status=status,
    )


def _endpoints(membership: Membership) -> list[WebhookEndpoint]:
    return list(WebhookEndpoint.objects.filter(master=membership.master).order_by("pk"))


@member_required(Role.MASTER_ADMIN)
def endpoints(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The master's endpoints and a form to add one; its secret is shown once, on this answer."""
    status = 200
    secret = ""
    added = None
    if request.method == "POST":
        form = EndpointForm(request.POST)
        if form.is_valid():
            added, secret = webhooks.add_endpoint(
                membership.master,
                form.cleaned_data["url"],
                form.cleaned_data["kinds"],
                form.cleaned_data["description"],
            )
            form = EndpointForm()
        else:
            status = 400
    else:
        form = EndpointForm()
    rows = [(e, webhooks.disabled_reason(e)) for e in _endpoints(membership)]
    return render(
        request,
        "notifications/endpoints.html",
        {"form": form, "rows": rows, "secret": secret, "added": added},
        status=status,
    )


def _endpoint(membership: Membership, endpoint_id: int) -> WebhookEndpoint:
    return get_scoped(WebhookEndpoint.objects.filter(master=membership.master), pk=endpoint_id)


@member_required(Role.MASTER_ADMIN)
def endpoint_log(request: HttpRequest, membership: Membership, endpoint_id: int) -> HttpResponse:
    """One endpoint: its state and the delivery log (newest first)."""
    endpoint = _endpoint(membership, endpoint_id)
    log = list(endpoint.deliveries.all()[:LOG_LINES])
    labels = {kind.value: kind.label for kind in EventKind}
    return render(
        request,
        "notifications/endpoint.html",
        {
            "endpoint": endpoint,
            "reason": webhooks.disabled_reason(endpoint),
            "log": [(d, labels.get(d.kind, d.kind)) for d in log],
        },
    )


@require_POST
@member_required(Role.MASTER_ADMIN)
def endpoint_test(request: HttpRequest, membership: Membership, endpoint_id: int) -> HttpResponse:
    """Send one signed test event now and say how the endpoint answered (one attempt, no retry)."""
    endpoint = _endpoint(membership, endpoint_id)
    event_id = uuid.uuid4()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id=event_id,
        kind=webhooks.TEST_KIND,
        payload={
            "id": str(event_id),
            "type": webhooks.TEST_KIND,
            "master_id": membership.master_id,
        },
    )
    if not endpoint.enabled:
        webhooks.enable(endpoint)
    outcome = webhooks.attempt(str(delivery.pk))
    delivery.refresh_from_db()
    if outcome.state == DeliveryState.DELIVERED:
        messages.success(request, _("The test event was delivered."))
    else:
        WebhookDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING).update(
            state=DeliveryState.FAILED
        )
        messages.error(
            request,
            _("The test event was not delivered: %(error)s.") % {"error": delivery.last_error},
        )
    return redirect("notification-endpoint", endpoint_id=endpoint.pk)


@require_POST
@member_required(Role.MASTER_ADMIN)
def endpoint_enable(request: HttpRequest, membership: Membership, endpoint_id: int) -> HttpResponse:
    """Switch a disabled endpoint back on."""
    webhooks.enable(_endpoint(membership, endpoint_id))
    messages.success(request, _("The endpoint is enabled again."))
    return redirect("notification-endpoint", endpoint_id=endpoint_id)


@require_POST
@member_required(Role.MASTER_ADMIN)
def endpoint_delete(request: HttpRequest, membership: Membership, endpoint_id: int) -> HttpResponse:
    """Remove an endpoint and its delivery log."""
    endpoint = _endpoint(membership, endpoint_id)
    endpoint.delete()
    messages.success(request, _("The endpoint was removed."))
    return redirect("notification-endpoints")


@member_required()
def demo_mail(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The demo's received mails, newest first (404 outside the demo)."""
    folder = settings.PAYJOURNAL_DEMO_MAILBOX
    if folder is None:
        raise Http404("not the demo")
    return render(request, "notifications/demo_mail.html", {"mails": mailbox.received(folder)})
