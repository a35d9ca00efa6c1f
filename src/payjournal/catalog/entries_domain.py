"""Catalog entries for the domain's problem codes (:class:`payjournal.domain.ProblemCode`):
why a run cannot become a journal. The domain's own ``message`` names the line; these texts say
why and what to do, in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from payjournal.catalog import links
from payjournal.catalog.model import Entry, Who
from payjournal.domain.problems import ProblemCode

__all__ = ["DOMAIN_ENTRIES"]

_P = Who.PAYROLL_ADMIN

DOMAIN_ENTRIES: tuple[Entry, ...] = (
    Entry(
        ProblemCode.UNMAPPED_COMPONENT.value,
        _P,
        links.COMPANY_PAGE,
        _("A wage component has no ledger account."),
        _(
            "The run contains a wage component that the ledger scheme does not map to a debit "
            "and credit account, so its row would have no account."
        ),
        _("Complete the account mapping in the ledger scheme of the payroll company."),
        original="'Ledger' cannot be empty",
        also_seen=("Ledger cannot be empty", "ledger_account_missing"),
    ),
    Entry(
        ProblemCode.UNMAPPED_DIMENSION.value,
        _P,
        links.COMPANY_PAGE,
        _("A department or cost center of the run has no mapping."),
        _("The ledger scheme does not say which Visma cost center the department books on."),
        _("Add the department to the cost-center mapping of the ledger scheme."),
    ),
    Entry(
        ProblemCode.EMPTY_RUN.value,
        _P,
        links.RUN_PAGE,
        _("The run has no lines."),
        _("Nothing was paid in this run, so there is nothing to book."),
        _("Check the export from the payroll system; import the run again with its lines."),
    ),
    Entry(
        ProblemCode.NOTHING_TO_BOOK.value,
        _P,
        links.RUN_PAGE,
        _("The run books nothing."),
        _("Every amount of the run is zero or is excluded by the ledger scheme."),
        _("Check the run and the ledger scheme; a run without amounts need not be sent."),
    ),
    Entry(
        ProblemCode.UNKNOWN_CURRENCY.value,
        _P,
        links.RUN_PAGE,
        _("The run's currency is unknown."),
        _("The currency code of the run is not a valid ISO currency."),
        _("Correct the currency in the payroll system's export and import the run again."),
    ),
    Entry(
        ProblemCode.CURRENCY_MISMATCH.value,
        _P,
        links.RUN_PAGE,
        _("The run's currency differs from the books."),
        _("Lines in another currency than the company's books cannot be booked as they are."),
        _("Export the run in the company's currency and import it again."),
    ),
    Entry(
        ProblemCode.ALLOCATION_NOT_100.value,
        _P,
        links.RUN_PAGE,
        _("A cost split does not add up to 100%."),
        _("An employee's cost is split over departments with shares that do not total 100%."),
        _("Correct the split in the payroll system and import the run again."),
    ),
    Entry(
        ProblemCode.TEXT_TOO_LONG.value,
        _P,
        links.COMPANY_PAGE,
        _("A text is too long for Visma."),
        _("Visma allows at most 60 characters per row text and 1,000 for the voucher text."),
        _("Shorten the text template in the ledger scheme."),
    ),
    Entry(
        ProblemCode.AMOUNT_OUT_OF_RANGE.value,
        _P,
        links.RUN_PAGE,
        _("An amount is outside what Visma accepts."),
        _("Visma accepts positive amounts below one billion on a row."),
        _("Check the amount in the payroll system; correct it and import the run again."),
    ),
    Entry(
        ProblemCode.AMOUNT_TOO_PRECISE.value,
        _P,
        links.RUN_PAGE,
        _("An amount has more than two decimals."),
        _("Visma books amounts in whole cents; payjournal never rounds silently."),
        _("Export the run with amounts in cents and import it again."),
    ),
    Entry(
        ProblemCode.UNREADABLE_FILE.value,
        _P,
        links.COMPANY_PAGE,
        _("The run file cannot be read."),
        _(
            "The file is not a run export payjournal reads (CSV or JSON in UTF-8), or a field "
            "holds a value that is not what it should be; the problem names the line and field."
        ),
        _("Export the run again from the payroll system, or correct the line, and import it."),
    ),
    Entry(
        ProblemCode.FILE_TOO_LARGE.value,
        _P,
        links.COMPANY_PAGE,
        _("The file is larger than payjournal accepts."),
        _("Files over the upload limit are refused unread, so no run is imported partially."),
        _("Export the run on its own, or ask the operator to raise the upload limit."),
    ),
    Entry(
        ProblemCode.RUN_OF_ANOTHER_COMPANY.value,
        _P,
        links.COMPANY_PAGE,
        _("The run belongs to another payroll company."),
        _("The company code in the file is not the code of the company it was imported into."),
        _("Import the file on the page of the company it was exported for."),
    ),
    Entry(
        ProblemCode.SCHEME_UNREADABLE.value,
        _P,
        links.COMPANY_PAGE,
        _("The company's ledger scheme can no longer be read."),
        _("The scheme was stored under older, looser rules than today's reader applies."),
        _("Correct the ledger scheme on the company page and import the run again."),
    ),
)
