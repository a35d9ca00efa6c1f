"""The emulator's records: companies and their books, users, OAuth clients, grants and tokens.

Plain mutable dataclasses (the emulator *is* a database); names are snake_case here and
become PascalCase only in ``resources`` where the API shapes are built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID


@dataclass
class Account:
    """One account of the chart of one fiscal year."""

    number: int
    name: str
    is_active: bool = True
    cost_center_allowed: bool = False
    project_allowed: bool = False
    blocked_for_manual_booking: bool = False
    reference_code: str | None = None
    type: int | None = None
    type_description: str | None = None
    vat_code_id: UUID | None = None
    modified_utc: datetime | None = None


@dataclass
class FiscalYear:
    """A fiscal year with its own copy of the chart of accounts."""

    id: UUID
    start: date
    end: date
    locked: bool = False
    bookkeeping_method: int = 0
    accounts: dict[int, Account] = field(default_factory=dict)

    def covers(self, day: date) -> bool:
        """True when ``day`` falls in this fiscal year."""
        return self.start <= day <= self.end


@dataclass
class CostCenterItem:
    """A value of a cost-center dimension (a department, a location ...)."""

    id: UUID
    cost_center_id: UUID
    name: str
    short_name: str
    is_active: bool = True
    created_utc: datetime | None = None


@dataclass
class CostCenter:
    """A cost-center dimension; ``number`` n is the dimension of ``CostCenterItemId<n>``."""

    id: UUID
    number: int
    name: str
    is_active: bool = True
    items: list[CostCenterItem] = field(default_factory=list)


@dataclass
class Project:
    """A project that voucher rows may carry."""

    id: UUID
    number: str
    name: str
    start_date: date
    end_date: date | None = None
    status: int = 1
    notes: str | None = None
    modified_utc: datetime | None = None


@dataclass
class VoucherRow:
    """One row of a voucher or a voucher draft."""

    account_number: int
    account_description: str | None
    debit: Decimal
    credit: Decimal
    transaction_text: str | None = None
    cost_center_item_ids: list[UUID | None] = field(default_factory=lambda: [None, None, None])
    vat_code_id: UUID | None = None
    vat_code_and_percent: str | None = None
    project_id: UUID | None = None
    quantity: Decimal | None = None
    weight: Decimal | None = None
    delivery_date: date | None = None
    harvest_year: int | None = None


@dataclass
class Voucher:
    """A posted voucher: immutable through the API once created."""

    id: UUID
    fiscal_year_id: UUID
    voucher_date: date
    text: str
    series: str
    number: int
    rows: list[VoucherRow]
    created_utc: datetime
    voucher_type: int = 2
    source_id: UUID | None = None
    attachment_ids: list[UUID] = field(default_factory=list)

    @property
    def number_and_series(self) -> str:
        """The human voucher number, e.g. ``A37``."""
        return f"{self.series}{self.number}"


@dataclass
class VoucherDraft:
    """A voucher waiting for review; converting it posts a voucher."""

    id: UUID
    voucher_date: date
    text: str | None
    series: str | None
    rows: list[VoucherRow]
    created_utc: datetime
    modified_utc: datetime


@dataclass
class Attachment:
    """An uploaded document, optionally linked to a voucher."""

    id: UUID
    content_type: str
    file_name: str
    data: str | None
    url: str | None
    uploaded_by: str
    image_date: datetime
    document_id: UUID | None = None
    document_type: int = 0
    comment: str | None = None


@dataclass
class Company:
    """A Visma company (tenant) with its settings and books."""

    id: UUID
    key: str
    name: str
    country_code: str
    currency_code: str
    corporate_identity_number: str
    vat_code: str
    address1: str = ""
    postal_code: str = ""
    city: str = ""
    email: str = ""
    phone: str = ""
    api_module_enabled: bool = True
    startup_guide_completed: bool = True
    company_status: int = 1
    product_variant: int = 1
    type_of_business: int = 1
    accounting_locked_to: date | None = None
    accounting_lock_interval: int = 0
    fiscal_years: dict[UUID, FiscalYear] = field(default_factory=dict)
    cost_centers: list[CostCenter] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    vouchers: dict[UUID, Voucher] = field(default_factory=dict)
    drafts: dict[UUID, VoucherDraft] = field(default_factory=dict)
    attachments: dict[UUID, Attachment] = field(default_factory=dict)
    #: Last number used per ``"<fiscal year id>/<series>"``.
    series_counters: dict[str, int] = field(default_factory=dict)

    def fiscal_year_for(self, day: date) -> FiscalYear | None:
        """The fiscal year covering ``day``, if any."""
        return next((fy for fy in self.fiscal_years.values() if fy.covers(day)), None)

    def cost_center_item(self, item_id: UUID) -> tuple[CostCenter, CostCenterItem] | None:
        """Find an item and its dimension by item id."""
        for center in self.cost_centers:
            for item in center.items:
                if item.id == item_id:
                    return center, item
        return None


@dataclass
class User:
    """A Visma Online user who can log in at the identity server."""

    email: str
    password: str
    name: str
    company_ids: list[UUID] = field(default_factory=list)
    #: The starred company of eAccounting's "Choose default company" menu.
    default_company_id: UUID | None = None
    #: The default-company trap: the picker is skipped for the default company even when the
    #: client asks for it (``prompt=select_account`` / ``forceselectcompany:true``), as
    #: integrators report it ("re-authorizing loops forever"; Visma's sandbox ignores
    #: ``select_account``). Removing the default company ends it.
    default_company_overrides_picker: bool = False


@dataclass
class OAuthClient:
    """A registered integration (client id, secret, redirect URI patterns)."""

    client_id: str
    client_secret: str
    name: str
    redirect_uri_patterns: list[str] = field(default_factory=list)


@dataclass
class AuthorizationSession:
    """One run through the login / company / consent pages."""

    sid: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    force_login: bool
    force_select_company: bool
    created_at: datetime
    user_email: str | None = None
    company_id: UUID | None = None


@dataclass
class AuthorizationCode:
    """A one-time code handed to the redirect URI."""

    code: str
    client_id: str
    redirect_uri: str
    user_email: str
    company_id: UUID
    scopes: list[str]
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: datetime
    used: bool = False
    family_id: str | None = None


@dataclass
class TokenFamily:
    """Everything descended from one authorization: bound to one user and one company."""

    id: str
    client_id: str
    user_email: str
    company_id: UUID
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: str | None = None


@dataclass
class AccessToken:
    """A bearer token for the API."""

    token: str
    family_id: str
    expires_at: datetime
    revoked: bool = False


@dataclass
class RefreshToken:
    """A one-time refresh token; ``used_at`` is set by its single use."""

    token: str
    family_id: str
    expires_at: datetime
    used_at: datetime | None = None
    #: The answer given at first use, replayed inside the grace period.
    successor: str | None = None


@dataclass
class TokenEvent:
    """A line of the identity server's log: tokens issued, refused or revoked."""

    at: datetime
    kind: str
    grant_type: str
    client_id: str | None
    user_email: str | None
    company_id: UUID | None
    reason: str | None = None
