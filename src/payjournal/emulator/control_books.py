"""Control API routes that edit a company's books: fiscal years, accounts, whole copies."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.routing import Route

from payjournal.emulator.api_setup import add_fiscal_year
from payjournal.emulator.control import ControlError, body_of, company_of, control_route
from payjournal.emulator.control_views import company_summary
from payjournal.emulator.model import Account, FiscalYear
from payjournal.emulator.resources import account as account_shape
from payjournal.emulator.runtime import Emulator
from payjournal.emulator.seed import stable_id
from payjournal.emulator.vouchers import parse_date


async def add_year(request: Request, emu: Emulator) -> Any:
    """``{"start": "2027-01-01", "end": "2027-12-31"}``; must not overlap an existing year."""
    company, data = company_of(request, emu), await body_of(request)
    start = parse_date(data.get("start") or data.get("StartDate"))
    end = parse_date(data.get("end") or data.get("EndDate"))
    if start is None or end is None or end < start:
        raise ControlError(400, "start and end (yyyy-mm-dd, start <= end) required")
    if any(fy.start <= end and start <= fy.end for fy in company.fiscal_years.values()):
        raise ControlError(409, "overlaps an existing fiscal year")
    ordered = sorted(company.fiscal_years.values(), key=lambda fy: fy.start)
    fy = add_fiscal_year(company.fiscal_years, ordered, start, end, emu.ids.new())
    return {"id": fy.id, "start": fy.start, "end": fy.end}


def _year(request: Request, emu: Emulator) -> tuple[Any, FiscalYear]:
    company = company_of(request, emu)
    try:
        fy = company.fiscal_years.get(UUID(request.path_params["fiscal_year"]))
    except ValueError:
        fy = None
    if fy is None:
        raise ControlError(404, "no such fiscal year")
    return company, fy


async def remove_year(request: Request, emu: Emulator) -> Any:
    """Delete a fiscal year that has no vouchers."""
    company, fy = _year(request, emu)
    if any(v.fiscal_year_id == fy.id for v in company.vouchers.values()):
        raise ControlError(409, "the fiscal year has vouchers")
    del company.fiscal_years[fy.id]
    return company_summary(company)


async def lock_year(request: Request, emu: Emulator) -> Any:
    """``{"locked": true}`` sets ``IsLockedForAccounting``."""
    _company, fy = _year(request, emu)
    fy.locked = bool((await body_of(request)).get("locked", True))
    return {"id": fy.id, "locked": fy.locked}


_ACCOUNT_FLAGS = (
    "is_active",
    "cost_center_allowed",
    "project_allowed",
    "blocked_for_manual_booking",
)


async def edit_account(request: Request, emu: Emulator) -> Any:
    """Flip account flags in every fiscal year, or in ``fiscal_year_id`` only."""
    company, data = company_of(request, emu), await body_of(request)
    number = int(request.path_params["number"])
    only = data.get("fiscal_year_id")
    years = [fy for fy in company.fiscal_years.values() if only is None or str(fy.id) == str(only)]
    changed = []
    for fy in years:
        account = fy.accounts.get(number)
        if account is None:
            continue
        for flag in _ACCOUNT_FLAGS:
            if flag in data:
                setattr(account, flag, bool(data[flag]))
        if "name" in data:
            account.name = str(data["name"])
        account.modified_utc = emu.now()
        changed.append(account_shape(account, fy))
    if not changed:
        raise ControlError(404, f"no account {number}")
    return changed


#: Accounts one request may add (a large real chart has about 1,300: the full Swedish BAS).
MAX_NEW_ACCOUNTS = 5_000
_NEW_ACCOUNT_FLAGS = {*_ACCOUNT_FLAGS}


async def add_accounts(request: Request, emu: Emulator) -> Any:
    """``{"accounts": [{"number": 5010, "name": "Lokalhyra", "is_active": true, …}]}``: new
    accounts in the chart of every fiscal year (the flags of :func:`edit_account`, default
    active and nothing allowed); a load test's chart of a real company's size. A number the
    chart has, or one listed twice, refuses the whole request: nothing is added."""
    company, data = company_of(request, emu), await body_of(request)
    rows = data.get("accounts")
    if not isinstance(rows, list) or not 0 < len(rows) <= MAX_NEW_ACCOUNTS:
        raise ControlError(400, f"accounts must be a list of 1 to {MAX_NEW_ACCOUNTS} accounts")
    new = [_new_account(index, row) for index, row in enumerate(rows)]
    numbers = [account.number for account in new]
    if len(set(numbers)) != len(numbers):
        raise ControlError(400, "accounts lists a number more than once")
    for fy in company.fiscal_years.values():
        taken = sorted(set(numbers) & fy.accounts.keys())
        if taken:
            raise ControlError(409, f"the chart already has account {taken[0]}")
    now = emu.now()
    for fy in company.fiscal_years.values():
        for account in new:
            fy.accounts[account.number] = dataclasses.replace(account, modified_utc=now)
    return {"added": len(new), "fiscal_years": len(company.fiscal_years)}


def _new_account(index: int, row: Any) -> Account:
    where = f"accounts[{index}]"
    if not isinstance(row, dict):
        raise ControlError(400, f"{where} must be an object")
    number, name = row.get("number"), row.get("name")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise ControlError(400, f"{where}.number must be a positive integer")
    if not isinstance(name, str) or not name.strip():
        raise ControlError(400, f"{where}.name must be a non-empty text")
    unknown = sorted(set(row) - {"number", "name", *_NEW_ACCOUNT_FLAGS})
    if unknown:
        raise ControlError(400, f"{where} has unknown field {unknown[0]}")
    flags = {flag: row[flag] for flag in _NEW_ACCOUNT_FLAGS if flag in row}
    wrong = sorted(flag for flag, value in flags.items() if not isinstance(value, bool))
    if wrong:
        raise ControlError(400, f"{where}.{wrong[0]} must be true or false")
    return Account(number, name.strip(), **flags)


MAX_COPIES = 10_000


async def copy_company(request: Request, emu: Emulator) -> Any:
    """``{"count": n, "grant": ["anna@bakkerij.example"]}``: ``n`` companies with the source's
    settings, fiscal years, chart and cost centers (no vouchers), keyed ``<key>-copy-00001`` …
    with stable ids, the listed users given access. Load tests use them as many tenants."""
    source, data = company_of(request, emu), await body_of(request)
    count = data.get("count")
    # a JSON ``true`` is a Python ``bool``, which is an ``int``: refused like any non-integer
    if not isinstance(count, int) or isinstance(count, bool) or not 0 < count <= MAX_COPIES:
        raise ControlError(400, f"count must be an integer from 1 to {MAX_COPIES}")
    grant = data.get("grant") or []
    if not isinstance(grant, list):
        raise ControlError(400, "grant must be a list of seeded users' e-mail addresses")
    users = [emu.state.user(str(email)) for email in grant]
    if any(user is None for user in users):
        raise ControlError(400, "grant must list seeded users' e-mail addresses")
    template = copy.deepcopy(source)
    template.vouchers, template.drafts, template.attachments = {}, {}, {}
    template.series_counters = {}
    created = []
    for number in range(1, count + 1):
        key = f"{source.key}-copy-{number:05d}"
        company = copy.deepcopy(template)
        company.id, company.key = stable_id("company", key), key
        company.name = f"{source.name} #{number}"
        emu.state.companies[company.id] = company
        for user in users:
            if user is not None and company.id not in user.company_ids:
                user.company_ids.append(company.id)
        created.append({"id": company.id, "key": key})
    return created


ROUTES: list[Route] = [
    control_route("/_emulator/companies/{company}/copies", "POST", copy_company),
    control_route("/_emulator/companies/{company}/fiscalyears", "POST", add_year),
    control_route(
        "/_emulator/companies/{company}/fiscalyears/{fiscal_year}", "DELETE", remove_year
    ),
    control_route("/_emulator/companies/{company}/fiscalyears/{fiscal_year}", "PUT", lock_year),
    control_route("/_emulator/companies/{company}/accounts", "POST", add_accounts),
    control_route("/_emulator/companies/{company}/accounts/{number:int}", "PUT", edit_account),
]
