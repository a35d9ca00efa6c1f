"""The JSON boundary: Decimal-exact encoding and decoding, and typed field readers.

Amounts never pass through ``float``: responses are parsed with ``parse_float=Decimal`` and
requests are written by :func:`dumps`, which emits a ``Decimal`` as a JSON number literal
with at most two decimals (it refuses anything that would need rounding).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any, TypeVar
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
# Each reads one field of a JSON object and names it when it is missing or of the wrong type.
# ``req_*`` need the field, ``opt_*`` read absent or null as ``None``.

T = TypeVar("T")


def _get(data: Mapping[str, Any], key: str) -> Any:
    try:
        return data[key]
    except KeyError:
        raise WireFormatError(f"missing field {key}") from None


def _required(key: str, value: T | None) -> T:
    if value is None:
        raise WireFormatError(f"missing field {key}")
    return value


def _typed(key: str, value: Any, kind: type[T], what: str) -> T:
    """``value`` if it is a ``kind`` (a boolean is no number), else the error naming ``key``."""
    if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
        return value
    raise WireFormatError(f"{key} should be {what}, got {type(value).__name__}")


def _parsed(data: Mapping[str, Any], key: str, parse: Callable[[str], T], what: str) -> T | None:
    """A string field parsed by ``parse``; empty reads as ``None``."""
    value = opt_str(data, key)
    if value is None or value == "":
        return None
    try:
        return parse(value)
    except ValueError:
        raise WireFormatError(f"{key} should be {what}, got {value!r}") from None


def req_str(data: Mapping[str, Any], key: str) -> str:
    return _typed(key, _get(data, key), str, "a string")


def opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else _typed(key, value, str, "a string")


def opt_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    return None if value is None else _typed(key, value, int, "an integer")


def req_int(data: Mapping[str, Any], key: str) -> int:
    return _required(key, opt_int(data, key))


def opt_bool(data: Mapping[str, Any], key: str, default: bool = False) -> bool:
    value = data.get(key)
    return default if value is None else _typed(key, value, bool, "a boolean")


def opt_uuid(data: Mapping[str, Any], key: str) -> UUID | None:
    return _parsed(data, key, UUID, "a UUID")


def req_uuid(data: Mapping[str, Any], key: str) -> UUID:
    return _required(key, opt_uuid(data, key))


def _utc_datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def opt_datetime(data: Mapping[str, Any], key: str) -> datetime | None:
    """A Visma timestamp; naive values (ASP.NET style, no zone) are taken as UTC."""
    return _parsed(data, key, _utc_datetime, "a date-time")


def _calendar_day(value: str) -> date:
    return datetime.fromisoformat(value).date()


def opt_date(data: Mapping[str, Any], key: str) -> date | None:
    """The calendar date of a ``date-time`` field (``2024-01-31T00:00:00`` → 2024-01-31)."""
    return _parsed(data, key, _calendar_day, "a date")


def req_date(data: Mapping[str, Any], key: str) -> date:
    return _required(key, opt_date(data, key))


def amount(data: Mapping[str, Any], key: str) -> Decimal:
    """An amount as ``Decimal`` with two decimals; absent or null reads as zero."""
    value = data.get(key)
    if value is None:
        return Decimal("0.00")
    number = _typed(key, value, int | Decimal, "a number")  # type: ignore[arg-type]
    # Quantizing here repairs binary-float artefacts a server may emit (0.30000000000000004).
    return Decimal(number).quantize(CENT)


def req_obj(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise WireFormatError(f"{what} should be a JSON object, got {type(value).__name__}")
    return value


def obj_list(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    if value is None:
        return []
    return [req_obj(item, f"an item of {key}") for item in _typed(key, value, list, "a list")]


def str_list(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise WireFormatError(f"{key} should be a list of strings")
    return tuple(value)


def uuid_list(data: Mapping[str, Any], key: str) -> tuple[UUID, ...]:
    """A list of ids; absent, null or empty reads as none."""
    value = data.get(key) or []
    if not isinstance(value, list):
        raise WireFormatError(f"{key} should be a list")
    try:
        return tuple(UUID(str(item)) for item in value)
    except ValueError:
        raise WireFormatError(f"{key} should hold UUIDs") from None


#: The reader of a field by its type and whether it may be absent or null (``X | None``);
#: :mod:`payjournal.visma.wiremodel` picks from here. A ``bool`` is never required: absent
#: is ``False``; an amount (``Decimal``) absent is zero.
READERS: dict[tuple[Any, bool], Callable[[Mapping[str, Any], str], Any]] = {
    (str, False): req_str,
    (str, True): opt_str,
    (int, False): req_int,
    (int, True): opt_int,
    (bool, False): opt_bool,
    (UUID, False): req_uuid,
    (UUID, True): opt_uuid,
    (date, False): req_date,
    (date, True): opt_date,
    (datetime, True): opt_datetime,
    (Decimal, False): amount,
}

#: The reader of a ``tuple[X, ...]`` field by ``X`` (lists of models are read by the model).
LIST_READERS: dict[Any, Callable[[Mapping[str, Any], str], Any]] = {
    str: str_list,
    UUID: uuid_list,
}


def without_none(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A request object without the keys whose value is ``None`` (Visma treats absent as
    default; sending ``null`` for e.g. ``NumberSeries`` is not the same)."""
    return {key: value for key, value in fields.items() if value is not None}
