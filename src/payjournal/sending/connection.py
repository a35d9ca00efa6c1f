"""The Visma client a send uses: the company's authorized account, on the process's shared
transport, OAuth client and rate limiter (:meth:`payjournal.wiring.Wiring.client`).
"""

from __future__ import annotations

from payjournal import wiring
from payjournal.payroll.models import PayrollCompany
from payjournal.visma import VismaClient


class NotConnectedError(Exception):
    """The payroll company has no authorized Visma account, or it points at another company."""

    code = "not_connected"


def client_for(company: PayrollCompany) -> VismaClient:
    """A client for the company's Visma account; :class:`NotConnectedError` when there is none.

    The client shares the process's transport: it is not closed after use.
    """
    account = company.visma_account
    if account is None or not account.is_authorized:
        raise NotConnectedError(
            f"{company.name} is not connected to an authorized Visma account. "
            "Authorize the account on the Accounts tab and map the company."
        )
    if company.mapping_is_wrong:
        raise NotConnectedError(
            f"The Visma account of {company.name} is now bound to another Visma company; "
            "map the company again."
        )
    return wiring.current().client(account.pk)
