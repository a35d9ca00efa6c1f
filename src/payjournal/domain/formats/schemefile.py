"""Reading a ledger scheme from JSON or CSV (the formats are in ``docs/formats.md``).

Both formats go through one builder, :func:`_build_scheme`, so they accept and refuse the same
things. In CSV every line has a ``type``: ``setting`` (``key`` = setting name, ``value``),
``component`` (``key`` = wage component, ``value`` = description, plus the accounts and the
cost center side) or ``dimension`` (``key`` = department or cost center, ``value`` = item).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from string import Formatter
from typing import Any

from payjournal.domain.formats.codes import parse_code, parse_name, shown
from payjournal.domain.formats.fields import ProblemList, count_of_fields, decode_text
from payjournal.domain.formats.jsontext import load_json
from payjournal.domain.journal import MAX_VOUCHER_TEXT
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

_ACCOUNT = re.compile(r"[0-9]{1,9}")  # ASCII digits: `\d` also takes ٤ and other scripts
_DAY = re.compile(r"[0-9]{1,2}")
_PLACEHOLDERS = ("company", "run_id", "kind", "period", "payment_date")
_USE_PLACEHOLDERS = "use {company}, {run_id}, {kind}, {period} and {payment_date}"
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
    document = load_json(data, source, problems)
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
    try:
        rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    except csv.Error as error:  # e.g. a field over the csv module's limit of 128 KiB
        problems.add(0, None, f"cannot be read as CSV: {error}")
        problems.check()
        raise AssertionError("unreachable") from None
    if not rows:
        problems.add(0, None, "the file is empty: expected a header line")
        problems.check()
    required = ("type", "key", "value", "debit_account", "credit_account", "cost_center_side")
    columns: dict[str, int] = {}
    for index, cell in enumerate(rows[0]):
        name = cell.strip().lower()
        if name in columns and name in required:
            problems.add(1, name, "is a column twice: keep one")
        columns.setdefault(name, index)
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
            problems.add(
                line_no, None, f"has {count_of_fields(len(row))}, the header has {len(rows[0])}"
            )
            continue
        kind, key, value, debit, credit, side = (row[columns[name]].strip() for name in required)
        if kind == "setting":
            if key not in _SETTINGS:
                problems.add(
                    line_no, "key", f"{shown(key)} is not a setting (use {', '.join(_SETTINGS)})"
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
                f"{shown(kind)} is not a line type (use setting, component or dimension)",
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
    name = problems.attempt(0, "name", parse_name, settings.get("name", ""))
    if name == "":
        problems.add(0, "name", "the scheme needs a name")
    rounding = settings.get("rounding_account", "")
    if not _ACCOUNT.fullmatch(rounding):
        problems.add(0, "rounding_account", _not_an_account(rounding))
    currency = settings.get("currency", "").upper() or None
    if currency is not None and currency not in CURRENCY_EXPONENTS:
        problems.add(0, "currency", f"{shown(currency)} is not a currency payjournal books in")
    voucher_text = problems.attempt(
        0, "voucher_text", _voucher_text, settings.get("voucher_text", "")
    )
    date_rule = _date_rule(
        settings.get("voucher_date", ""), settings.get("voucher_day", ""), problems
    )
    detail_text = settings.get("detail", "") or DetailLevel.ACCOUNT.value
    if detail_text not in DetailLevel._value2member_map_:
        problems.add(0, "detail", f"{shown(detail_text)} is not a detail level (use {_DETAILS})")
    mappings = _component_mappings(components, problems)
    items = _dimension_items(dimensions, problems)
    problems.check()
    assert date_rule is not None
    assert name is not None
    assert voucher_text is not None
    return LedgerScheme(
        name=name,
        components=mappings,
        rounding_account=rounding,
        currency=currency,
        voucher_date=date_rule,
        detail=DetailLevel(detail_text),
        dimensions=items,
        voucher_text=voucher_text or DEFAULT_VOUCHER_TEXT,
    )


def _not_an_account(account: str) -> str:
    return f"{shown(account)} is not an account number (1 to 9 digits)"


def _voucher_text(raw: str) -> str:
    """A voucher text template: text with the placeholders of `_PLACEHOLDERS` only.

    The template is filled in with `str.format`, so anything else in braces — an attribute
    (``{run_id.__class__}``), an index, a conversion or a format spec (``{run_id:>999999999}``
    builds a string of a billion characters) — is refused here, where the file is read.
    """
    text = parse_name(raw, MAX_VOUCHER_TEXT)
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in Formatter().parse(text)
            if name is not None
        ]
    except ValueError as error:
        raise ValueError(f"is not a valid template ({error}); {_USE_PLACEHOLDERS}") from None
    for name, spec, conversion in fields:
        if name not in _PLACEHOLDERS or spec or conversion:
            braced = (
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            raise ValueError(f"{shown(braced)} is not a placeholder; {_USE_PLACEHOLDERS}")
    return text


def _dimension_items(
    dimensions: list[tuple[int, str, str]], problems: ProblemList
) -> dict[str, str]:
    items: dict[str, str] = {}
    for line, raw_key, raw_value in dimensions:
        key = problems.attempt(line, "dimension", parse_code, raw_key)
        value = problems.attempt(line, "dimension", parse_code, raw_value)
        if key is None or value is None:
            continue
        if not key or not value:
            problems.add(
                line, "dimension", "a dimension needs a department or cost center and an item"
            )
        elif key in items:
            problems.add(line, "dimension", f"{key!r} is mapped twice")
        else:
            items[key] = value
    return items


def _date_rule(rule: str, day: str, problems: ProblemList) -> VoucherDateRule | None:
    rule = rule or DateRule.PERIOD_END.value
    if rule not in DateRule._value2member_map_:
        problems.add(0, "voucher_date", f"{shown(rule)} is not a voucher date rule (use {_RULES})")
        return None
    parsed_day = int(day) if _DAY.fullmatch(day) else None
    if day and parsed_day is None:
        problems.add(0, "voucher_day", f"{shown(day)} is not a day of the month")
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
    for line, raw_code, raw_description, debit, credit, side_text in components:
        before = len(problems.items)
        code = problems.attempt(line, "component", parse_code, raw_code)
        if code == "":
            problems.add(line, "component", "is required")
        elif code is not None and code in seen:
            problems.add(line, "component", f"{code!r} is mapped twice")
        if code:
            seen.add(code)
        description = problems.attempt(line, "description", parse_name, raw_description)
        for field, account in (("debit_account", debit), ("credit_account", credit)):
            if not _ACCOUNT.fullmatch(account):
                problems.add(line, field, _not_an_account(account))
        side_text = side_text or CostCenterSide.NONE.value
        if side_text not in CostCenterSide._value2member_map_:
            problems.add(
                line, "cost_center_side", f"{shown(side_text)} is not a side (use {_SIDES})"
            )
        if len(problems.items) == before and code and description is not None:
            side = CostCenterSide(side_text)
            mappings[code] = ComponentMapping(code, debit, credit, side, description or None)
    return mappings
