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
from django.views.decorators.http import require_GET, require_http_methods

from payjournal import catalog, wiring
from payjournal.integrations import services
from payjournal.integrations.forms import AccountForm
from payjournal.integrations.models import VismaAccount
from payjournal.integrations.problems import AuthorizationFlowError
from payjournal.live.stamps import Kind, Topic, poller
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
    """One line of the Accounts tab, its links resolved (one ``reverse`` per page, not four per
    account: the tab lists hundreds). ``problem`` explains the last failed authorization."""

    pk: int
    name: str
    status: str
    visma_company_name: str
    url: str  # /…/accounts/<id>/: authorize/, rename/, disconnect/ and delete/ follow it
    #: why the account needs authorization (Visma's refusal, in the reader's language)
    status_reason: str
    #: the last failed authorization, explained (until one succeeds)
    problem: catalog.Explanation | None
    #: when the stored tokens were issued (their age is shown), and Visma last answered a call
    tokens_issued_at: datetime | None = None
    last_call_ok_at: datetime | None = None

    @property
    def authorize_url(self) -> str:
        return f"{self.url}authorize/"

    @property
    def rename_url(self) -> str:
        return f"{self.url}rename/"

    @property
    def disconnect_url(self) -> str:
        return f"{self.url}disconnect/"

    @property
    def delete_url(self) -> str:
        return f"{self.url}delete/"


def _account_rows(membership: Membership) -> list[AccountRow]:
    prefix = reverse("visma-authorize", args=(0,)).removesuffix("0/authorize/")
    here = reverse("visma-accounts")
    explained: dict[str, catalog.Explanation] = {}
    rows = []
    for account in _accounts(membership):
        code = account.authorization_problem
        if code and code not in explained:
            explained[code] = catalog.explain(code, here=here)
        rows.append(
            AccountRow(
                account.pk,
                account.name,
                account.status,
                account.visma_company_name,
                f"{prefix}{account.pk}/",
                account.refusal_reason,
                explained.get(code) if code else None,
                account.tokens_issued_at,
                account.last_call_ok_at,
            )
        )
    return rows


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
            error = _sentence(exc)
            status = 400
        else:
            messages.success(
                request,
                _("Account “%(name)s” created. Click its grey mark to authorize it.")
                % {"name": account.name},
            )
            return redirect("visma-accounts")
    live = poller(Topic(Kind.ACCOUNTS, membership.master_id), request)  # before the rows it follows
    return render(
        request,
        "integrations/accounts.html",
        {"accounts": _account_rows(membership), "error": error, "tab": "accounts", "live": live},
        status=status,
    )


def _sentence(exc: ValueError) -> str:
    """A refused name's reason as a sentence (not capitalize(): it lowercases the name)."""
    message = str(exc)
    return message[:1].upper() + message[1:].rstrip(".") + "."


@require_GET
@member_required(Role.MASTER_ADMIN)
def accounts_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The list alone, fetched by every open tab when the master's accounts stamp moves on
    (:mod:`payjournal.live`), so marks change without a reload."""
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
        if used:
            return _problem(request, "code_reused", None)
        # an answer to no authorization of this session: the one started last here failed
        started = _last_started(membership, stored)
        return _problem(request, code or "state_mismatch", started)
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


def _last_started(membership: Membership, pending: dict[str, Any]) -> VismaAccount | None:
    """The account whose authorization this session started last, if it is the master's."""
    if not pending:
        return None
    last = services.PendingAuthorization.from_dict(list(pending.values())[-1])
    found: VismaAccount | None = _accounts(membership).filter(pk=last.account_id).first()
    return found


def _problem(request: HttpRequest, code: str, account: VismaAccount | None) -> HttpResponse:
    """The page of a failed authorization; its explanation also stays on the account's row."""
    problem = AuthorizationFlowError(code).explain()
    if account is not None:
        services.record_authorization_problem(account, problem.code)
    return render(
        request,
        "integrations/problem.html",
        {"problem": problem, "account": account},
        status=400,
    )


def _mapped_names(account: VismaAccount) -> list[str]:
    return list(account.payroll_companies.order_by("name").values_list("name", flat=True))


def _confirm(
    request: HttpRequest, account: VismaAccount, action: str, status: int = 200
) -> HttpResponse:
    """The page that asks before ``action`` ("disconnect", "delete"), without JavaScript too;
    a deletion says instead why it is refused while payroll companies are mapped."""
    companies = _mapped_names(account)
    refusal = ""
    if action == "delete" and companies:
        refusal = str(services.AccountInUseError(account, companies))
    context = {"account": account, "action": action, "companies": companies, "refusal": refusal}
    return render(request, "integrations/confirm.html", context, status=status)


@require_http_methods(["GET", "POST"])
@member_required(Role.MASTER_ADMIN)
def rename(request: HttpRequest, membership: Membership, account_id: int) -> HttpResponse:
    """GET: the rename form; POST renames (a refused name answers the form with why, 400)."""
    account = get_scoped(_accounts(membership), pk=account_id)
    if request.method == "GET":
        return render(
            request, "integrations/rename.html", {"account": account, "name": account.name}
        )
    form = AccountForm(request.POST)
    old = account.name
    try:
        if not form.is_valid():
            reasons = " ".join(str(reason) for reason in form.errors["name"])
            raise ValueError(f"{form['name'].label}: {reasons}")
        account = services.rename_account(account, form.cleaned_data["name"])
    except ValueError as exc:
        return render(
            request,
            "integrations/rename.html",
            {"account": account, "name": request.POST.get("name", ""), "error": _sentence(exc)},
            status=400,
        )
    messages.success(
        request,
        _("Account “%(old)s” is now called “%(name)s”.") % {"old": old, "name": account.name},
    )
    return redirect("visma-accounts")


@require_http_methods(["GET", "POST"])
@member_required(Role.MASTER_ADMIN)
def delete(request: HttpRequest, membership: Membership, account_id: int) -> HttpResponse:
    """GET asks; POST deletes — refused (409, with the companies to unmap first) while payroll
    companies are mapped to the account."""
    account = get_scoped(_accounts(membership), pk=account_id)
    if request.method == "GET":
        return _confirm(request, account, "delete")
    try:
        with _oauth(request) as oauth:
            services.delete_account(account, oauth)
    except services.AccountInUseError:
        return _confirm(request, account, "delete", status=409)
    messages.success(request, _("Account “%(name)s” was deleted.") % {"name": account.name})
    return redirect("visma-accounts")


@require_http_methods(["GET", "POST"])
@member_required(Role.MASTER_ADMIN)
def disconnect(request: HttpRequest, membership: Membership, account_id: int) -> HttpResponse:
    """GET asks (naming the payroll companies that cannot send until it is authorized again);
    POST revokes the grant and forgets the tokens."""
    account = get_scoped(_accounts(membership), pk=account_id)
    if request.method == "GET":
        return _confirm(request, account, "disconnect")
    with _oauth(request) as oauth:
        services.disconnect(account, oauth)
    messages.info(
        request,
        _("Account “%(name)s” is disconnected; Visma revoked its access.") % {"name": account.name},
    )
    return redirect("visma-accounts")
