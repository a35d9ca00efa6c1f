"""The JSON boundary: Decimal-exact encoding and decoding, and typed field readers.

Amounts never pass through ``float``: responses are parsed with ``parse_float=Decimal`` and
requests are written by :func:`dumps`, which emits a ``Decimal`` as a JSON number literal
with at most two decimals (it refuses anything that would need rounding).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any
from uuid import UUID

__all__ = [
    "CENT",
    "WireFormatError",
    "dumps",
    "format_amount",
    "loads",
    "to_cents",
]

CENT = Decimal("0.01")
_MAX_AMOUNT = Decimal("1000000000")


class WireFormatError(ValueError):
    """A response field is missing or has the wrong type."""


def to_cents(value: Decimal) -> Decimal:
    """``value`` with exactly two decimals; raises ``ValueError`` if that would round."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"amount must be a finite Decimal, got {value!r}")
    quantized = value.quantize(CENT)
    if quantized != value:
        raise ValueError(f"amount {value} has more than two decimals")
    if abs(quantized) > _MAX_AMOUNT:
        raise ValueError(f"amount {value} exceeds Visma's maximum of {_MAX_AMOUNT}")
    return quantized


def format_amount(value: Decimal) -> str:
    """The JSON number literal for an amount, e.g. ``Decimal("1234.5")`` → ``1234.50``."""
    return format(to_cents(value), "f")


def _encode(value: Any, out: list[str]) -> None:
    # json's own C string quoting (non-ASCII kept), not json.dumps per value: that builds an
    # encoder for every call, and a voucher has hundreds of values.
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, Decimal):
        out.append(format_amount(value))
    elif isinstance(value, date):  # datetime included
        out.append(encode_basestring(value.isoformat()))
    elif isinstance(value, UUID):
        out.append(encode_basestring(str(value)))
    elif isinstance(value, Mapping):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                out.append(",")
            out.append(encode_basestring(str(key)))
            out.append(":")
            _encode(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _encode(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot encode {type(value).__name__} for Visma")


def dumps(value: Any) -> bytes:
    """Encode a request body: Decimal as a two-decimal number, dates as ``YYYY-MM-DD``,
    UUIDs as strings. ``float`` is accepted by type but never produced by this client."""
    if isinstance(value, float):
        raise TypeError("floats are not sent to Visma; use Decimal")
    out: list[str] = []
    _encode(value, out)
    return "".join(out).encode("utf-8")


def loads(content: bytes | str) -> Any:
    """Decode a response body with every JSON fraction as ``Decimal``."""
    return json.loads(content, parse_float=Decimal)


# --- typed readers for response objects -------------------------------------------------


def _get(data: Mapping[str, Any], key: str) -> Any:
    try:
        return data[key]
    except KeyError:
        raise WireFormatError(f"missing field {key}") from None


def req_str(data: Mapping[str, Any], key: str) -> str:
    value = _get(data, key)
    if not isinstance(value, str):
        raise WireFormatError(f"{key} should be a string, got {type(value).__name__}")
    return value


def opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise WireFormatError(f"{key} should be a string, got {type(value).__name__}")
    return value


def opt_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise WireFormatError(f"{key} should be an integer, got {type(value).__name__}")
    return value


def req_int(data: Mapping[str, Any], key: str) -> int:
    value = opt_int(data, key)
    if value is None:
        raise WireFormatError(f"missing field {key}")
    return value


def opt_bool(data: Mapping[str, Any], key: str, default: bool = False) -> bool:
    value = data.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise WireFormatError(f"{key} should be a boolean, got {type(value).__name__}")
    return value


def opt_uuid(data: Mapping[str, Any], key: str) -> UUID | None:
    value = opt_str(data, key)
    if value is None or value == "":
        return None
    try:
        return UUID(value)
    except ValueError:
        raise WireFormatError(f"{key} should be a UUID, got {value!r}") from None


def req_uuid(data: Mapping[str, Any], key: str) -> UUID:
    value = opt_uuid(data, key)
    if value is None:
        raise WireFormatError(f"missing field {key}")
    return value


def opt_datetime(data: Mapping[str, Any], key: str) -> datetime | None:
    """A Visma timestamp; naive values (ASP.NET style, no zone) are taken as UTC."""
    value = opt_str(data, key)
    if value is None or value == "":
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise WireFormatError(f"{key} should be a date-time, got {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def opt_date(data: Mapping[str, Any], key: str) -> date | None:
    """The calendar date of a ``date-time`` field (``2024-01-31T00:00:00`` → 2024-01-31)."""
    value = opt_str(data, key)
    if value is None or value == "":
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        raise WireFormatError(f"{key} should be a date, got {value!r}") from None


def req_date(data: Mapping[str, Any], key: str) -> date:
    value = opt_date(data, key)
    if value is None:
        raise WireFormatError(f"missing field {key}")
    return value


def amount(data: Mapping[str, Any], key: str) -> Decimal:
    """An amount as ``Decimal`` with two decimals; absent or null reads as zero."""
    value = data.get(key)
    if value is None:
        return Decimal("0.00")
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise WireFormatError(f"{key} should be a number, got {type(value).__name__}")
    # Quantizing here repairs binary-float artefacts a server may emit (0.30000000000000004).
    return Decimal(value).quantize(CENT)


def req_obj(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise WireFormatError(f"{what} should be a JSON object, got {type(value).__name__}")
    return value


def obj_list(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise WireFormatError(f"{key} should be a list, got {type(value).__name__}")
    return [req_obj(item, f"an item of {key}") for item in value]


def str_list(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise WireFormatError(f"{key} should be a list of strings")
    return tuple(value)


def without_none(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A request object without the keys whose value is ``None`` (Visma treats absent as
    default; sending ``null`` for e.g. ``NumberSeries`` is not the same)."""
    return {key: value for key, value in fields.items() if value is not None}
