"""``WireModel``: a frozen dataclass that reads and writes Visma's JSON from its own fields.

A model declares each field once, as a dataclass field, and its wire form follows from it:

* the **wire name** is the field name in PascalCase (``cost_center_item_id1`` →
  ``CostCenterItemId1``, ``number_and_number_series`` → ``NumberAndNumberSeries``);
  ``field(metadata=wired(name="Attachments"))`` names another;
* the **reader** follows the type (:data:`payjournal.visma.wire.READERS`): ``str``, ``int``,
  ``UUID`` and ``date`` must be there; with ``| None`` they may be absent or null; ``bool``
  reads absent as ``False``, ``Decimal`` (an amount) as zero; ``tuple[str, ...]``,
  ``tuple[UUID, ...]`` and ``tuple[SomeModel, ...]`` read lists (absent: empty). A wrong
  payload raises :class:`~payjournal.visma.wire.WireFormatError` naming the field;
* ``wired(optional=True)``: absent or null reads as the type's empty value (``""``, ``0``);
* ``wired(read_only=True)``: read, never written (Visma fills it in);
* ``wired(write=f)``: written as ``f(value)`` (bytes as base64, say); such a field is not
  read back (the model is one Visma only receives).

``to_wire`` writes the fields in declaration order, nested models and tuples as JSON
objects and lists, and leaves out the ``None`` ones (absent is Visma's default, ``null`` is
not always). A type with no reader fails on the model's first ``from_wire``, by name.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Self, Union, get_args, get_origin, get_type_hints

from payjournal.visma import wire

__all__ = ["WireField", "WireModel", "wire_fields", "wire_name", "wired"]

Reader = Callable[[Mapping[str, Any], str], Any]
Writer = Callable[[Any], Any]

_METADATA_KEY = "payjournal.visma.wire"


@dataclass(frozen=True, slots=True)
class _Declared:
    """What ``wired`` adds to a field's metadata."""

    name: str | None = None
    optional: bool = False
    read_only: bool = False
    write: Writer | None = None


def wired(
    *,
    name: str | None = None,
    optional: bool = False,
    read_only: bool = False,
    write: Writer | None = None,
) -> Mapping[str, Any]:
    """Field metadata for what the type and the name do not say (see the module docstring)."""
    return {_METADATA_KEY: _Declared(name, optional, read_only, write)}


def wire_name(field_name: str) -> str:
    """``cost_center_item_id1`` → ``CostCenterItemId1``."""
    return "".join(part[:1].upper() + part[1:] for part in field_name.split("_"))


@dataclass(frozen=True, slots=True)
class WireField:
    """One field of a model as it crosses the wire."""

    attribute: str  # the Python name
    key: str  # the wire name
    type: Any  # the field's type
    read: Reader | None  # None: never read (a field only Visma receives)
    write: Writer | None  # None: never written (read only)


class WireModel:
    """Base of the Visma models: ``from_wire`` and ``to_wire`` derived from the fields."""

    __slots__ = ()

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Self:
        """The model from a JSON object of Visma's (strict: see the module docstring)."""
        values = {}
        for field in wire_fields(cls):
            if field.read is None:
                raise TypeError(f"{cls.__name__}.{field.attribute} has no wire reader")
            values[field.attribute] = field.read(data, field.key)
        return cls(**values)

    def to_wire(self) -> dict[str, Any]:
        """The JSON object Visma expects (``None`` fields left out)."""
        return wire.without_none(
            {
                field.key: field.write(getattr(self, field.attribute))
                for field in wire_fields(type(self))
                if field.write is not None
            }
        )


def _written(value: Any) -> Any:
    if isinstance(value, WireModel):
        return value.to_wire()
    if isinstance(value, tuple):
        return [_written(item) for item in value]
    return value


_FIELDS: dict[type[WireModel], tuple[WireField, ...]] = {}


def wire_fields(cls: type[WireModel]) -> tuple[WireField, ...]:
    """The fields of ``cls`` as they are read and written (worked out once per class)."""
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = _declared_fields(cls)
    return found


def _declared_fields(cls: type[WireModel]) -> tuple[WireField, ...]:
    hints = get_type_hints(cls)
    found = []
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]  # a dataclass subclass
        declared = field.metadata.get(_METADATA_KEY, _Declared())
        hint = hints[field.name]
        if declared.write is not None:
            read = None
        elif declared.optional:
            read = _empty_if_absent(hint)
        else:
            read = _reader(hint)
        write = None if declared.read_only else (declared.write or _written)
        key = declared.name or wire_name(field.name)
        found.append(WireField(field.name, key, hint, read, write))
    return tuple(found)


def _reader(hint: Any) -> Reader | None:
    """The reader of a field of type ``hint`` (``X | None`` reads absent as ``None``)."""
    nullable = False
    if get_origin(hint) in (Union, types.UnionType):
        others = [arg for arg in get_args(hint) if arg is not type(None)]
        if len(others) != 1:
            return None
        hint, nullable = others[0], True
    if get_origin(hint) is tuple and not nullable:
        return _list_reader(get_args(hint))
    return wire.READERS.get((hint, nullable))


def _list_reader(args: tuple[Any, ...]) -> Reader | None:
    if len(args) != 2 or args[1] is not Ellipsis:
        return None
    item = args[0]
    if isinstance(item, type) and issubclass(item, WireModel):
        return lambda data, key: tuple(item.from_wire(obj) for obj in wire.obj_list(data, key))
    return wire.LIST_READERS.get(item)


def _empty_if_absent(hint: Any) -> Reader | None:
    """The reader of ``hint | None`` with absent or null as the type's empty value."""
    nullable = _reader(hint | None)
    if nullable is None:
        return None
    empty = hint()
    return lambda data, key: nullable(data, key) or empty
