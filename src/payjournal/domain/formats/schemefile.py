"""Reading a ledger scheme from JSON or CSV (the formats are in ``docs/formats.md``).

Both formats go through one builder, :func:`_build_scheme`, so they accept and refuse the same
things. In CSV every line has a ``type``: ``setting`` (``key`` = setting name, ``value``),
``component`` (``key`` = wage component, ``value`` = description, plus the accounts and the
cost center side) or ``dimension`` (``key`` = department or cost center, ``value`` = item).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from payjournal.domain.formats.fields import ProblemList, decode_text
from payjournal.domain.money import CURRENCY_EXPONENTS
from payjournal.domain.scheme import (
    DEFAULT_VOUCHER_TEXT,
    ComponentMapping,
    CostCenterSide,
    DateRule,
    DetailLevel,
    LedgerScheme,
    VoucherDateRule,
)

__all__ = ["read_scheme_csv", "read_scheme_json"]

_ACCOUNT = re.compile(r"\d{1,9}")
_SIDES = ", ".join(side.value for side in CostCenterSide)
_RULES = ", ".join(rule.value for rule in DateRule)
_DETAILS = ", ".join(level.value for level in DetailLevel)
_SETTINGS = (
    "name",
    "currency",
    "rounding_account",
    "voucher_date",
    "voucher_day",
    "detail",
    "voucher_text",
)

#: One component as read from a file: (line, code, description, debit, credit, side)
_RawComponent = tuple[int, str, str, str, str, str]


def read_scheme_json(data: bytes, source: str) -> LedgerScheme:
    """A ledger scheme from its JSON document."""
    problems = ProblemList(source)
    text = decode_text(data, source)
    try:
        document = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        problems.add(error.lineno, None, f"not valid JSON: {error.msg} (column {error.colno})")
        problems.check()
        raise AssertionError("unreachable") from None
    if not isinstance(document, dict):
        problems.add(0, None, "expected a JSON object with the scheme's settings and 'components'")
        problems.check()
    settings = {key: _text(document.get(key)) for key in _SETTINGS if key != "voucher_date"}
    rule = document.get("voucher_date")
    if isinstance(rule, dict):
        settings["voucher_date"] = _text(rule.get("rule"))
        settings["voucher_day"] = _text(rule.get("day"))
    else:
        settings["voucher_date"] = _text(rule)
    components: list[_RawComponent] = []
    raw_components = document.get("components")
    if not isinstance(raw_components, list):
        problems.add(0, "components", "expected a list of components")
        raw_components = []
    for position, item in enumerate(raw_components, start=1):
        if not isinstance(item, dict):
            problems.add(position, "components", "a component must be an object")
            continue
        fields = ("component", "description", "debit_account", "credit_account", "cost_center_side")
        code, description, debit, credit, side = (_text(item.get(name)) for name in fields)
        components.append((position, code, description, debit, credit, side))
    dimensions = document.get("dimensions", {})
    if not isinstance(dimensions, dict):
        problems.add(0, "dimensions", "expected an object from department or cost center to item")
        dimensions = {}
    raw_dimensions = [(0, _text(key), _text(value)) for key, value in dimensions.items()]
    return _build_scheme(settings, components, raw_dimensions, problems)


def read_scheme_csv(data: bytes, source: str) -> LedgerScheme:
    """A ledger scheme from CSV with the columns type, key, value, debit_account,
    credit_account, cost_center_side (comma or semicolon, UTF-8 with or without BOM)."""
    problems = ProblemList(source)
    text = decode_text(data, source)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    if not rows:
        problems.add(0, None, "the file is empty: expected a header line")
        problems.check()
    columns = {name.strip().lower(): index for index, name in enumerate(rows[0])}
    required = ("type", "key", "value", "debit_account", "credit_account", "cost_center_side")
    missing = [name for name in required if name not in columns]
    if missing:
        problems.add(1, None, f"missing column(s): {', '.join(missing)}")
        problems.check()
    settings: dict[str, str] = {}
    components: list[_RawComponent] = []
    dimensions: list[tuple[int, str, str]] = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(rows[0]):
            problems.add(line_no, None, f"has {len(row)} fields, the header has {len(rows[0])}")
            continue
        kind, key, value, debit, credit, side = (row[columns[name]].strip() for name in required)
        if kind == "setting":
            if key not in _SETTINGS:
                problems.add(
                    line_no, "key", f"{key!r} is not a setting (use {', '.join(_SETTINGS)})"
                )
            elif key in settings:
                problems.add(line_no, "key", f"setting {key!r} is given twice")
            else:
                settings[key] = value
        elif kind == "component":
            components.append((line_no, key, value, debit, credit, side))
        elif kind == "dimension":
            dimensions.append((line_no, key, value))
        else:
            problems.add(
                line_no,
                "type",
                f"{kind!r} is not a line type (use setting, component or dimension)",
            )
    return _build_scheme(settings, components, dimensions, problems)


def _text(value: Any) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value).strip()


def _build_scheme(
    settings: Mapping[str, str],
    components: list[_RawComponent],
    dimensions: list[tuple[int, str, str]],
    problems: ProblemList,
) -> LedgerScheme:
    name = settings.get("name", "")
    if not name:
        problems.add(0, "name", "the scheme needs a name")
    rounding = settings.get("rounding_account", "")
    if not _ACCOUNT.fullmatch(rounding):
        problems.add(0, "rounding_account", f"{rounding!r} is not an account number (digits only)")
    currency = settings.get("currency", "").upper() or None
    if currency is not None and currency not in CURRENCY_EXPONENTS:
        problems.add(0, "currency", f"{currency!r} is not a currency payjournal books in")
    date_rule = _date_rule(
        settings.get("voucher_date", ""), settings.get("voucher_day", ""), problems
    )
    detail_text = settings.get("detail", "") or DetailLevel.ACCOUNT.value
    if detail_text not in DetailLevel._value2member_map_:
        problems.add(0, "detail", f"{detail_text!r} is not a detail level (use {_DETAILS})")
    mappings = _component_mappings(components, problems)
    items: dict[str, str] = {}
    for line, key, value in dimensions:
        if not key or not value:
            problems.add(
                line, "dimension", "a dimension needs a department or cost center and an item"
            )
        elif key in items:
            problems.add(line, "dimension", f"{key!r} is mapped twice")
        else:
            items[key] = value
    problems.check()
    assert date_rule is not None
    return LedgerScheme(
        name=name,
        components=mappings,
        rounding_account=rounding,
        currency=currency,
        voucher_date=date_rule,
        detail=DetailLevel(detail_text),
        dimensions=items,
        voucher_text=settings.get("voucher_text", "") or DEFAULT_VOUCHER_TEXT,
    )


def _date_rule(rule: str, day: str, problems: ProblemList) -> VoucherDateRule | None:
    rule = rule or DateRule.PERIOD_END.value
    if rule not in DateRule._value2member_map_:
        problems.add(0, "voucher_date", f"{rule!r} is not a voucher date rule (use {_RULES})")
        return None
    parsed_day = int(day) if day.isdigit() else None
    if day and parsed_day is None:
        problems.add(0, "voucher_day", f"{day!r} is not a day of the month")
        return None
    try:
        return VoucherDateRule(DateRule(rule), parsed_day)
    except ValueError as error:
        problems.add(0, "voucher_day", str(error))
        return None


def _component_mappings(
    components: list[_RawComponent], problems: ProblemList
) -> dict[str, ComponentMapping]:
    mappings: dict[str, ComponentMapping] = {}
    seen: set[str] = set()
    for line, code, description, debit, credit, side_text in components:
        before = len(problems.items)
        if not code:
            problems.add(line, "component", "is required")
        elif code in seen:
            problems.add(line, "component", f"{code!r} is mapped twice")
        seen.add(code)
        for field, account in (("debit_account", debit), ("credit_account", credit)):
            if not _ACCOUNT.fullmatch(account):
                problems.add(line, field, f"{account!r} is not an account number (digits only)")
        side_text = side_text or CostCenterSide.NONE.value
        if side_text not in CostCenterSide._value2member_map_:
            problems.add(line, "cost_center_side", f"{side_text!r} is not a side (use {_SIDES})")
        if len(problems.items) == before:
            side = CostCenterSide(side_text)
            mappings[code] = ComponentMapping(code, debit, credit, side, description or None)
    return mappings
