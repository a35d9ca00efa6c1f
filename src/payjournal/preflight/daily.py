"""The daily checks: every Visma account's grant, and every mapped payroll company's ledger
scheme against Visma's books.

Run once a day by the executor (:mod:`.workflows`: 03:00) and by hand with
``payjournal checks daily``. First every authorized account's grant is verified with one cheap
call (``GET /v2/companysettings``, past the cache: a token refresh when the access token is
old, and proof the bound company still answers); a refusal turns the account to
*authorization needed* at once (:mod:`payjournal.integrations.watch`), and the company's
currency and organisation number are stored for the mapping check. Then, for each company
mapped to a Visma company, it runs the drift
check (:mod:`.drift`) and stores the outcome in a :class:`~.models.DriftReport`, so the
company page flags an account deactivated or removed in Visma before the next payday. The
reads go through the day-long cache, so the day's sends that follow read nothing again: at
month-end, the one call per company and resource is made here, ahead of the sends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone

from payjournal.integrations.crypto import TokenDecryptionError
from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.integrations.watch import RECOVERABLE_CODES
from payjournal.notifications.events import Event, EventKind
from payjournal.notifications.service import notify
from payjournal.payroll.models import PayrollCompany
from payjournal.preflight.checklist import Checklist
from payjournal.preflight.drift import check_scheme
from payjournal.preflight.models import DriftReport
from payjournal.preflight.service import ClientFactory, default_client
from payjournal.visma import VismaError

__all__ = [
    "DailySummary",
    "Started",
    "check_every_company",
    "notify_findings",
    "record",
    "verify_grants",
]

#: Told before the checks begin how many companies there are; answers what to tell after each
#: company (its name): ``payjournal checks daily`` shows its progress bar with it.
Started = Callable[[int], Callable[[str], None]]

log = logging.getLogger("payjournal.preflight")


@dataclass(frozen=True, slots=True)
class DailySummary:
    """How the day's checks went: companies checked, with drift, and not checkable."""

    checked: int
    drifted: int
    errors: int
    #: Names of the companies that could not be checked (their reports are left as they were).
    not_checkable: tuple[str, ...] = ()
    #: Names of the Visma accounts that need re-authorization after the grant checks.
    reauthorize: tuple[str, ...] = ()


def record(company: PayrollCompany, day: date, checklist: Checklist) -> DriftReport:
    """Store ``checklist`` as the company's latest drift report, and notify what it newly
    found (:func:`notify_findings`)."""
    failures = [
        {"key": item.key.value, "code": item.code, "subject": item.subject}
        for item in checklist.failed
    ]
    before = DriftReport.objects.filter(company=company).values_list("failures", flat=True).first()
    notify_findings(company, failures, before or [])
    report, _ = DriftReport.objects.update_or_create(
        company=company,
        defaults={
            "checked_at": timezone.now(),
            "checked_for": day,
            "passed": checklist.passed,
            "failures": failures,
        },
    )
    return report


#: Checklist keys that say Visma could not be read (the connection's event, not drift).
_NOT_DRIFT = frozenset({"connection", "api_module"})


def notify_findings(
    company: PayrollCompany, failures: list[dict[str, str]], before: list[dict[str, str]]
) -> None:
    """Notify each failure the previous report did not have: a missing fiscal year for the
    next voucher date, or drift (an account or cost center no longer usable). A finding that
    stays is not notified again every morning."""
    new = [f for f in failures if f not in before and f["key"] not in _NOT_DRIFT]
    fiscal = [f for f in new if f["code"] == "fiscal_year_missing"]
    drift = [f for f in new if f["code"] != "fiscal_year_missing"]
    found = [(EventKind.FISCAL_YEAR_MISSING, fiscal), (EventKind.DRIFT, drift)]
    for kind, items in found:
        if items:
            notify(
                Event(
                    kind,
                    master_id=company.master_id,
                    company_id=company.pk,
                    company_name=company.name,
                    subject=", ".join(sorted({f["subject"] for f in items if f["subject"]}))[:200],
                    code=items[0]["code"],
                    path=f"/companies/{company.pk}/",
                )
            )


def verify_grants(client_factory: ClientFactory = default_client) -> tuple[str, ...]:
    """One ``GET /v2/companysettings`` per account whose grant may work (authorized, or refused
    for a reason Visma may have lifted since); returns the names of the accounts that need
    re-authorization afterwards. A refusal is stored by the call itself (the client is watched);
    other failures (Visma down) leave the account as it was."""
    may_work = Q(status=AccountStatus.AUTHORIZED) | Q(
        status=AccountStatus.AUTHORIZATION_NEEDED, refusal_code__in=RECOVERABLE_CODES
    )
    accounts = VismaAccount.objects.filter(may_work).exclude(token_ciphertext=None)
    for account in accounts.order_by("pk").iterator(chunk_size=200):
        try:
            company = client_factory(account).get_company_settings()
        except (VismaError, TokenDecryptionError) as exc:
            code = getattr(exc, "code", type(exc).__name__)
            log.warning(
                "grant check failed",
                extra={"event": "preflight.grant_error", "account": account.pk, "error": code},
            )
            continue
        VismaAccount.objects.filter(pk=account.pk).update(
            visma_currency=company.currency_code or "",
            visma_registration_number=company.corporate_identity_number or "",
        )
    needing = VismaAccount.objects.filter(status=AccountStatus.AUTHORIZATION_NEEDED)
    return tuple(needing.order_by("name", "pk").values_list("name", flat=True))


def check_every_company(day: date | None = None, started: Started | None = None) -> DailySummary:
    """The grant of every account (:func:`verify_grants`), then the drift check of every
    payroll company mapped to Visma, for ``day`` (default today).

    One company's failure (Visma down for it, a revoked grant) is recorded on its report and
    does not stop the others. ``started``, when given, is told the number of companies first
    and each company's name once it is checked (or found not checkable).
    """
    day = day or timezone.localdate()
    reauthorize = verify_grants()
    # a company no longer mapped has nothing to drift from: its old report would only mislead
    DriftReport.objects.filter(company__visma_account__isnull=True).delete()
    companies = PayrollCompany.objects.filter(visma_account__isnull=False).select_related(
        "visma_account"
    )
    checked = drifted = errors = 0
    not_checkable: list[str] = []
    done = started(companies.count()) if started is not None else None
    for company in companies.order_by("pk").iterator(chunk_size=200):
        checklist = _checked(company, day)
        if checklist is None:
            errors += 1
            not_checkable.append(company.name)
        else:
            checked += 1
            drifted += not checklist.passed
        if done is not None:
            done(company.name)
    log.info(
        "daily checks done",
        extra={"event": "preflight.daily", "checked": checked, "drifted": drifted},
    )
    return DailySummary(checked, drifted, errors, tuple(not_checkable), reauthorize)


def _checked(company: PayrollCompany, day: date) -> Checklist | None:
    """The company's drift check, recorded; None when it could not be checked."""
    try:
        checklist = check_scheme(company, day)
    except (VismaError, TokenDecryptionError) as exc:
        # a read the checklist could not attribute to an item, or stored tokens that no
        # configured key opens: this company is not checkable, the others still are
        code = getattr(exc, "code", type(exc).__name__)
        log.warning(
            "daily check failed",
            extra={"event": "preflight.daily_error", "company": company.pk, "error": code},
        )
        return None
    record(company, day, checklist)
    return checklist
