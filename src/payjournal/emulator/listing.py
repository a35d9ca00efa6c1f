"""List answers: OData filter/order/select, then Visma's ``{"Meta", "Data"}`` page envelope."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from starlette.requests import Request

from payjournal.emulator.config import EmulatorConfig
from payjournal.emulator.errors import FieldError, validation_error
from payjournal.emulator.jsonio import format_utc
from payjournal.emulator.odata import ODataError, compile_filter, order_by


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise validation_error([FieldError(name, f"{raw!r} is not an integer")]) from None
    if value < 1:
        raise validation_error([FieldError(name, "must be 1 or more")])
    return value


def page(
    request: Request,
    items: Iterable[dict[str, Any]],
    config: EmulatorConfig,
    now: datetime,
    odata_only: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Apply ``$filter``, ``$orderby``, ``$select``, ``$page`` and ``$pagesize``.

    ``odata_only`` (one mapping per item) holds properties that OData queries may use but the
    answer does not show, such as a voucher's ``Number`` (production clients filter and order on
    it; the documented ``VoucherApi`` has only ``NumberAndNumberSeries``)."""
    params = request.query_params
    rows = list(items)
    hidden: set[str] = set()
    if odata_only is not None:
        rows = [row | dict(extra) for row, extra in zip(rows, odata_only, strict=True)]
        hidden = {name for extra in odata_only for name in extra}
    try:
        if params.get("$filter"):
            predicate = compile_filter(params["$filter"])
            rows = [row for row in rows if predicate(row)]
        if params.get("$orderby"):
            rows = order_by(rows, params["$orderby"])
    except ODataError as exc:
        name = "$filter" if "$filter" in params else "$orderby"
        raise validation_error([FieldError(name, str(exc))]) from exc
    size = _int_param(request, "$pagesize", config.default_page_size)
    if size > config.max_page_size:
        if config.page_size_over_max == "error":
            raise validation_error(
                [FieldError("$pagesize", f"maximum page size is {config.max_page_size}")]
            )
        size = config.max_page_size
    number = _int_param(request, "$page", 1)
    chunk = rows[(number - 1) * size : number * size]
    if params.get("$select"):
        chunk = _select(chunk, params["$select"], hidden)
    if hidden:
        chunk = [{k: v for k, v in row.items() if k not in hidden} for row in chunk]
    return {
        "Meta": {
            "CurrentPage": number,
            "PageSize": size,
            "TotalNumberOfPages": math.ceil(len(rows) / size)
            if rows
            else config.empty_list_total_pages,
            "TotalNumberOfResults": len(rows),
            "ServerTimeUtc": format_utc(now),
        },
        "Data": chunk,
    }


def _select(rows: list[dict[str, Any]], text: str, hidden: set[str]) -> list[dict[str, Any]]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if rows:
        unknown = [name for name in names if name not in rows[0] or name in hidden]
        if unknown:
            raise validation_error([FieldError("$select", f"unknown property {unknown[0]!r}")])
    return [{name: row[name] for name in names} for row in rows]
