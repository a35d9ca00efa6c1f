"""State ⇄ JSON for ``--state FILE``: a generic codec driven by the dataclasses' type hints."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any
from uuid import UUID


def encode(value: Any) -> Any:
    """Dataclasses to plain JSON-ready data (``Decimal``, dates and UUIDs as strings)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def decode(kind: Any, data: Any) -> Any:
    """Rebuild a value of type ``kind`` from :func:`encode`'s output."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        if data is None:
            return None
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return decode(options[0], data)
    if origin is list:
        (item,) = typing.get_args(kind)
        return [decode(item, v) for v in data]
    if origin is dict:
        key_type, value_type = typing.get_args(kind)
        return {decode(key_type, k): decode(value_type, v) for k, v in data.items()}
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        hints = _hints(kind)
        names = {f.name for f in dataclasses.fields(kind) if f.init}
        return kind(**{k: decode(hints[k], v) for k, v in data.items() if k in names})
    if kind is datetime:
        return datetime.fromisoformat(data)
    if kind is date:
        return date.fromisoformat(data)
    if kind is UUID:
        return UUID(data)
    if kind is Decimal:
        return Decimal(data)
    if kind is int:
        return int(data)
    if kind is float:
        return float(data)
    return data
