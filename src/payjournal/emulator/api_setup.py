"""``/v2`` routes for a company's setup: settings, fiscal years, accounts, cost centers, projects."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from starlette.responses import Response
from starlette.routing import Route

from payjournal.emulator import company_settings as settings_shape
from payjournal.emulator import errors, resources
from payjournal.emulator.errors import ApiError, FieldError, validation_error
from payjournal.emulator.listing import page
from payjournal.emulator.model import Account, FiscalYear
from payjournal.emulator.pipeline import (
    ACCOUNTING_READ,
    ANY_READ,
    SALES_READ,
    SETUP_READ,
    SETUP_WRITE,
    ApiContext,
    api_route,
    json_response,
)
from payjournal.emulator.vouchers import parse_date


def path_uuid(ctx: ApiContext, name: str, what: str, code: int = errors.RESOURCE_NOT_FOUND) -> UUID:
    """A GUID path parameter; a malformed one answers 404 like an unknown one."""
    raw = ctx.request.path_params[name]
    try:
        return UUID(raw)
    except ValueError:
        raise not_found(what, raw, code) from None


def not_found(what: str, ref: object, code: int = errors.RESOURCE_NOT_FOUND) -> ApiError:
    """404 for an unknown object."""
    return ApiError(404, code, f"Resource not found: {what} ({ref})")


def fiscal_year_of(ctx: ApiContext, name: str = "fiscalyearId") -> FiscalYear:
    """The fiscal year named in the path, or 404/3001."""
    fy_id = path_uuid(ctx, name, "fiscalYearId", errors.FISCAL_YEAR_MISSING)
    fy = ctx.company.fiscal_years.get(fy_id)
    if fy is None:
        raise not_found("fiscalYearId", fy_id, errors.FISCAL_YEAR_MISSING)
    return fy


def _list(ctx: ApiContext, items: list[dict[str, object]]) -> Response:
    return json_response(page(ctx.request, items, ctx.emulator.config, ctx.now))


async def company_settings(ctx: ApiContext) -> Response:
    """GET /v2/companysettings."""
    return json_response(settings_shape.company_settings(ctx.company))


def _years(ctx: ApiContext) -> list[FiscalYear]:
    return sorted(ctx.company.fiscal_years.values(), key=lambda fy: fy.start)


async def list_fiscal_years(ctx: ApiContext) -> Response:
    """GET /v2/fiscalyears, oldest or newest first (``EmulatorConfig.fiscal_years_order``)."""
    years = _years(ctx)
    if ctx.emulator.config.fiscal_years_order == "newest_first":
        years.reverse()
    return _list(ctx, [resources.fiscal_year(fy) for fy in years])


async def get_fiscal_year(ctx: ApiContext) -> Response:
    """GET /v2/fiscalyears/{id}."""
    return json_response(resources.fiscal_year(fiscal_year_of(ctx, "id")))


async def create_fiscal_year(ctx: ApiContext) -> Response:
    """POST /v2/fiscalyears: the year must follow the last one (or precede the first)."""
    body = await ctx.body()
    if not isinstance(body, dict):
        raise validation_error([FieldError("body", "a JSON object is required")])
    start, end = parse_date(body.get("StartDate")), parse_date(body.get("EndDate"))
    problems = [
        FieldError(n, "required, format yyyy-mm-dd")
        for n, v in (("StartDate", start), ("EndDate", end))
        if v is None
    ]
    if problems:
        raise validation_error(problems)
    assert start is not None
    assert end is not None
    years = _years(ctx)
    if end < start or (end - start).days > 18 * 31:
        problems.append(FieldError("EndDate", "a fiscal year lasts at most 18 months"))
    elif (
        years
        and start != years[-1].end + timedelta(days=1)
        and end != years[0].start - timedelta(days=1)
    ):
        problems.append(
            FieldError(
                "StartDate",
                "a new fiscal year must follow the last one "
                f"(start {(years[-1].end + timedelta(days=1)).isoformat()})",
            )
        )
    if problems:
        raise validation_error(problems)
    fy = add_fiscal_year(ctx.company.fiscal_years, years, start, end, ctx.emulator.ids.new())
    ctx.emulator.changed()
    return json_response(resources.fiscal_year(fy), 201)


def add_fiscal_year(
    store: dict[UUID, FiscalYear], ordered: list[FiscalYear], start: date, end: date, fy_id: UUID
) -> FiscalYear:
    """Create a fiscal year copying the nearest year's chart and bookkeeping method."""
    template = ordered[-1] if ordered else None
    fy = FiscalYear(fy_id, start, end)
    if template is not None:
        fy.bookkeeping_method = template.bookkeeping_method
        fy.accounts = {n: Account(**vars(a)) for n, a in template.accounts.items()}
    store[fy.id] = fy
    return fy


def _current_year(ctx: ApiContext) -> FiscalYear | None:
    today = ctx.now.date()
    years = _years(ctx)
    return ctx.company.fiscal_year_for(today) or (years[-1] if years else None)


async def list_accounts(ctx: ApiContext) -> Response:
    """GET /v2/accounts: the accounts of every fiscal year, oldest year first (a number appears
    once per year, told apart by ``FiscalYearId``), as Visma's 2018 Swagger describes; with
    ``accounts_without_year="current_year"`` the chart of the year covering today."""
    if ctx.emulator.config.accounts_without_year == "current_year":
        current = _current_year(ctx)
        years = [current] if current else []
    else:
        years = _years(ctx)
    rows = [
        resources.account(a, fy)
        for fy in years
        for a in sorted(fy.accounts.values(), key=lambda a: a.number)
    ]
    return _list(ctx, rows)


async def list_year_accounts(ctx: ApiContext) -> Response:
    """GET /v2/accounts/{fiscalyearId}."""
    fy = fiscal_year_of(ctx)
    return _list(
        ctx,
        [resources.account(a, fy) for a in sorted(fy.accounts.values(), key=lambda a: a.number)],
    )


async def get_account(ctx: ApiContext) -> Response:
    """GET /v2/accounts/{fiscalyearId}/{accountNumber}."""
    fy = fiscal_year_of(ctx)
    raw = ctx.request.path_params["accountNumber"]
    account = fy.accounts.get(int(raw)) if raw.isdigit() else None
    if account is None:
        raise ApiError(404, errors.ACCOUNT_NOT_FOUND, f"AccountNotFound - account {raw}")
    return json_response(resources.account(account, fy))


async def list_cost_centers(ctx: ApiContext) -> Response:
    """GET /v2/costcenters (items nested)."""
    return _list(ctx, [resources.cost_center(c) for c in ctx.company.cost_centers])


async def get_cost_center_item(ctx: ApiContext) -> Response:
    """GET /v2/costcenteritems/{itemId}."""
    item_id = path_uuid(ctx, "itemId", "costCenterItemId")
    found = ctx.company.cost_center_item(item_id)
    if found is None:
        raise not_found("costCenterItemId", item_id)
    return json_response(resources.cost_center_item(found[1]))


async def list_projects(ctx: ApiContext) -> Response:
    """GET /v2/projects."""
    return _list(ctx, [resources.project(p) for p in ctx.company.projects])


async def get_project(ctx: ApiContext) -> Response:
    """GET /v2/projects/{id}."""
    project_id = path_uuid(ctx, "id", "projectId")
    found = next((p for p in ctx.company.projects if p.id == project_id), None)
    if found is None:
        raise not_found("projectId", project_id)
    return json_response(resources.project(found))


ROUTES: list[Route] = [
    api_route("GET", "/v2/companysettings", SALES_READ, company_settings),
    api_route("GET", "/v2/fiscalyears", SETUP_READ, list_fiscal_years),
    api_route("POST", "/v2/fiscalyears", SETUP_WRITE, create_fiscal_year),
    api_route("GET", "/v2/fiscalyears/{id}", SETUP_READ, get_fiscal_year),
    api_route("GET", "/v2/accounts", ACCOUNTING_READ, list_accounts),
    api_route("GET", "/v2/accounts/{fiscalyearId}", ACCOUNTING_READ, list_year_accounts),
    api_route("GET", "/v2/accounts/{fiscalyearId}/{accountNumber}", ACCOUNTING_READ, get_account),
    api_route("GET", "/v2/costcenters", SETUP_READ, list_cost_centers),
    api_route("GET", "/v2/costcenteritems/{itemId}", SETUP_READ, get_cost_center_item),
    api_route("GET", "/v2/projects", ANY_READ, list_projects),
    api_route("GET", "/v2/projects/{id}", ANY_READ, get_project),
]

__all__ = ["ROUTES", "add_fiscal_year", "fiscal_year_of", "not_found", "path_uuid"]
