"""``notify(event)``: the one entry point. Who hears about an event, and the rows that carry it.

Called inside the transaction of what happened (a state transition, a daily check's report),
so the notices and deliveries exist exactly when the event does. After the commit they are
handed to the durable job engine (:func:`payjournal.notifications.outbox.hand_over`).

Who hears about a company's event: every member of the master who sees the company (master
administrators see all, others the companies assigned to them), who has an e-mail address,
wants the event's kind and has not switched e-mail off. Each webhook endpoint of the master
that is enabled and subscribed to the kind gets a delivery.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from payjournal.integrations.models import VismaAccount
from payjournal.notifications.events import Event, EventKind
from payjournal.notifications.models import (
    Delivery,
    Notice,
    WebhookDelivery,
    WebhookEndpoint,
)
from payjournal.notifications.preferences import choice_of
from payjournal.notifications.workflows import hand_over
from payjournal.payroll.models import PayrollCompany
from payjournal.tenancy.models import Role

__all__ = ["connection_needs_reauthorization", "notify"]


def _audience(master_id: int, company_ids: Sequence[int] | None) -> list[Any]:
    """Members of the master with an e-mail address who see any of ``company_ids`` (every
    member when ``None``)."""
    users = (
        get_user_model()
        ._default_manager.filter(is_active=True, membership__master_id=master_id)
        .exclude(email="")
    )
    if company_ids is not None:
        sees = Q(membership__role=Role.MASTER_ADMIN) | Q(
            **{"payroll_companies__in": list(company_ids)}
        )
        users = users.filter(sees).distinct()
    return list(users.select_related("membership", "notification_preference"))


def notify(event: Event, *, company_ids: Sequence[int] | None = None) -> None:
    """Record ``event`` for every person and endpoint that wants it, in the current
    transaction; deliver after the commit.

    ``company_ids`` narrows the people to those who see these companies (default: the
    event's company; every member for a master-wide event without one).
    """
    if company_ids is None and event.company_id is not None:
        company_ids = [event.company_id]
    occurred_at = event.occurred_at or timezone.now()
    event_id = uuid.uuid4()
    notices = [
        Notice(
            user=user,
            master_id=event.master_id,
            kind=event.kind.value,
            company_id=event.company_id,
            company_name=event.company_name[:200],
            subject=event.subject[:200],
            code=event.code[:64],
            path=event.path[:300],
            digest=choice.delivery == Delivery.DIGEST,
        )
        for user in _audience(event.master_id, company_ids)
        for choice in [choice_of(user)]
        if choice.delivery != Delivery.OFF and event.kind.value in choice.kinds
    ]
    endpoints = WebhookEndpoint.objects.filter(master_id=event.master_id, enabled=True)
    payload = event.payload(str(event_id), occurred_at)
    deliveries = [
        WebhookDelivery(
            endpoint=endpoint, event_id=event_id, kind=event.kind.value, payload=payload
        )
        for endpoint in endpoints
        if event.kind.value in endpoint.kinds
    ]
    with transaction.atomic():
        Notice.objects.bulk_create(notices)
        WebhookDelivery.objects.bulk_create(deliveries)
    immediate = [str(n.pk) for n in notices if not n.digest]
    hooks = [(str(d.pk), str(d.endpoint_id)) for d in deliveries]
    if immediate or hooks:
        transaction.on_commit(lambda: hand_over(immediate, hooks))


def connection_needs_reauthorization(account: VismaAccount, *, code: str = "") -> None:
    """Tell the master that ``account``'s grant was refused and someone must sign in to Visma
    again: its administrators and whoever is assigned a company booked through it.

    For the grant checks (call it where an account turns *needs re-authorization*, in the
    same transaction). ``code`` is Visma's refusal (``invalid_grant``), never a token.
    """
    companies: Iterable[int] = PayrollCompany.objects.filter(visma_account=account).values_list(
        "pk", flat=True
    )
    notify(
        Event(
            EventKind.REAUTHORIZATION,
            master_id=account.master_id,
            subject=account.name,
            code=code,
            path="/integrations/visma/",
        ),
        company_ids=list(companies),
    )
