"""A fake of the send step's Visma port (:class:`payjournal.sending.connection.AccountingGateway`):
one Visma company in memory — its settings, a fiscal year, a chart, cost centers and the
vouchers posted — whose voucher POSTs and read-backs answer as they are told.

Told answers fail the way the real client fails: an HTTP answer goes through the client's one
mapping (:func:`~payjournal.visma.error_mapping.error_from_response`; a voucher POST is not
idempotent, so a 5xx after it is ``OutcomeUnknownError`` here as there), and an answer that never
arrives through its transport's (:func:`~payjournal.visma.transport.error_from_exception`).
A crash is :class:`WorkerCrashed`, which no handler of the send step catches, like a SIGKILL.

::

    fake.answer_posts(commit_then_drop(), ACCEPT)   # the next two POSTs; then ACCEPT
    fake.answer_reads(server_error())               # the next read-back of vouchers
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import httpx2

from payjournal.visma import (
    Account,
    CompanySettings,
    CostCenter,
    CostCenterItem,
    FiscalYear,
    NewVoucher,
    RequestInfo,
    Voucher,
)
from payjournal.visma.error_mapping import error_from_response
from payjournal.visma.transport import error_from_exception

__all__ = [
    "ACCEPT",
    "Answer",
    "FakeVisma",
    "WorkerCrashed",
    "commit_then_drop",
    "crash",
    "never_sent",
    "rate_limited",
    "refused",
    "server_error",
    "timeout",
]

API = "https://eaccountingapi.vismaonline.com/v2"


class WorkerCrashed(BaseException):
    """The worker died at this point (not an ``Exception``: nothing in the send step sees it)."""


@dataclass(frozen=True, slots=True)
class Answer:
    """What Visma does with one request: store the voucher or not, then answer ``status`` with
    ``body`` — or let the answer be lost (``lost``: what the client's transport raised), or kill
    the worker once the request left (``crashes``)."""

    stores: bool = True
    status: int = 201
    body: Mapping[str, Any] | str | None = None
    retry_after: str | None = None
    lost: type[httpx2.HTTPError] | None = None
    crashes: bool = False


ACCEPT = Answer()


def commit_then_drop() -> Answer:
    """Stored; the connection drops before the answer."""
    return Answer(lost=httpx2.RemoteProtocolError)


def timeout(*, commits: bool) -> Answer:
    """No answer within the read timeout; stored only when ``commits``."""
    return Answer(stores=commits, lost=httpx2.ReadTimeout)


def never_sent() -> Answer:
    """The connection was refused: the request never left."""
    return Answer(stores=False, lost=httpx2.ConnectError)


def server_error(status: int = 503) -> Answer:
    """A gateway's plain-text 5xx; nothing stored."""
    return Answer(stores=False, status=status, body="Service Unavailable")


def rate_limited(retry_after: int | None = None, *, says_wait: int | None = None) -> Answer:
    """Visma's 429 (ErrorCode 4010), with a ``Retry-After`` header and/or the wait stated in
    the message ("Try again in N seconds."), or neither."""
    message = "API calls quota exceeded! maximum admitted 600 per Minute."
    if says_wait is not None:
        message += f" Try again in {says_wait} seconds."
    return Answer(
        stores=False,
        status=429,
        body={"ErrorCode": 4010, "DeveloperErrorMessage": message},
        retry_after=None if retry_after is None else str(retry_after),
    )


def refused(status: int, error_code: int, message: str) -> Answer:
    """A business error in Visma's body (e.g. 400/4026 locked period); nothing stored."""
    body = {"ErrorCode": error_code, "DeveloperErrorMessage": message, "ErrorId": str(uuid4())}
    return Answer(stores=False, status=status, body=body)


def crash(*, after_commit: bool) -> Answer:
    """The worker dies while the POST is under way, after or before Visma stored it."""
    return Answer(stores=after_commit, crashes=True)


def _fail(answer: Answer, method: str, path: str, *, idempotent: bool) -> BaseException:
    request = RequestInfo.of(method, f"{API}{path}")
    if answer.lost is not None:
        return error_from_exception(answer.lost(f"{answer.lost.__name__} (fake)"), request)
    text = answer.body if isinstance(answer.body, str) else json.dumps(answer.body)
    parsed = None if isinstance(answer.body, str) else answer.body
    return error_from_response(
        answer.status,
        text or "",
        parsed,
        request=request,
        retry_after_header=answer.retry_after,
        idempotent=idempotent,
    )


@dataclass
class FakeVisma:
    """One Visma company with ``year``, a chart of ``accounts``, active cost center items
    ``dimensions`` (short names), and the vouchers posted so far."""

    company_key: str
    year: FiscalYear | None
    accounts: tuple[str, ...]
    dimensions: tuple[str, ...] = ()
    locked_to: date | None = None
    #: Every voucher a POST carried to Visma, whatever became of it.
    posts: list[NewVoucher] = field(default_factory=list)
    vouchers: list[Voucher] = field(default_factory=list)
    post_answers: deque[Answer] = field(default_factory=deque)
    read_answers: deque[Answer] = field(default_factory=deque)

    @classmethod
    def for_rows(
        cls, company_key: str, day: date, rows: Iterable[tuple[str, str]], **fields: Any
    ) -> FakeVisma:
        """A company whose books take ``rows`` ((account, dimension), …) dated ``day``."""
        wanted = list(rows)
        year = FiscalYear(uuid4(), date(day.year, 1, 1), date(day.year, 12, 31))
        return cls(
            company_key,
            year,
            tuple(sorted({account for account, _ in wanted})),
            tuple(sorted({dimension for _, dimension in wanted if dimension})),
            **fields,
        )

    def answer_posts(self, *answers: Answer) -> None:
        """How the next voucher POSTs go (then :data:`ACCEPT`)."""
        self.post_answers.extend(answers)

    def answer_reads(self, *answers: Answer) -> None:
        """How the next reads of vouchers go (then the vouchers stored)."""
        self.read_answers.extend(answers)

    def with_marker(self, marker: str) -> list[Voucher]:
        return [voucher for voucher in self.vouchers if voucher.has_marker(marker)]

    # --- the port -------------------------------------------------------------------------

    def get_company_settings(self) -> CompanySettings:
        return CompanySettings(
            name="Bakkerij (fake)",
            country_code="NL",
            currency_code="EUR",
            corporate_identity_number=None,
            company_identifier=self.company_key,
            vat_code=None,
            accounting_locked_to=self.locked_to,
            product_variant=None,
            company_status=1,
            activated_modules=(),
        )

    def list_fiscal_years(self) -> list[FiscalYear]:
        return [self.year] if self.year is not None else []

    def list_accounts(self, fiscal_year_id: UUID) -> list[Account]:
        return [
            Account(number, f"Account {number}", fiscal_year_id, True, is_cost_center_allowed=True)
            for number in self.accounts
        ]

    def list_cost_centers(self) -> list[CostCenter]:
        center = UUID(int=1)
        items = tuple(
            CostCenterItem(UUID(int=2 + n), center, name, name, True)
            for n, name in enumerate(self.dimensions)
        )
        return [CostCenter(center, "Afdeling", 1, True, items)]

    def create_fiscal_year(self, start_date: date, end_date: date) -> FiscalYear:
        self.year = FiscalYear(uuid4(), start_date, end_date)
        return self.year

    def create_voucher(self, voucher: NewVoucher) -> Voucher:
        answer = self.post_answers.popleft() if self.post_answers else ACCEPT
        self.posts.append(voucher)
        stored = None
        if answer.stores:
            number = f"A{len(self.vouchers) + 1}"
            stored = Voucher(
                uuid4(), voucher.voucher_date, voucher.voucher_text, voucher.rows, number, "A"
            )
            self.vouchers.append(stored)
        if answer.crashes:
            raise WorkerCrashed
        if stored is None or answer.lost is not None or answer.status >= 400:
            raise _fail(answer, "POST", "/vouchers", idempotent=False)
        return stored

    def find_vouchers(
        self, start_date: date, end_date: date, marker: str | None = None
    ) -> list[Voucher]:
        answer = self.read_answers.popleft() if self.read_answers else ACCEPT
        if answer.lost is not None or answer.status >= 400:
            raise _fail(answer, "GET", "/vouchers", idempotent=True)
        return [
            voucher
            for voucher in self.vouchers
            if start_date <= voucher.voucher_date <= end_date
            and (marker is None or voucher.has_marker(marker))
        ]
