"""``VismaClient``: the typed resources of the eAccounting API v2 a payroll journal needs.

List methods return lazy iterators over every page (``$pagesize=1000``). Reads are retried
on network errors, 429 and 5xx; creating calls only when nothing reached Visma; and
:meth:`VismaClient.create_voucher` never — after :class:`OutcomeUnknownError` the caller looks
the voucher up with :meth:`VismaClient.find_vouchers` before deciding to post again.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from datetime import date, timedelta
from typing import Any, TypeVar
from uuid import UUID

import httpx2

from payjournal.visma import wire
from payjournal.visma.clock import Clock, SystemClock
from payjournal.visma.http_transport import StdlibTransport
from payjournal.visma.models import (
    Account,
    Attachment,
    AttachmentLink,
    CompanySettings,
    CostCenter,
    CostCenterItem,
    FiscalYear,
    NewAttachment,
    Project,
)
from payjournal.visma.oauth import VismaOAuth
from payjournal.visma.observer import CallObserver
from payjournal.visma.pagination import MAX_PAGE_SIZE, iter_items, parse_page
from payjournal.visma.ratelimit import RateLimiter, SlotRateLimiter
from payjournal.visma.retry import RetryMode, RetryPolicy
from payjournal.visma.session import ApiSession, Endpoint, Params
from payjournal.visma.tokens import TokenStore
from payjournal.visma.vouchers import NewVoucher, Voucher, VoucherDraft
from payjournal.visma.wiremodel import WireModel

__all__ = ["VismaClient"]

M = TypeVar("M", bound=WireModel)
#: Connect quickly or give up (never sent, retryable); wait longer for an answer.
DEFAULT_TIMEOUT = httpx2.Timeout(30.0, connect=10.0)
_GET, _POST = "GET", "POST"
_UNSAFE, _NEVER = RetryMode.UNSAFE, RetryMode.NEVER

COMPANY_SETTINGS = Endpoint(_GET, "companysettings")
FISCAL_YEARS = Endpoint(_GET, "fiscalyears")
FISCAL_YEAR = Endpoint(_GET, "fiscalyears/{id}")
CREATE_FISCAL_YEAR = Endpoint(_POST, "fiscalyears", _UNSAFE)
ACCOUNTS = Endpoint(_GET, "accounts/{fiscalyearId}")
ACCOUNT = Endpoint(_GET, "accounts/{fiscalyearId}/{accountNumber}")
COST_CENTERS = Endpoint(_GET, "costcenters")
COST_CENTER_ITEM = Endpoint(_GET, "costcenteritems/{itemId}")
PROJECTS = Endpoint(_GET, "projects")
PROJECT = Endpoint(_GET, "projects/{id}")
VOUCHERS = Endpoint(_GET, "vouchers")
VOUCHERS_OF_YEAR = Endpoint(_GET, "vouchers/{fiscalyearId}")
VOUCHER = Endpoint(_GET, "vouchers/{fiscalyearId}/{voucherId}")
CREATE_VOUCHER = Endpoint(_POST, "vouchers", _NEVER)
VOUCHER_DRAFTS = Endpoint(_GET, "voucherdrafts")
VOUCHER_DRAFT = Endpoint(_GET, "voucherdrafts/{voucherDraftId}")
CREATE_VOUCHER_DRAFT = Endpoint(_POST, "voucherdrafts", _UNSAFE)
CONVERT_VOUCHER_DRAFT = Endpoint(_POST, "voucherdrafts/{voucherDraftId}/convert", _NEVER)
UPLOAD_ATTACHMENT = Endpoint(_POST, "attachments", _UNSAFE)
LINK_ATTACHMENTS = Endpoint(_POST, "attachmentlinks", _UNSAFE)


def _obj(model: type[M]) -> Callable[[Any], M]:
    return lambda data: model.from_wire(wire.req_obj(data, "the response"))


def date_filter(start: date, end: date) -> str:
    """OData ``$filter`` for vouchers dated ``start``..``end`` inclusive."""
    return f"VoucherDate ge {start.isoformat()} and VoucherDate le {end.isoformat()}"


def http_client(
    transport: httpx2.BaseTransport | None = None,
    timeout: httpx2.Timeout | float = DEFAULT_TIMEOUT,
) -> httpx2.Client:
    """The HTTP client a :class:`VismaClient` talks through; build one to share it between
    clients (``VismaClient(..., http=shared)``), which saves building one per client. Its
    transport is :class:`~payjournal.visma.http_transport.StdlibTransport` unless given."""
    return httpx2.Client(
        transport=transport if transport is not None else StdlibTransport(),
        timeout=timeout,
        headers={"Accept": "application/json", "User-Agent": "payjournal-visma"},
    )


class VismaClient:
    """A connection to one Visma company (one token = one company). Thread-safe.

    Visma's rate limit is per OAuth client and endpoint, so clients of several companies
    under one OAuth client should share one ``rate_limiter``; without one, each client gets
    its own in-memory limiter of 600 requests per minute per endpoint.
    """

    def __init__(
        self,
        tokens: TokenStore,
        oauth: VismaOAuth,
        *,
        rate_limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        jitter: Callable[[], float] | None = None,
        transport: httpx2.BaseTransport | None = None,
        http: httpx2.Client | None = None,
        timeout: httpx2.Timeout | float = DEFAULT_TIMEOUT,
        page_size: int = MAX_PAGE_SIZE,
        refresh_margin: timedelta = timedelta(seconds=60),
        observer: CallObserver | None = None,
    ) -> None:
        self.endpoints = oauth.endpoints
        self.page_size = page_size
        self._http = http if http is not None else http_client(transport, timeout)
        self._session = ApiSession(
            endpoints=oauth.endpoints,
            tokens=tokens,
            refresh=oauth.refresh,
            http=self._http,
            limiter=rate_limiter if rate_limiter is not None else SlotRateLimiter.in_memory(),
            retry=retry or RetryPolicy(),
            clock=clock or SystemClock(),
            jitter=jitter or random.random,
            refresh_margin=refresh_margin,
            observer=observer,
        )

    def close(self) -> None:
        """Close the HTTP client (a shared one passed as ``http`` too: its owner decides)."""
        self._http.close()

    def __enter__(self) -> VismaClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _one(
        self,
        endpoint: Endpoint,
        model: type[M],
        *,
        path: Mapping[str, str] | None = None,
        params: Params | None = None,
        body: Any = None,
    ) -> M:
        """The one ``model`` object ``endpoint`` answers with."""
        return self._session.call(endpoint, _obj(model), path=path, params=params, body=body)

    def _pages(
        self,
        endpoint: Endpoint,
        model: type[M],
        *,
        path: Mapping[str, str] | None = None,
        params: Params | None = None,
    ) -> Iterator[M]:
        def fetch(number: int) -> Any:
            query = {**(params or {}), "$page": number, "$pagesize": self.page_size}
            return self._session.call(
                endpoint, lambda data: parse_page(data, model.from_wire), path=path, params=query
            )

        return iter_items(fetch)

    # --- company and fiscal years ------------------------------------------------------------

    def get_company_settings(self) -> CompanySettings:
        """Needs ``ea:sales`` or ``ea:sales_readonly``; use it to check the company."""
        return self._one(COMPANY_SETTINGS, CompanySettings)

    def list_fiscal_years(self) -> Iterator[FiscalYear]:
        return self._pages(FISCAL_YEARS, FiscalYear)

    def get_fiscal_year(self, fiscal_year_id: UUID) -> FiscalYear:
        return self._one(FISCAL_YEAR, FiscalYear, path={"id": str(fiscal_year_id)})

    def fiscal_year_for(self, day: date) -> FiscalYear | None:
        """The fiscal year containing ``day``, or ``None`` (create it before posting)."""
        return next((year for year in self.list_fiscal_years() if year.contains(day)), None)

    def create_fiscal_year(self, start_date: date, end_date: date) -> FiscalYear:
        body = {"StartDate": start_date, "EndDate": end_date}
        return self._one(CREATE_FISCAL_YEAR, FiscalYear, body=body)

    # --- chart of accounts, cost centers, projects ----------------------------------------------

    def list_accounts(self, fiscal_year_id: UUID) -> Iterator[Account]:
        """The chart of accounts of one fiscal year (accounts are per year)."""
        return self._pages(ACCOUNTS, Account, path={"fiscalyearId": str(fiscal_year_id)})

    def get_account(self, fiscal_year_id: UUID, account_number: int) -> Account:
        path = {"fiscalyearId": str(fiscal_year_id), "accountNumber": str(int(account_number))}
        return self._one(ACCOUNT, Account, path=path)

    def list_cost_centers(self) -> Iterator[CostCenter]:
        """Cost-center dimensions with their items nested (there is no item list endpoint)."""
        return self._pages(COST_CENTERS, CostCenter)

    def get_cost_center_item(self, item_id: UUID) -> CostCenterItem:
        return self._one(COST_CENTER_ITEM, CostCenterItem, path={"itemId": str(item_id)})

    def list_projects(self) -> Iterator[Project]:
        return self._pages(PROJECTS, Project)

    def get_project(self, project_id: UUID) -> Project:
        return self._one(PROJECT, Project, path={"id": str(project_id)})

    # --- vouchers ---------------------------------------------------------------------------

    def create_voucher(self, voucher: NewVoucher) -> Voucher:
        """Post a voucher. Never retried: raises :class:`OutcomeUnknownError` when it may exist.

        Setting ``voucher.number_series`` sends ``useDefaultVoucherSeries=false``.
        """
        params: dict[str, str | int] = {}
        if voucher.number_series is not None:
            params["useDefaultVoucherSeries"] = "false"
        return self._one(CREATE_VOUCHER, Voucher, params=params, body=voucher.to_wire())

    def get_voucher(self, fiscal_year_id: UUID, voucher_id: UUID) -> Voucher:
        path = {"fiscalyearId": str(fiscal_year_id), "voucherId": str(voucher_id)}
        return self._one(VOUCHER, Voucher, path=path)

    def list_vouchers(
        self,
        fiscal_year_id: UUID | None = None,
        *,
        start_date: date | None = None,
        end_date: date | None = None,
    ) -> Iterator[Voucher]:
        """Vouchers of one fiscal year (or all years), optionally within a date range."""
        params: dict[str, str | int] = {}
        if start_date is not None or end_date is not None:
            params["$filter"] = date_filter(start_date or date.min, end_date or date.max)
        if fiscal_year_id is None:
            return self._pages(VOUCHERS, Voucher, params=params)
        path = {"fiscalyearId": str(fiscal_year_id)}
        return self._pages(VOUCHERS_OF_YEAR, Voucher, path=path, params=params)

    def find_vouchers(
        self, start_date: date, end_date: date, marker: str | None = None
    ) -> list[Voucher]:
        """Vouchers dated ``start_date``..``end_date`` whose text contains ``marker``.

        The marker is matched here, not in ``$filter``: Visma's support for OData string
        functions on ``VoucherText`` is not documented. Use this to reconcile after an
        :class:`OutcomeUnknownError` before posting again.
        """
        found = self.list_vouchers(start_date=start_date, end_date=end_date)
        return [v for v in found if marker is None or v.has_marker(marker)]

    # --- voucher drafts ---------------------------------------------------------------------

    def create_voucher_draft(self, draft: NewVoucher) -> VoucherDraft:
        """Create a draft for review in Visma (row texts are limited to 50 characters)."""
        return self._one(CREATE_VOUCHER_DRAFT, VoucherDraft, body=draft.to_wire())

    def get_voucher_draft(self, draft_id: UUID) -> VoucherDraft:
        return self._one(VOUCHER_DRAFT, VoucherDraft, path={"voucherDraftId": str(draft_id)})

    def list_voucher_drafts(self) -> Iterator[VoucherDraft]:
        return self._pages(VOUCHER_DRAFTS, VoucherDraft)

    def convert_voucher_draft(self, draft_id: UUID) -> Voucher:
        """Turn a draft into a voucher. Like ``create_voucher``, never retried."""
        return self._one(CONVERT_VOUCHER_DRAFT, Voucher, path={"voucherDraftId": str(draft_id)})

    # --- attachments ------------------------------------------------------------------------

    def upload_attachment(self, attachment: NewAttachment) -> Attachment:
        return self._one(UPLOAD_ATTACHMENT, Attachment, body=attachment.to_wire())

    def link_attachments(self, link: AttachmentLink) -> AttachmentLink:
        """Attach uploaded files to a document, e.g. a voucher (``DocumentType.VOUCHER``)."""
        return self._one(LINK_ATTACHMENTS, AttachmentLink, body=link.to_wire())
