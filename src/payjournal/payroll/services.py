"""Use cases of payroll companies and runs: create a company, import a run, map to Visma.

Storing a run reads the file with the domain's readers, assembles its journal with the
company's scheme in one pass (every problem at once, nothing stored partially) and freezes it in
integer minor units. The same content again is a no-op; other content is the next version, and
so is the same content of a withdrawn run (it brings the run back).

A run file comes in through :func:`payjournal.sending.services.import_run`, which stores it here
and hands the new version to the books in the same transaction; :func:`store_run` alone only
stores (the sample companies, which are not mapped to Visma yet).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import translation
from django.utils.translation import gettext

from payjournal import catalog
from payjournal.domain.formats import InputError, read_run, read_scheme
from payjournal.domain.journal import Journal
from payjournal.domain.posting import assemble
from payjournal.domain.problems import Problem, ProblemCode
from payjournal.domain.scheme import LedgerScheme
from payjournal.domain.submission import SubmissionState
from payjournal.integrations.identity import CompanyIdentity, mismatch
from payjournal.integrations.models import VismaAccount
from payjournal.payroll.errors import RunRejectedError, RunUnreadableError
from payjournal.payroll.journals import store_journal
from payjournal.payroll.limits import FileTooLargeError, check_within_limit
from payjournal.payroll.models import (
    PayrollCompany,
    PayrollRun,
    SeenComponent,
    kind_labels,
)
from payjournal.tenancy.models import Master, Membership

__all__ = [
    "FileTooLargeError",
    "ImportResult",
    "MappingRefusedError",
    "RunRejectedError",
    "RunUnreadableError",
    "companies_for",
    "create_company",
    "load_scheme",
    "map_company",
    "remember_components",
    "store_run",
]

#: Unmapped component codes a refused run adds to the scheme editor's coverage, at most.
MAX_UNMAPPED_REMEMBERED = 100


class MappingRefusedError(ValueError):
    """A mapping that would point an administration at the wrong Visma company; ``code`` is the
    catalog entry when there is one (a wrong organisation number or currency)."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class ImportResult:
    run: PayrollRun
    created: bool


def companies_for(membership: Membership) -> QuerySet[PayrollCompany]:
    """The companies a member may see: all of the master for administrators, else assigned."""
    companies = PayrollCompany.objects.filter(master=membership.master)
    if not membership.is_master_admin:
        companies = companies.filter(assignees=membership.user)
    return companies


def load_scheme(company: PayrollCompany) -> LedgerScheme:
    return read_scheme(company.scheme_source.encode(), company.scheme_filename)


def create_company(
    master: Master,
    name: str,
    key: str,
    scheme: bytes,
    scheme_filename: str,
    registration_number: str = "",
) -> PayrollCompany:
    """A payroll company with its ledger scheme (checked by reading it) and, when known, its
    organisation number (its Visma company must have the same)."""
    check_within_limit(scheme, scheme_filename)
    try:
        read_scheme(scheme, scheme_filename)
    except InputError as exc:
        raise RunUnreadableError.of_file(exc) from None
    return PayrollCompany.objects.create(
        master=master,
        name=name,
        key=key,
        scheme_source=scheme.decode("utf-8-sig"),
        scheme_filename=scheme_filename,
        registration_number=registration_number.strip(),
    )


def in_voucher_language(
    scheme: LedgerScheme, company: PayrollCompany, kind: str, currency: str
) -> LedgerScheme:
    """``scheme`` whose voucher text says the run's kind in the company's voucher language
    ("Tussentijds", "Extra"), so the text Visma receives never mixes two languages."""
    with translation.override(company.voucher_language(currency)):
        word = kind_labels().get(kind, kind).lower()
    return replace(scheme, voucher_text=scheme.voucher_text.replace("{kind}", word))


def store_run(
    company: PayrollCompany,
    data: bytes,
    source_name: str,
    user: User | None = None,
    on_stored: Callable[[PayrollRun], object] | None = None,
) -> ImportResult:
    """Store the run of ``data`` as its next version, with its frozen journal — or refuse it
    whole (:class:`RunRejectedError`; :class:`FileTooLargeError` unread, over the limit).

    ``on_stored`` is called with a new version inside the transaction that stores it, once its
    journal is stored whole (lines too): what it decides commits or rolls back with the run.
    """
    check_within_limit(data, source_name)
    try:
        run = read_run(data, source_name)
    except InputError as exc:
        raise RunUnreadableError.of_file(exc) from None
    if run.company != company.key:
        message = f"The file is for company {run.company!r}, not {company.key!r} ({company.name})."
        raise RunRejectedError([Problem(ProblemCode.RUN_OF_ANOTHER_COMPANY, message, run.company)])
    try:
        scheme = load_scheme(company)
    except InputError as exc:  # stored under older, looser rules of the reader
        raise RunRejectedError(
            [
                Problem(
                    ProblemCode.SCHEME_UNREADABLE,
                    f"The ledger scheme of {company.name} can no longer be read: {problem} "
                    "Correct the scheme on the company page (Ledger scheme) and import the "
                    "run again.",
                    problem.field,
                )
                for problem in exc.problems
            ]
        ) from None
    journal = assemble(run, in_voucher_language(scheme, company, run.kind, run.currency))
    if not isinstance(journal, Journal):
        problems = journal
        # Nothing of the run is stored, but its component codes count for the coverage: the
        # ones the scheme maps, and at most MAX_UNMAPPED_REMEMBERED of the others, so a file
        # of thousands of junk codes cannot flood the scheme editor.
        codes = {line.component for line in run.lines}
        unmapped = sorted(code for code in codes if code not in scheme.components)
        remember_components(
            company,
            run.run_id,
            (codes - set(unmapped)) | set(unmapped[:MAX_UNMAPPED_REMEMBERED]),
        )
        raise RunRejectedError(problems)
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        # Pushes of one company queue here: the next version number is read and used under
        # the company's row lock, so concurrent pushes never race for one version. NO KEY: a
        # FOR UPDATE lock would also block the foreign-key checks (FOR KEY SHARE) that another
        # transaction's commit makes on this row, and a send settling a leg of the run then
        # deadlocks with the push (seen under the chaos test on PostgreSQL).
        PayrollCompany.objects.select_for_update(no_key=True).filter(pk=company.pk).first()
        versions = PayrollRun.objects.filter(company=company, run_id=run.run_id)
        latest = versions.order_by("-version").first()
        if latest is not None and latest.source_sha256 == digest and latest.withdrawn_at is None:
            return ImportResult(latest, created=False)
        # other content, or a withdrawn run sent again: the next version (it is not withdrawn)
        number = (versions.aggregate(top=Max("version"))["top"] or 0) + 1
        stored = PayrollRun.objects.create(
            company=company,
            run_id=run.run_id,
            version=number,
            kind=str(run.kind),
            period_label=run.period.label,
            period_start=run.period.start,
            period_end=run.period.end,
            payment_date=run.payment_date,
            currency=run.currency,
            source_name=source_name[:200],
            source_sha256=digest,
            imported_by=user,
        )
        store_journal(stored, journal)
        remember_components(company, run.run_id, {line.component for line in run.lines})
        if on_stored is not None:
            on_stored(stored)
    return ImportResult(stored, created=True)


def remember_components(company: PayrollCompany, run_id: str, components: Iterable[str]) -> None:
    """Note that ``components`` occurred in run ``run_id`` (the scheme editor's coverage)."""
    SeenComponent.objects.bulk_create(
        [
            SeenComponent(company=company, component=code[:64], last_run_id=run_id[:64])
            for code in sorted(components)
        ],
        update_conflicts=True,
        unique_fields=("company", "component"),
        update_fields=("last_run_id", "last_seen_at"),
    )


def map_company(company: PayrollCompany, account: VismaAccount | None) -> PayrollCompany:
    """Map ``company`` to the Visma company of ``account`` (``None`` removes the mapping).

    Refused when the account is not authorized (its company is unknown) or belongs to another
    master, or when sent journals already went to another Visma company.
    """
    if account is None:
        company.visma_account = None
        company.visma_company_id = ""
        company.save(update_fields=("visma_account", "visma_company_id"))
        return company
    if account.master_id != company.master_id:
        raise MappingRefusedError(gettext("That account belongs to another organisation."))
    if not account.is_authorized or not account.visma_company_id:
        raise MappingRefusedError(
            gettext(
                "Account “%(name)s” is not authorized, so its Visma company is unknown. "
                "Authorize it on the Accounts tab first."
            )
            % {"name": account.name}
        )
    sent_elsewhere = (
        company.visma_company_id
        and company.visma_company_id != account.visma_company_id
        and company.submissions.filter(state=SubmissionState.SENT).exists()
    )
    if sent_elsewhere:
        raise MappingRefusedError(
            gettext(
                "Journals of %(company)s were already sent to another Visma company; account "
                "“%(name)s” is bound to “%(visma_company)s”. Map it to an account authorized "
                "for the original company."
            )
            % {
                "company": company.name,
                "name": account.name,
                "visma_company": account.visma_company_name,
            }
        )
    _refuse_another_employer(company, account)
    company.visma_account = account
    company.visma_company_id = account.visma_company_id
    company.save(update_fields=("visma_account", "visma_company_id"))
    return company


def pays_in(company: PayrollCompany) -> str:
    """The currency ``company`` pays in: its ledger scheme's, else its latest run's ("" when
    neither says)."""
    currency = load_scheme(company).currency
    if currency:
        return currency
    latest = company.runs.order_by("-imported_at", "-pk").values_list("currency", flat=True)
    return latest.first() or ""


def _refuse_another_employer(company: PayrollCompany, account: VismaAccount) -> None:
    """Refuse the mapping when the account's Visma company (its settings as last read) has
    another organisation number or currency than ``company``: what, why and what to do."""
    expected = CompanyIdentity(company.registration_number, pays_in(company))
    wrong = mismatch(expected, account.visma_registration_number, account.visma_currency)
    if wrong is None:
        return
    explained = catalog.explain(wrong.code)
    raise MappingRefusedError(
        f"{explained.message} ({wrong.subject}: “{account.visma_company_name}”) "
        f"{explained.cause} {explained.solution}",
        wrong.code,
    )
