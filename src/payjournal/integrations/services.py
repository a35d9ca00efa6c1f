"""Use cases of the Visma accounts, called by the views and the CLI alike.

The browser leg keeps its ``state`` and PKCE verifier in a :class:`PendingAuthorization` that
the caller stores (the web session); :func:`complete_authorization` checks it, exchanges the
code, stores the tokens encrypted, reads ``companysettings`` to learn the bound company and
refuses a company that differs from the one the account's administrations are mapped to.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from payjournal.integrations import crypto
from payjournal.integrations.identity import company_key
from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.integrations.problems import AuthorizationFlowError, problem_for
from payjournal.integrations.tokenstore import DatabaseTokenStore
from payjournal.integrations.watch import announce_authorized
from payjournal.tenancy.models import Master
from payjournal.visma import TokenSet, VismaClient, VismaError, VismaOAuth

log = logging.getLogger("payjournal.integrations")


class AccountNameTakenError(ValueError):
    """Another account of the master has this name."""


class AccountInUseError(ValueError):
    """The account cannot be deleted: payroll companies are mapped to it (``companies``)."""

    def __init__(self, account: VismaAccount, companies: list[str]) -> None:
        self.companies = companies
        super().__init__(
            ngettext(
                "Account “%(name)s” cannot be deleted: payroll company %(companies)s is mapped "
                "to it. Map it to another account (or to none) on the Administrations tab first.",
                "Account “%(name)s” cannot be deleted: payroll companies %(companies)s are mapped "
                "to it. Map them to another account (or to none) on the Administrations tab "
                "first.",
                len(companies),
            )
            % {"name": account.name, "companies": ", ".join(companies)}
        )


@dataclass(frozen=True, slots=True)
class PendingAuthorization:
    """What the callback needs to trust Visma's answer (kept in the session, never logged)."""

    account_id: int
    state: str
    code_verifier: str

    def as_dict(self) -> dict[str, object]:
        return {"account_id": self.account_id, "state": self.state, "cv": self.code_verifier}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> PendingAuthorization:
        return cls(int(str(data["account_id"])), str(data["state"]), str(data["cv"]))


def create_account(master: Master, name: str) -> VismaAccount:
    name = _account_name(name)
    try:
        with transaction.atomic():
            return VismaAccount.objects.create(master=master, name=name)
    except IntegrityError as exc:
        raise _name_taken(name) from exc


def rename_account(account: VismaAccount, name: str) -> VismaAccount:
    """Give ``account`` another name, unique in its master (its authorization is kept)."""
    name = _account_name(name)
    try:
        with transaction.atomic():
            VismaAccount.objects.filter(pk=account.pk).update(name=name)
    except IntegrityError as exc:
        raise _name_taken(name) from exc
    account.refresh_from_db()
    return account


def delete_account(account: VismaAccount, oauth: VismaOAuth) -> None:
    """Forget ``account``: delete it and revoke its grant at Visma (best effort). Refused with
    :class:`AccountInUseError` while payroll companies are mapped to it (their journals would
    have nowhere to go)."""
    with transaction.atomic():
        locked = VismaAccount.objects.select_for_update().filter(pk=account.pk).first()
        if locked is None:  # deleted meanwhile (another tab)
            return
        mapped = list(locked.payroll_companies.order_by("name").values_list("name", flat=True))
        if mapped:
            raise AccountInUseError(locked, mapped)
        tokens = DatabaseTokenStore(locked.pk).load() if locked.token_ciphertext else None
        locked.delete()
    _revoke(account.pk, oauth, tokens)
    log.info("visma account deleted", extra={"account_id": account.pk})


def _account_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValueError(gettext("an account needs a name"))
    return name


def _name_taken(name: str) -> AccountNameTakenError:
    return AccountNameTakenError(
        gettext("an account named '%(name)s' already exists") % {"name": name}
    )


def record_authorization_problem(account: VismaAccount, code: str) -> None:
    """Keep why an authorization of ``account`` failed (a catalog code) on its row, until the
    next one succeeds."""
    VismaAccount.objects.filter(pk=account.pk).update(authorization_problem=code)


def start_authorization(
    account: VismaAccount, oauth: VismaOAuth
) -> tuple[str, PendingAuthorization]:
    """The authorize URL to redirect to, and what to keep for the callback."""
    request = oauth.authorization_url()
    pending = PendingAuthorization(account.pk, request.state, request.code_verifier)
    log.info("visma authorization started", extra={"account_id": account.pk})
    return request.url, pending


def complete_authorization(
    account: VismaAccount, oauth: VismaOAuth, callback_url: str, pending: PendingAuthorization
) -> VismaAccount:
    """Exchange the code, store the tokens, bind the company. Raises AuthorizationFlowError."""
    try:
        code = oauth.parse_callback(callback_url, pending.state)
        tokens = oauth.exchange_code(code, pending.code_verifier)
    except VismaError as exc:
        raise AuthorizationFlowError(problem_for(exc)) from None
    previous = account.token_ciphertext
    store = DatabaseTokenStore(account.pk)
    store.save(tokens)
    try:
        with VismaClient(store, oauth) as client:
            company = client.get_company_settings()
    except VismaError as exc:
        _forget_new_grant(account, oauth, previous)
        raise AuthorizationFlowError(problem_for(exc)) from None
    company_id = company_key(company)
    if account.payroll_companies.exclude(visma_company_id=company_id).exists():
        _forget_new_grant(account, oauth, previous)
        raise AuthorizationFlowError("wrong_company")
    now = timezone.now()
    VismaAccount.objects.filter(pk=account.pk).update(
        status=AccountStatus.AUTHORIZED,
        status_reason="",
        authorization_problem="",
        refusal_code="",
        visma_company_id=company_id,
        visma_company_name=company.name,
        visma_currency=company.currency_code or "",
        visma_registration_number=company.corporate_identity_number or "",
        authorized_at=now,
        last_call_ok_at=now,
    )
    log.info("visma authorization completed", extra={"account_id": account.pk})
    account.refresh_from_db()
    announce_authorized(account)
    return account


def _forget_new_grant(
    account: VismaAccount, oauth: VismaOAuth, previous: crypto.Ciphertext | None
) -> None:
    """Revoke the grant just obtained and put the previous tokens back."""
    store = DatabaseTokenStore(account.pk)
    tokens = store.load()
    if tokens is not None and tokens.refresh_token:
        try:
            oauth.revoke(tokens.refresh_token)
        except VismaError:
            log.warning("could not revoke a refused grant", extra={"account_id": account.pk})
    VismaAccount.objects.filter(pk=account.pk).update(token_ciphertext=previous)


def _revoke(account_id: int, oauth: VismaOAuth, tokens: TokenSet | None) -> None:
    """Revoke a grant at Visma, if there is one (best effort: the tokens are forgotten anyway)."""
    if tokens is not None and tokens.refresh_token:
        try:
            oauth.revoke(tokens.refresh_token)
        except VismaError:
            log.warning(
                "revocation failed; tokens forgotten anyway", extra={"account_id": account_id}
            )


def disconnect(account: VismaAccount, oauth: VismaOAuth) -> None:
    """Revoke the grant at Visma (best effort) and forget the tokens."""
    tokens = DatabaseTokenStore(account.pk).load() if account.token_ciphertext else None
    _revoke(account.pk, oauth, tokens)
    VismaAccount.objects.filter(pk=account.pk).update(
        status=AccountStatus.NOT_AUTHORIZED,
        status_reason="",
        token_ciphertext=None,
        authorized_at=None,
    )


def rotate_token_keys() -> int:
    """Re-encrypt every stored token set under the newest key; returns how many."""
    count = 0
    with transaction.atomic():
        for account in VismaAccount.objects.select_for_update().exclude(token_ciphertext=None):
            assert account.token_ciphertext is not None
            VismaAccount.objects.filter(pk=account.pk).update(
                token_ciphertext=crypto.rotate(account.token_ciphertext)
            )
            count += 1
    return count
