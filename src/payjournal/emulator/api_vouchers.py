"""``/v2`` routes for vouchers and voucher drafts. ``POST /v2/vouchers`` is not idempotent."""

from __future__ import annotations

import re

from starlette.responses import Response
from starlette.routing import Route

from payjournal.emulator import resources
from payjournal.emulator.api_setup import fiscal_year_of, not_found, path_uuid
from payjournal.emulator.errors import FieldError, validation_error
from payjournal.emulator.listing import page
from payjournal.emulator.model import Voucher, VoucherDraft
from payjournal.emulator.pipeline import (
    ACCOUNTING,
    ACCOUNTING_READ,
    ApiContext,
    api_route,
    json_response,
)
from payjournal.emulator.vouchers import (
    ParsedVoucher,
    check_against_books,
    create_voucher,
    parse_voucher,
)

DEFAULT_SERIES = "A"
_SERIES = re.compile(r"^[A-Z]{1,3}$")


def _sorted(vouchers: list[Voucher]) -> list[Voucher]:
    return sorted(vouchers, key=lambda v: (v.voucher_date, v.created_utc, v.number))


def _voucher_page(ctx: ApiContext, vouchers: list[Voucher]) -> Response:
    """A page of vouchers; OData may also use ``Number`` (the voucher's number within its
    series), which production clients order and keyset-page on (``$orderby=Number``,
    ``Number gt 1337``) although ``VoucherApi`` does not document it."""
    chosen = _sorted(vouchers)
    items = [resources.voucher(v) for v in chosen]
    numbers = [{"Number": v.number} for v in chosen]
    return json_response(page(ctx.request, items, ctx.emulator.config, ctx.now, numbers))


async def list_vouchers(ctx: ApiContext) -> Response:
    """GET /v2/vouchers: every fiscal year."""
    return _voucher_page(ctx, list(ctx.company.vouchers.values()))


async def list_year_vouchers(ctx: ApiContext) -> Response:
    """GET /v2/vouchers/{fiscalyearId}."""
    fy = fiscal_year_of(ctx)
    return _voucher_page(
        ctx, [v for v in ctx.company.vouchers.values() if v.fiscal_year_id == fy.id]
    )


async def get_voucher(ctx: ApiContext) -> Response:
    """GET /v2/vouchers/{fiscalyearId}/{voucherId}."""
    fy = fiscal_year_of(ctx)
    voucher_id = path_uuid(ctx, "voucherId", "voucherId")
    voucher = ctx.company.vouchers.get(voucher_id)
    if voucher is None or voucher.fiscal_year_id != fy.id:
        raise not_found("voucherId", voucher_id)
    return json_response(resources.voucher(voucher))


def _series(parsed: ParsedVoucher, use_default: bool) -> str:
    if use_default:
        return DEFAULT_SERIES
    if not parsed.series or not _SERIES.match(parsed.series):
        raise validation_error(
            [
                FieldError(
                    "NumberSeries", "required with useDefaultVoucherSeries=false: 1-3 letters A-Z"
                )
            ]
        )
    return parsed.series


def _post(ctx: ApiContext, parsed: ParsedVoucher, use_default_series: bool) -> Voucher:
    series = _series(parsed, use_default_series)
    fy = check_against_books(ctx.company, parsed, ctx.emulator.config)
    voucher = create_voucher(ctx.company, fy, parsed, series, ctx.emulator.ids.new(), ctx.now)
    ctx.emulator.changed()
    return voucher


async def post_voucher(ctx: ApiContext) -> Response:
    """POST /v2/vouchers: every call stores a new voucher with the next number."""
    body = await ctx.body()
    use_default = ctx.flag("useDefaultVoucherSeries", True)
    if ctx.flag("useAutomaticVatCalculation", False):
        raise validation_error(
            [FieldError("useAutomaticVatCalculation", "automatic VAT calculation is not emulated")]
        )
    ctx.flag("useDefaultVatCodes", True)
    parsed = parse_voucher(body, draft=False, config=ctx.emulator.config)
    return json_response(resources.voucher(_post(ctx, parsed, use_default)), 201)


async def list_drafts(ctx: ApiContext) -> Response:
    """GET /v2/voucherdrafts."""
    drafts = sorted(ctx.company.drafts.values(), key=lambda d: d.created_utc)
    items = [resources.voucher_draft(d) for d in drafts]
    return json_response(page(ctx.request, items, ctx.emulator.config, ctx.now))


async def get_draft(ctx: ApiContext) -> Response:
    """GET /v2/voucherdrafts/{voucherDraftId}."""
    draft_id = path_uuid(ctx, "voucherDraftId", "voucherDraftId")
    draft = ctx.company.drafts.get(draft_id)
    if draft is None:
        raise not_found("voucherDraftId", draft_id)
    return json_response(resources.voucher_draft(draft))


async def post_draft(ctx: ApiContext) -> Response:
    """POST /v2/voucherdrafts: shape checks only; books are checked at conversion."""
    parsed = parse_voucher(await ctx.body(), draft=True, config=ctx.emulator.config)
    draft = VoucherDraft(
        ctx.emulator.ids.new(),
        parsed.voucher_date,
        parsed.text,
        parsed.series,
        parsed.rows,
        ctx.now,
        ctx.now,
    )
    ctx.company.drafts[draft.id] = draft
    ctx.emulator.changed()
    return json_response(resources.voucher_draft(draft), 201)


async def convert_draft(ctx: ApiContext) -> Response:
    """POST /v2/voucherdrafts/{voucherDraftId}/convert: post it as a voucher, drop the draft."""
    draft_id = path_uuid(ctx, "voucherDraftId", "voucherDraftId")
    draft = ctx.company.drafts.get(draft_id)
    if draft is None:
        raise not_found("voucherDraftId", draft_id)
    if not draft.rows:
        raise validation_error([FieldError("Rows", "a draft without rows cannot be converted")])
    parsed = ParsedVoucher(draft.voucher_date, draft.text, draft.series, list(draft.rows))
    voucher = _post(ctx, parsed, use_default_series=draft.series is None)
    del ctx.company.drafts[draft_id]
    return json_response(resources.voucher(voucher), 201)


ROUTES: list[Route] = [
    api_route("GET", "/v2/vouchers", ACCOUNTING_READ, list_vouchers),
    api_route("POST", "/v2/vouchers", ACCOUNTING, post_voucher),
    api_route("GET", "/v2/vouchers/{fiscalyearId}", ACCOUNTING_READ, list_year_vouchers),
    api_route("GET", "/v2/vouchers/{fiscalyearId}/{voucherId}", ACCOUNTING_READ, get_voucher),
    api_route("GET", "/v2/voucherdrafts", ACCOUNTING_READ, list_drafts),
    api_route("POST", "/v2/voucherdrafts", ACCOUNTING, post_draft),
    api_route("GET", "/v2/voucherdrafts/{voucherDraftId}", ACCOUNTING_READ, get_draft),
    api_route("POST", "/v2/voucherdrafts/{voucherDraftId}/convert", ACCOUNTING, convert_draft),
]
