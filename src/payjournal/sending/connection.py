"""The Visma port a send uses, and the gateway of a payroll company's authorized account.

:class:`AccountingGateway` is the part of :class:`~payjournal.visma.VismaClient` the send step
and its pre-flight call; ``tests/sending/fake_visma.py`` implements it to test the send state
machine and its faults in milliseconds. The default gateway is the account's client on the
process's shared transport, OAuth client and rate limiter (:mod:`payjournal.wiring`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Protocol

from payjournal.integrations.models import VismaAccount
from payjournal.payroll.models import PayrollCompany
from payjournal.preflight.books import BooksClient
from payjournal.preflight.service import connection_problem, default_client
from payjournal.visma import NewVoucher, Voucher

__all__ = ["AccountingGateway", "GatewayFactory", "NotConnectedError", "client_for"]


class AccountingGateway(BooksClient, Protocol):
    """The pre-flight's reads, posting a voucher, and finding vouchers by their marker."""

    def create_voucher(self, voucher: NewVoucher) -> Voucher: ...

    def find_vouchers(
        self, start_date: date, end_date: date, marker: str | None = None
    ) -> list[Voucher]: ...


#: The gateway of an authorized Visma account (:func:`default_client`: the process's wiring).
GatewayFactory = Callable[[VismaAccount], AccountingGateway]


class NotConnectedError(Exception):
    """The payroll company has no authorized Visma account, or it points at another company."""

    code = "not_connected"


def client_for(
    company: PayrollCompany, client_factory: GatewayFactory = default_client
) -> AccountingGateway:
    """The gateway of the company's Visma account; :class:`NotConnectedError` when payjournal
    knows the connection cannot work (:func:`~payjournal.preflight.service.connection_problem`).

    The default client shares the process's transport: it is not closed after use.
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
    return client_factory(account)
