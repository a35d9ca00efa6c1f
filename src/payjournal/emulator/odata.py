"""An OData subset for ``$filter`` and ``$orderby`` over the API's JSON objects.

Supported: ``eq ne gt ge lt le``, ``and or not``, parentheses; literals for strings
(``'it''s'``), numbers, dates (``2024-01-31``), date-times (``2024-01-31T00:00:00Z``),
GUIDs (bare or ``guid'…'``), ``true``/``false``/``null``; functions ``year month day``
``contains startswith endswith tolower toupper``. The literal decides how a property is
compared: a date literal compares the property as a date-time (both sides UTC), a GUID
case-insensitively, a number as ``Decimal``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

Item = Mapping[str, Any]
Getter = Callable[[Item], Any]
Predicate = Callable[[Item], bool]


class ODataError(ValueError):
    """The query option cannot be parsed or refers to something unknown."""


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^']|'')*')
    | (?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})
    | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)
    | (?P<date>\d{4}-\d{2}-\d{2})
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<punct>[(),])
    )""",
    re.VERBOSE,
)
_COMPARE = {"eq", "ne", "gt", "ge", "lt", "le"}
_FUNCTIONS = {"year", "month", "day", "contains", "startswith", "endswith", "tolower", "toupper"}


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ODataError(f"unexpected text at position {pos}: {text[pos : pos + 15]!r}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def to_datetime(value: Any) -> datetime | None:
    """A property value or literal as an aware UTC datetime (dates at midnight)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


_COERCE: dict[str, Callable[[Any], Any]] = {
    "date": to_datetime,
    "datetime": to_datetime,
    "guid": lambda v: v.lower() if isinstance(v, str) else None,
    "number": _as_number,
    "string": lambda v: v if isinstance(v, str) else (None if v is None else str(v)),
    "bool": lambda v: v if isinstance(v, bool) else None,
}


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ODataError("unexpected end of expression")
        self.pos += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == "ident" and token[1].lower() == word:
            self.pos += 1
            return True
        return False

    def expect(self, punct: str) -> None:
        if self.take() != ("punct", punct):
            raise ODataError(f"expected {punct!r}")

    def parse_or(self) -> Predicate:
        terms = [self.parse_and()]
        while self.keyword("or"):
            terms.append(self.parse_and())
        return terms[0] if len(terms) == 1 else lambda item: any(t(item) for t in terms)

    def parse_and(self) -> Predicate:
        terms = [self.parse_not()]
        while self.keyword("and"):
            terms.append(self.parse_not())
        return terms[0] if len(terms) == 1 else lambda item: all(t(item) for t in terms)

    def parse_not(self) -> Predicate:
        if self.keyword("not"):
            inner = self.parse_not()
            return lambda item: not inner(item)
        return self.parse_comparison()

    def parse_comparison(self) -> Predicate:
        if self.peek() == ("punct", "("):
            self.take()
            inner = self.parse_or()
            self.expect(")")
            return inner
        left, left_kind = self.parse_operand()
        token = self.peek()
        if token is None or token[0] != "ident" or token[1].lower() not in _COMPARE:
            return lambda item: left(item) is True
        op = self.take()[1].lower()
        right, right_kind = self.parse_operand()
        kind = right_kind if right_kind != "value" else left_kind
        coerce = _COERCE.get(kind, lambda v: v)
        return lambda item: _compare(op, coerce(left(item)), coerce(right(item)))

    def parse_operand(self) -> tuple[Getter, str]:
        kind, text = self.take()
        if kind == "string":
            value = text[1:-1].replace("''", "'")
            return (lambda _item: value), "string"
        if kind in {"guid", "date", "datetime"}:
            literal = text.lower() if kind == "guid" else to_datetime(text)
            return (lambda _item: literal), kind
        if kind == "number":
            number = Decimal(text)
            return (lambda _item: number), "number"
        if kind != "ident":
            raise ODataError(f"unexpected {text!r}")
        return self.parse_name(text)

    def parse_name(self, name: str) -> tuple[Getter, str]:
        lowered = name.lower()
        if lowered in {"true", "false"}:
            flag = lowered == "true"
            return (lambda _item: flag), "bool"
        if lowered == "null":
            return (lambda _item: None), "null"
        following = self.peek()
        if lowered in {"guid", "datetime"} and following and following[0] == "string":
            inner = self.take()[1][1:-1]
            literal = inner.lower() if lowered == "guid" else to_datetime(inner)
            return (lambda _item: literal), lowered
        if lowered in _FUNCTIONS and following == ("punct", "("):
            return self.parse_function(lowered)
        return (lambda item: _property(item, name)), "value"

    def parse_function(self, name: str) -> tuple[Getter, str]:
        self.expect("(")
        args = [self.parse_operand()[0]]
        while self.peek() == ("punct", ","):
            self.take()
            args.append(self.parse_operand()[0])
        self.expect(")")
        return _function(name, args)


def _function(name: str, args: list[Getter]) -> tuple[Getter, str]:
    first = args[0]
    if name in {"year", "month", "day"}:

        def part(item: Item) -> Decimal | None:
            moment = to_datetime(first(item))
            return Decimal(getattr(moment, name)) if moment else None

        return part, "number"
    if name in {"tolower", "toupper"}:

        def case(item: Item) -> str | None:
            value = first(item)
            return None if value is None else getattr(str(value), name[2:])()

        return case, "string"
    if len(args) != 2:
        raise ODataError(f"{name} takes two arguments")
    second = args[1]
    method = {"contains": "__contains__", "startswith": "startswith", "endswith": "endswith"}

    def test(item: Item) -> bool:
        haystack, needle = first(item), second(item)
        if not isinstance(haystack, str) or not isinstance(needle, str):
            return False
        return bool(getattr(haystack, method[name])(needle))

    return test, "bool"


def _property(item: Item, name: str) -> Any:
    if name not in item:
        raise ODataError(f"unknown property {name!r}")
    return item[name]


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "eq":
        return bool(left == right)
    if op == "ne":
        return bool(left != right)
    if left is None or right is None:
        return False
    try:
        return bool(
            {"gt": left > right, "ge": left >= right, "lt": left < right, "le": left <= right}[op]
        )
    except TypeError as exc:
        raise ODataError(f"cannot compare {left!r} with {right!r}") from exc


def compile_filter(text: str) -> Predicate:
    """Compile a ``$filter`` expression into a predicate over API objects."""
    parser = _Parser(text)
    predicate = parser.parse_or()
    if parser.peek() is not None:
        raise ODataError(f"unexpected {parser.peek()[1]!r}")  # type: ignore[index]
    return predicate


def order_by(items: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """Sort by ``$orderby`` (``Field [asc|desc], …``); nulls sort first, as in OData."""
    keys: list[tuple[str, bool]] = []
    for part in text.split(","):
        words = part.split()
        if (
            not words
            or len(words) > 2
            or (len(words) == 2 and words[1].lower() not in {"asc", "desc"})
        ):
            raise ODataError(f"invalid $orderby clause {part.strip()!r}")
        keys.append((words[0], len(words) == 2 and words[1].lower() == "desc"))
    ordered = list(items)
    for name, descending in reversed(keys):
        if ordered and name not in ordered[0]:
            raise ODataError(f"unknown property {name!r}")
        ordered.sort(key=partial(_sort_key_of, name), reverse=descending)
    return ordered


def _sort_key_of(name: str, item: dict[str, Any]) -> tuple[int, Any]:
    return _sort_key(item.get(name))


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, str):
        return (1, value.lower())
    return (1, value)
