"""The Visma client a send uses: the company's authorized account, on the process's shared
transport, OAuth client and rate limiter (:func:`payjournal.integrations.gateway.client`).
"""

from __future__ import annotations

from payjournal.integrations import gateway
from payjournal.payroll.models import PayrollCompany
from payjournal.preflight.service import connection_problem
from payjournal.visma import VismaClient


class NotConnectedError(Exception):
    """The payroll company has no authorized Visma account, or it points at another company."""

    code = "not_connected"


def client_for(company: PayrollCompany) -> VismaClient:
    """A client for the company's Visma account; :class:`NotConnectedError` when payjournal
    knows the connection cannot work (:func:`~payjournal.preflight.service.connection_problem`).

    The client shares the process's transport: it is not closed after use.
    """
    problem = connection_problem(company)
    if problem == "wrong_company":
        raise NotConnectedError(
            f"The Visma account of {company.name} is now bound to another Visma company; "
            "map the company again."
        )
    account = company.visma_account
    if problem or account is None:
        raise NotConnectedError(
            f"{company.name} is not connected to an authorized Visma account. "
            "Authorize the account on the Accounts tab and map the company."
        )
    return gateway.client(account.pk)
