"""Integrations → Visma eAccounting: the Accounts tab and the OAuth browser leg.

Flow errors are translated to pages here, once (:mod:`.problems`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from payjournal import wiring
from payjournal.integrations import services
from payjournal.integrations.forms import AccountForm
from payjournal.integrations.models import VismaAccount
from payjournal.integrations.problems import AuthorizationFlowError
from payjournal.tenancy.access import get_scoped, member_required
from payjournal.tenancy.models import Membership, Role
from payjournal.visma import VismaOAuth

PENDING_KEY = "visma_pending"
USED_KEY = "visma_used_states"
MAX_PENDING = 10


def _oauth(request: HttpRequest) -> VismaOAuth:
    """An OAuth client of the process's wiring whose callback is the one registered at Visma:
    ``PAYJOURNAL_PUBLIC_URL`` based, else this request's host (close it after)."""
    path = reverse("visma-callback")
    base = settings.PAYJOURNAL_PUBLIC_URL
    callback = base.rstrip("/") + path if base else request.build_absolute_uri(path)
    return wiring.current().oauth(callback)


def _accounts(membership: Membership) -> Any:
    return VismaAccount.objects.filter(master=membership.master).order_by("name", "id")


@dataclass(frozen=True, slots=True)
class AccountRow:
    """One line of the Accounts tab, its links resolved (one ``reverse`` per page, not two per
    account: the tab lists hundreds)."""

    pk: int
    name: str
    status: str
    status_reason: str
    visma_company_name: str
    authorize_url: str
    disconnect_url: str
    #: when the stored tokens were issued (their age is shown), and Visma last answered a call
    tokens_issued_at: datetime | None = None
    last_call_ok_at: datetime | None = None


def _account_rows(membership: Membership) -> list[AccountRow]:
    # /…/accounts/<id>/authorize/ and /…/accounts/<id>/disconnect/ share the prefix
    prefix = reverse("visma-authorize", args=(0,)).removesuffix("0/authorize/")
    return [
        AccountRow(
            account.pk,
            account.name,
            account.status,
            account.refusal_reason,
            account.visma_company_name,
            f"{prefix}{account.pk}/authorize/",
            f"{prefix}{account.pk}/disconnect/",
            account.tokens_issued_at,
            account.last_call_ok_at,
        )
        for account in _accounts(membership)
    ]


@member_required(Role.MASTER_ADMIN)
def accounts(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The master's Visma accounts; POST adds one (a refused name answers 400 with why)."""
    error = ""
    status = 200
    if request.method == "POST":
        form = AccountForm(request.POST)
        try:
            if not form.is_valid():
                reasons = " ".join(str(reason) for reason in form.errors["name"])
                raise ValueError(f"{form['name'].label}: {reasons}")
            account = services.create_account(membership.master, form.cleaned_data["name"])
        except ValueError as exc:
            message = str(exc)
            # not capitalize(): it lowercases the name
            error = message[:1].upper() + message[1:].rstrip(".") + "."
            status = 400
        else:
            messages.success(
                request,
                _("Account “%(name)s” created. Click its grey mark to authorize it.")
                % {"name": account.name},
            )
            return redirect("visma-accounts")
    return render(
        request,
        "integrations/accounts.html",
        {"accounts": _account_rows(membership), "error": error, "tab": "accounts"},
        status=status,
    )


@require_GET
@member_required(Role.MASTER_ADMIN)
def accounts_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The list alone, polled by every open tab so marks change without a reload."""
    return render(
        request, "integrations/_accounts_list.html", {"accounts": _account_rows(membership)}
    )


@require_GET
@member_required(Role.MASTER_ADMIN)
def authorize(request: HttpRequest, membership: Membership, account_id: int) -> HttpResponse:
    account = get_scoped(_accounts(membership), pk=account_id)
    with _oauth(request) as oauth:
        url, pending = services.start_authorization(account, oauth)
    stored = dict(request.session.get(PENDING_KEY, {}))
    stored[pending.state] = pending.as_dict()
    request.session[PENDING_KEY] = dict(list(stored.items())[-MAX_PENDING:])
    return redirect(url)


@require_GET
@member_required(Role.MASTER_ADMIN)
def callback(request: HttpRequest, membership: Membership) -> HttpResponse:
    state = request.GET.get("state", "")
    stored = dict(request.session.get(PENDING_KEY, {}))
    raw = stored.pop(state, None)
    if raw is None:
        used = state and state in request.session.get(USED_KEY, [])
        code = "access_denied" if request.GET.get("error") == "access_denied" and not used else None
        return _problem(request, code or ("code_reused" if used else "state_mismatch"), None)
    request.session[PENDING_KEY] = stored
    request.session[USED_KEY] = [*request.session.get(USED_KEY, [])[-MAX_PENDING:], state]
    pending = services.PendingAuthorization.from_dict(raw)
    account = get_scoped(_accounts(membership), pk=pending.account_id)
    try:
        with _oauth(request) as oauth:
            account = services.complete_authorization(
                account, oauth, request.build_absolute_uri(), pending
            )
    except AuthorizationFlowError as exc:
        return _problem(request, exc.code, account)
    return render(request, "integrations/authorized.html", {"account": account})


def _problem(request: HttpRequest, code: str, account: VismaAccount | None) -> HttpResponse:
    problem = AuthorizationFlowError(code).explain()
    return render(
        request,
        "integrations/problem.html",
        {"problem": problem, "account": account},
        status=400,
    )


@require_POST
@member_required(Role.MASTER_ADMIN)
def disconnect(request: HttpRequest, membership: Membership, account_id: int) -> HttpResponse:
    account = get_scoped(_accounts(membership), pk=account_id)
    with _oauth(request) as oauth:
        services.disconnect(account, oauth)
    messages.info(
        request,
        _("Account “%(name)s” is disconnected; Visma revoked its access.") % {"name": account.name},
    )
    return redirect("visma-accounts")
