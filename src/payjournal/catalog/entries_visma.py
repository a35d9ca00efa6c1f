"""Catalog entries for what Visma eAccounting answers (keyed on the client's error ``code``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from payjournal.catalog import links
from payjournal.catalog.model import Entry, Who

__all__ = ["VISMA_ENTRIES"]

VISMA_ENTRIES: tuple[Entry, ...] = (
    Entry(
        "fiscal_year_missing",
        Who.BOOKKEEPER,
        links.VISMA_FISCAL_YEARS,
        _("Visma has no fiscal year for the voucher date."),
        _(
            "Visma books a voucher in the fiscal year that contains its date. The next fiscal "
            "year is usually created at year end; until then a journal dated in the new year "
            "has nowhere to go."
        ),
        _(
            "Create the fiscal year in Visma eAccounting, or let payjournal create it: run the "
            "check on the run and choose “Create fiscal year”. Then send the journal again."
        ),
        original="Resource not found: fiscalYearId",
        visma_error_code=3001,
    ),
    Entry(
        "module_not_activated",
        Who.MASTER_ADMIN,
        links.VISMA_APPS,
        _("The API module is not activated for this Visma company."),
        _(
            "Visma answers API calls only for companies with the API add-on. Either the add-on "
            "is not active, or a default company is set in Visma, so the authorization landed "
            "in a company without it."
        ),
        _(
            "In Visma eAccounting, activate the API add-on under Settings → Apps and extensions "
            "(Extra services). If a default company is set (top-right menu → Choose default "
            "company), remove the star. Then authorize the account again in payjournal and "
            "pick the right company."
        ),
        original="ForbiddenRequestException - No access to module: api_standard",
        visma_error_code=4002,
        also_seen=("No access to module: api_standard", "De API module is nog niet geactiveerd"),
    ),
    Entry(
        "account_not_found",
        Who.PAYROLL_ADMIN,
        links.COMPANY_PAGE,
        _("An account of the journal does not exist in Visma."),
        _(
            "The ledger scheme books on an account number that is not in the Visma chart of "
            "accounts for the voucher's fiscal year."
        ),
        _(
            "Correct the account in the ledger scheme of the payroll company, or ask the "
            "bookkeeper to add the account in Visma (Settings → Chart of accounts)."
        ),
        original="Resource not found: account",
        visma_error_code=3002,
    ),
    Entry(
        "period_locked",
        Who.BOOKKEEPER,
        links.VISMA_COMPANY_SETTINGS,
        _("The voucher date is in a locked accounting period."),
        _(
            "The bookkeeper closed the books up to a date (for a VAT return or the year end); "
            "Visma refuses new vouchers on or before that date."
        ),
        _(
            "Ask the bookkeeper to move the lock date back in Visma, or book the journal on an "
            "open date. Then send it again."
        ),
        original="The voucher date is in a locked accounting period.",
        visma_error_code=4026,
    ),
    Entry(
        "no_company_access",
        Who.MASTER_ADMIN,
        links.VISMA_USERS,
        _("The Visma user has no access to this company any more."),
        _(
            "The user who authorized payjournal lost access to the company in Visma (removed "
            "or their rights were changed), or a default company points elsewhere."
        ),
        _(
            "In Visma, give that user access to the company again (Settings → Users) and check "
            "the default company; then authorize the account again in payjournal."
        ),
        original=(
            "ForbiddenRequestException - The authenticated user does not have access to "
            "eAccounting for this company."
        ),
        visma_error_code=4011,
    ),
    Entry(
        "startup_guide_not_completed",
        Who.BOOKKEEPER,
        links.VISMA_START_GUIDE,
        _("The Visma company is not set up yet."),
        _("Visma accepts API calls only after the company's startup guide is completed."),
        _(
            "Sign in to Visma eAccounting with this company and complete the startup guide, "
            "then check the run again."
        ),
        original="Error: the startup guide has not been completed",
        visma_error_code=4003,
    ),
    Entry(
        "company_not_active",
        Who.MASTER_ADMIN,
        links.VISMA_APPS,
        _("The Visma company is not active."),
        _("The company's Visma subscription ended or was paused, so Visma refuses API calls."),
        _(
            "Reactivate the company's subscription in Visma, or map the payroll company to "
            "another Visma company."
        ),
        visma_error_code=4004,
    ),
    Entry(
        "missing_scope",
        Who.MASTER_ADMIN,
        links.ACCOUNTS_TAB,
        _("payjournal lacks a permission in Visma."),
        _(
            "The authorization was given without all the permissions payjournal asks for "
            "(bookkeeping and reading company settings)."
        ),
        _("Authorize the account again in payjournal and accept every permission."),
        visma_error_code=4006,
    ),
    Entry(
        "rate_limited",
        Who.NOBODY,
        links.RUN_PAGE,
        _("Visma asked payjournal to slow down."),
        _(
            "Visma allows 600 requests per minute per endpoint. At month end many journals "
            "are sent at once; payjournal waits and retries by itself."
        ),
        _(
            "Nothing to do: the journal is sent as soon as Visma allows it. If this message "
            "stays for more than an hour, contact support."
        ),
        original="API calls quota exceeded! maximum admitted 600 per Minute.",
        visma_error_code=4010,
    ),
    Entry(
        "invalid_grant",
        Who.MASTER_ADMIN,
        links.ACCOUNTS_TAB,
        _("Visma no longer accepts payjournal's authorization."),
        _(
            "The authorization was revoked: the Visma user's password changed, access was "
            "withdrawn, the authorization expired, or a sign-in code was used twice."
        ),
        _(
            "Authorize the account again from Integrations → Visma eAccounting (click its "
            "mark), in one go. Journals waiting for it are sent afterwards."
        ),
        original="invalid_grant",
    ),
    Entry(
        "authorization_required",
        Who.MASTER_ADMIN,
        links.ACCOUNTS_TAB,
        _("The Visma account is not authorized."),
        _("payjournal has no valid authorization for this Visma account."),
        _("Authorize the account from Integrations → Visma eAccounting (click its mark)."),
    ),
    Entry(
        "authentication_failed",
        Who.MASTER_ADMIN,
        links.ACCOUNTS_TAB,
        _("Visma did not accept payjournal's credentials."),
        _("Visma refused the access token even after a fresh one was fetched."),
        _(
            "Authorize the account again. If it happens again, contact support with the time "
            "it happened."
        ),
        original="Unauthorized",
    ),
    Entry(
        "network_error",
        Who.NOBODY,
        links.VISMA_STATUS,
        _("Visma could not be reached."),
        _(
            "The network between payjournal and Visma failed (no connection, a name lookup or "
            "a secure connection failed). Nothing was sent."
        ),
        _(
            "Nothing to do: payjournal tries again by itself. If it persists, check Visma's "
            "status page and your network."
        ),
    ),
    Entry(
        "server_error",
        Who.NOBODY,
        links.VISMA_STATUS,
        _("Visma is not working properly right now."),
        _("Visma answered with a server error (it is down or overloaded)."),
        _("Nothing to do: payjournal tries again later. If it lasts, check Visma's status page."),
        original="Internal Server Error",
    ),
    Entry(
        "outcome_unknown",
        Who.NOBODY,
        links.RUN_PAGE,
        _("It is not known yet whether Visma booked the journal."),
        _(
            "The journal was sent but no answer came back (time-out or server error), so Visma "
            "may or may not have booked it."
        ),
        _(
            "Nothing to do: payjournal reads Visma's vouchers back and sends again only if the "
            "journal is not there, so it is never booked twice."
        ),
    ),
    Entry(
        "unexpected_response",
        Who.NOBODY,
        links.VISMA_STATUS,
        _("Visma gave an answer payjournal cannot read."),
        _("Visma changed something or had a temporary fault."),
        _("Try again later. If it persists, contact support with the time it happened."),
    ),
    Entry(
        "validation_failed",
        Who.PAYROLL_ADMIN,
        links.RUN_PAGE,
        _("Visma refused the journal's content."),
        _("Visma checks every row; the details say which field it refused and why."),
        _(
            "Correct the ledger scheme or the accounts in Visma as the details say, then send "
            "again."
        ),
        visma_error_code=2000,
    ),
    Entry(
        "conflict",
        Who.NOBODY,
        links.RUN_PAGE,
        _("Visma reported a conflict with existing data."),
        _("Something with the same identity already exists in Visma, or it changed meanwhile."),
        _("Check the run again; payjournal reconciles before it sends anything twice."),
        visma_error_code=4000,
    ),
    Entry(
        "not_found",
        Who.PAYROLL_ADMIN,
        links.RUN_PAGE,
        _("Visma could not find something the journal refers to."),
        _("An account, cost center or other item of the journal does not exist in Visma."),
        _("Run the check on the run; it names what is missing."),
        visma_error_code=3000,
    ),
    Entry(
        "permission_denied",
        Who.MASTER_ADMIN,
        links.VISMA_USERS,
        _("Visma refused access."),
        _("The Visma user or company lacks a right that this request needs."),
        _("Check the Visma user's rights and the company's add-ons, then authorize again."),
    ),
    Entry(
        "api_error",
        Who.NOBODY,
        links.VISMA_STATUS,
        _("Visma refused the request."),
        _("Visma answered with an error payjournal has no specific explanation for."),
        _("Try again. If it persists, contact support with the time and the original message."),
    ),
    Entry(
        "oauth_error",
        Who.MASTER_ADMIN,
        links.ACCOUNTS_TAB,
        _("Visma refused the authorization."),
        _("Visma's identity server answered with an error."),
        _("Authorize again. If it happens again, contact support with the time it happened."),
    ),
    Entry(
        "access_denied",
        Who.MASTER_ADMIN,
        links.ACCOUNTS_TAB,
        _("Visma did not give payjournal access."),
        _("Someone chose “Deny” on Visma's consent page, so no connection was made."),
        _("Start the authorization again from the Accounts tab and choose “Allow”."),
        original="access_denied",
    ),
)
