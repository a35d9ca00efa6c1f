"""JSON in and out without floats: amounts are ``Decimal`` from parse to serialisation.

``json.dumps`` cannot write a ``Decimal`` as a number, so the encoder here is a small
recursive writer that writes ``Decimal`` values verbatim and delegates strings to ``json``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

_encode_str = json.encoder.encode_basestring


def loads(raw: bytes | str) -> Any:
    """Parse JSON with every non-integer number as ``Decimal``."""
    return json.loads(raw, parse_float=Decimal)


def dumps(value: Any) -> str:
    """Serialise ``value`` to compact JSON; ``Decimal`` becomes a plain JSON number."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _write(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_encode_str(value))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, Decimal):
        out.append(format(value, "f"))
    elif isinstance(value, float):  # control API knobs (rates, seconds); money is Decimal
        out.append(repr(value))
    elif isinstance(value, Mapping):
        out.append("{")
        first = True
        for key, item in value.items():
            if not first:
                out.append(",")
            first = False
            out.append(_encode_str(str(key)))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, Sequence):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
    elif isinstance(value, UUID):
        out.append(_encode_str(str(value)))
    elif isinstance(value, datetime):
        out.append(_encode_str(format_utc(value)))
    elif isinstance(value, date):
        out.append(_encode_str(format_date(value)))
    else:
        raise TypeError(f"cannot serialise {type(value).__name__}")


def format_date(value: date) -> str:
    """A calendar date the way ASP.NET writes an unspecified-kind ``DateTime``."""
    return f"{value.isoformat()}T00:00:00"


def format_utc(value: datetime) -> str:
    """A UTC timestamp with milliseconds and a ``Z``."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
