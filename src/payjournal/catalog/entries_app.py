"""Catalog entries for failures payjournal itself detects: the authorization flow, the mapping
and the pre-flight checks against Visma's books."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from payjournal.catalog import links
from payjournal.catalog.model import Entry, Who

__all__ = ["APP_ENTRIES"]

APP_ENTRIES: tuple[Entry, ...] = (
    Entry(
        "state_mismatch",
        Who.MASTER_ADMIN,
        links.ACCOUNTS_TAB,
        _("This answer from Visma does not belong to an authorization started here."),
        _(
            "The link was opened in another browser or session, the sign-in timed out, or the "
            "page was forged. payjournal refuses it to protect your account."
        ),
        _("Go back to the Accounts tab and click the account's Visma mark again."),
    ),
    Entry(
        "code_reused",
        Who.MASTER_ADMIN,
        links.ACCOUNTS_TAB,
        _("This authorization was already completed."),
        _("Visma's answer can be used only once; the page was reloaded or opened twice."),
        _("Nothing to do if the account shows “Authorized”; otherwise authorize it again."),
    ),
    Entry(
        "wrong_company",
        Who.MASTER_ADMIN,
        links.ADMINISTRATIONS_TAB,
        _("The Visma authorization is for a different company than the mapped one."),
        _(
            "One authorization covers exactly one Visma company. This account is now bound to "
            "another company than the one the payroll company is mapped to, so journals would "
            "go to the wrong books."
        ),
        _(
            "Authorize the account again and pick the mapped company, or add a new account for "
            "the other company and map the payroll company to it."
        ),
    ),
    Entry(
        "wrong_registration_number",
        Who.MASTER_ADMIN,
        links.ADMINISTRATIONS_TAB,
        _("The payroll company is mapped to the wrong Visma company."),
        _(
            "The organisation number in the Visma company's settings is not the payroll "
            "company's, so journals would go to another employer's books."
        ),
        _(
            "Map the payroll company to the account authorized for its own Visma company, or "
            "correct the organisation number where it is wrong (in payjournal or in Visma)."
        ),
    ),
    Entry(
        "wrong_currency",
        Who.MASTER_ADMIN,
        links.ADMINISTRATIONS_TAB,
        _("The Visma company books in another currency than the payroll company pays in."),
        _(
            "Visma books every voucher in the company's own currency; a journal in another "
            "currency means the payroll company is mapped to the wrong Visma company."
        ),
        _(
            "Map the payroll company to the account authorized for the Visma company that "
            "books in its currency."
        ),
    ),
    Entry(
        "not_authorized",
        Who.MASTER_ADMIN,
        links.ADMINISTRATIONS_TAB,
        _("The payroll company is not connected to an authorized Visma company."),
        _(
            "Journals go to the Visma company the payroll company is mapped to; there is no "
            "mapping, or its Visma account is not authorized."
        ),
        _(
            "Authorize a Visma account under Integrations → Visma eAccounting, then map the "
            "payroll company to it under Administrations."
        ),
    ),
    Entry(
        "fiscal_year_locked",
        Who.BOOKKEEPER,
        links.VISMA_FISCAL_YEARS,
        _("The fiscal year of the voucher date is closed in Visma."),
        _("The bookkeeper locked the fiscal year; Visma accepts no new vouchers in it."),
        _("Ask the bookkeeper to reopen the fiscal year, or book the journal on an open date."),
    ),
    Entry(
        "account_inactive",
        Who.BOOKKEEPER,
        links.VISMA_CHART,
        _("An account of the journal is inactive in Visma."),
        _(
            "The account exists in the chart of accounts but was deactivated, so Visma refuses "
            "bookings on it."
        ),
        _(
            "Ask the bookkeeper to activate the account in Visma, or change the ledger scheme "
            "to an active account."
        ),
        original="account is inactive",
        visma_error_code=2000,
    ),
    Entry(
        "account_blocked_for_manual_booking",
        Who.BOOKKEEPER,
        links.VISMA_CHART,
        _("An account of the journal is closed for manual booking in Visma."),
        _(
            "Some accounts (bank, VAT, receivables) are booked only by Visma itself; a journal "
            "may not post on them."
        ),
        _(
            "Change the ledger scheme to another account, or ask the bookkeeper to allow "
            "manual booking on the account."
        ),
        original="account is blocked for manual booking",
        visma_error_code=2000,
    ),
    Entry(
        "cost_center_not_allowed",
        Who.BOOKKEEPER,
        links.VISMA_CHART,
        _("A cost center is used on an account that does not allow cost centers."),
        _(
            "In Visma each account says whether cost centers may be booked on it; this one "
            "says no, but the ledger scheme puts a department on it."
        ),
        _(
            "Ask the bookkeeper to allow cost centers on the account in Visma, or change the "
            "ledger scheme so this account gets no cost center."
        ),
        original="account does not allow cost centers",
        visma_error_code=2000,
    ),
    Entry(
        "cost_center_item_missing",
        Who.BOOKKEEPER,
        links.VISMA_COST_CENTERS,
        _("A cost center of the journal does not exist or is inactive in Visma."),
        _(
            "The ledger scheme maps a department to a cost center item that Visma does not "
            "have, or that was deactivated."
        ),
        _(
            "Create or activate the cost center item in Visma, or correct the department "
            "mapping in the ledger scheme."
        ),
        original="cost center item is inactive",
        visma_error_code=2000,
    ),
    Entry(
        "job_failed",
        Who.PAYROLL_ADMIN,
        links.COMPANY_PAGE,
        _("The background send of this journal stopped before it finished."),
        _(
            "The job that sends the journal to Visma ended with an error, was cancelled or was "
            "lost (for example when a server was restarted or misconfigured). payjournal "
            "restarted it by itself where that was safe; nothing was booked twice."
        ),
        _(
            "Click Retry. payjournal first checks in Visma whether the voucher arrived, so "
            "nothing is booked twice. If it stops again, ask your administrator to look at the "
            "send workers' logs."
        ),
    ),
    Entry(
        "internal_error",
        Who.NOBODY,
        links.RUN_PAGE,
        _("Something went wrong in payjournal."),
        _("payjournal met an error it does not know; nothing was sent."),
        _("Try again. If it persists, contact support with the time it happened."),
    ),
)
