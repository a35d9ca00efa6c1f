"""Reads by key and plain writes whose SQL is built once per process, for the send path.

Django compiles a queryset's SQL on every evaluation. For the leg a send loads (five models
joined, 70 columns) the compilation costs eight times the query itself: 0.48 of 0.56 ms, paid
once per voucher at month-end (``payjournal bench month-end``, ``docs/deploy.md``).
:class:`CompiledGet` compiles its queryset once per database vendor, keeps the SQL with the
primary key's place among its parameters, and builds each answer's model instances the way the
queryset would (Django's converters of each column, ``select_related`` populated), so its
callers get the same objects as from ``queryset.get(pk=…)``.

A read may be keyed by other columns than the primary key (``keys``: a booking row by its
company and run id) and may lock its row (``select_for_update``, inside a transaction as Django
requires). Only for reads whose SQL never changes with their arguments but for those keys: a
filter on another value or an ``in`` list is not what this is for.

The same holds for a leg's state change, an ``UPDATE`` and an ``INSERT`` of one row each: through
the ORM each cost 0.2–0.3 ms of building and compiling around a statement SQLite runs in
0.03 ms. :func:`update_where` and :func:`insert_row` write the SQL once per model, database
and set of columns, and prepare each value with its field, as ``QuerySet.update`` and
``Model.save`` would; neither sends model signals (``update`` sends none either: a model
written through :func:`insert_row` must have no ``post_save`` receivers that matter).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from django.db import connections, router
from django.db.models import Field, Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError

__all__ = ["CompiledGet", "CompiledValues", "insert_row", "update_where"]

M = TypeVar("M", bound=Model)


@dataclass(frozen=True, slots=True)
class _Compiled:
    model: type[Model]
    alias: str
    sql: str
    params: tuple[Any, ...]
    key_at: tuple[int, ...]
    init_list: list[str]
    model_columns: slice
    populators: list[Any]
    converters: dict[int, Any]


class CompiledGet(Generic[M]):
    """``queryset().get(pk=…)`` — or ``get(**dict(zip(keys, values)))`` — with the SQL compiled
    once per database vendor.

    ``queryset`` builds the queryset (joins, ``select_related``, ``only``,
    ``select_for_update``) without the keys' filter; :meth:`get` raises the model's
    ``DoesNotExist`` as ``.get`` would.
    """

    def __init__(
        self, queryset: Callable[[], QuerySet[M]], keys: tuple[str, ...] = ("pk",)
    ) -> None:
        self._queryset = queryset
        self._keys = keys
        self._model_class: type[M] | None = None
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def get(self, *values: Any) -> M:
        """The one row whose keys hold ``values`` (in the order of ``keys``)."""
        compiled = self._compiled.get(connections[router.db_for_read(self._model())].vendor)
        if compiled is None:
            compiled = self._compile(values)
        model, alias = compiled.model, compiled.alias
        connection = connections[alias]
        if self._locks and not connection.in_atomic_block:
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(compiled.params)
        for place, key, value in zip(compiled.key_at, self._keys, values, strict=True):
            params[place] = _key_field(model, key).get_db_prep_value(value, connection)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            raise model.DoesNotExist(  # type: ignore[attr-defined]
                f"{model._meta.object_name} matching query does not exist."
            )
        read = _converted(row, compiled.converters, connection)
        obj = model.from_db(alias, compiled.init_list, read[compiled.model_columns])
        for populator in compiled.populators:
            populator.populate(read, obj)
        return cast(M, obj)  # built from the model of this instance's queryset

    def _model(self) -> type[M]:
        """The queryset's model (its queryset is built once for that, not on every read)."""
        if self._model_class is None:
            queryset = self._queryset()
            self._model_class = queryset.model
            self._locks = queryset.query.select_for_update
        return self._model_class

    _locks = False

    def _compile(self, values: tuple[Any, ...]) -> _Compiled:
        """The SQL of the queryset filtered on the first keys asked for, with the place of each
        key's value among the parameters."""
        queryset = self._queryset()
        alias, compiler, sql, params, places = _compile_filtered(queryset, self._keys, values)
        klass_info, select = compiler.klass_info, compiler.select
        assert klass_info is not None, "a model query"
        fields = klass_info["select_fields"]
        columns = slice(fields[0], fields[-1] + 1)
        compiled = _Compiled(
            model=queryset.model,
            alias=alias,
            sql=sql,
            params=tuple(params),
            key_at=tuple(places),
            init_list=[column[0].target.attname for column in select[columns]],
            model_columns=columns,
            # Django 5.2's signature (the stubs already know 6.0's ``fetch_mode``).
            populators=get_related_populators(klass_info, select, alias),  # type: ignore[call-arg]
            converters=compiler.get_converters([column[0] for column in select]),
        )
        with self._lock:
            self._compiled[connections[alias].vendor] = compiled
        return compiled


class CompiledValues:
    """``queryset().filter(<key>=value)`` of a ``values_list`` queryset, as its tuples, with the
    SQL compiled once per database vendor (a journal's lines, read on every send)."""

    def __init__(self, queryset: Callable[[], QuerySet[Any]], key: str) -> None:
        self._queryset = queryset
        self._key = key
        self._model_class: type[Model] | None = None
        # vendor -> (alias, SQL, parameters, the key's place, converters)
        self._compiled: dict[str, tuple[str, str, tuple[Any, ...], int, dict[int, Any]]] = {}

    def rows(self, value: Any) -> list[tuple[Any, ...]]:
        """The rows whose key holds ``value``, in the queryset's order."""
        if self._model_class is None:
            self._model_class = self._queryset().model
        model = self._model_class
        compiled = self._compiled.get(connections[router.db_for_read(model)].vendor)
        if compiled is None:
            queryset = self._queryset()
            alias, compiler, sql, params, places = _compile_filtered(
                queryset, (self._key,), (value,)
            )
            converters = compiler.get_converters([column[0] for column in compiler.select])
            compiled = (alias, sql, tuple(params), places[0], converters)
            self._compiled[connections[alias].vendor] = compiled
        alias, sql, fixed, place, converters = compiled
        connection = connections[alias]
        params = list(fixed)
        params[place] = _key_field(model, self._key).get_db_prep_value(value, connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        if not converters:
            return [tuple(row) for row in found]
        return [tuple(_converted(row, converters, connection)) for row in found]


def _compile_filtered(
    queryset: QuerySet[Any], keys: tuple[str, ...], values: tuple[Any, ...]
) -> tuple[str, SQLCompiler, str, list[Any], list[int]]:
    """``queryset`` filtered on ``keys`` = ``values``, compiled: its database alias, compiler,
    SQL and parameters, and the place of each key's value among the parameters."""
    alias = router.db_for_read(queryset.model)
    filtered = queryset.filter(**dict(zip(keys, values, strict=True)))
    compiler: SQLCompiler = filtered.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    places = []
    for key, value in zip(keys, values, strict=True):
        prepared = _key_field(queryset.model, key).get_db_prep_value(value, connections[alias])
        found = [at for at, param in enumerate(params) if param == prepared]
        if len(found) != 1:
            raise ValueError(f"the place of {key} in {sql!r} is not unique: {params!r}")
        places.append(found[0])
    return alias, compiler, sql, list(params), places


def _converted(row: Sequence[Any], converters: dict[int, Any], connection: Any) -> list[Any]:
    """A row's values through Django's converters of their columns (SQLite's 0/1 → bool …)."""
    read = list(row)
    for position, (column_converters, expression) in converters.items():
        value = read[position]
        for converter in column_converters:
            value = converter(value, expression, connection)
        read[position] = value
    return read


def _key_field(model: type[Model], key: str) -> Field[Any, Any]:
    """The field a key names: ``pk``, a field's name or its attribute name (``company_id``)."""
    return model._meta.pk if key == "pk" else model._meta.get_field(key)  # type: ignore[return-value]


_Columns = tuple[str, ...]
#: (model, database alias, its vendor, "update" or "insert", columns) → (SQL, the columns' fields).
_written_sql: dict[
    tuple[type[Model], str, str, str, _Columns], tuple[str, list[Field[Any, Any]]]
] = {}


def _column(field: Field[Any, Any]) -> str:
    """A concrete field's column (``Field.column`` is typed optional for the others)."""
    assert field.column is not None, f"{field} has a column"
    return field.column


def _plain_fields(model: type[Model], names: _Columns) -> list[Field[Any, Any]]:
    """The concrete fields ``names`` of ``model`` (by attribute name: ``submission_id``)."""
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    missing = [name for name in names if name not in by_attname]
    if missing:
        raise ValueError(f"{model._meta.label} has no column for {', '.join(missing)}")
    return [by_attname[name] for name in names]


def _statement(
    kind: str, model: type[Model], alias: str, names: _Columns, build: Callable[[], str]
) -> tuple[str, list[Field[Any, Any]]]:
    """The statement ``build`` writes, once per model, database and columns."""
    key = (model, alias, connections[alias].vendor, kind, names)
    found = _written_sql.get(key)
    if found is None:
        found = _written_sql[key] = (build(), _plain_fields(model, names))
    return found


def update_where(model: type[Model], pk: Any, *guards: tuple[str, Any], **changes: Any) -> int:
    """``UPDATE`` the row ``pk`` of ``model`` with ``changes`` where each column ``guard[0]``
    still holds ``guard[1]`` (a compare-and-set); returns the rows written, 0 or 1."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    quote = connection.ops.quote_name
    meta = model._meta
    guarded = tuple(name for name, _value in guards)
    names = (*changes, *guarded)

    def build() -> str:
        fields = _plain_fields(model, names)
        settings = ", ".join(f"{quote(_column(field))} = %s" for field in fields[: len(changes)])
        where = "".join(f" AND {quote(_column(field))} = %s" for field in fields[len(changes) :])
        # Names from the model's own metadata, quoted; every value is a parameter.
        return (
            f"UPDATE {quote(meta.db_table)} SET {settings} "  # noqa: S608
            f"WHERE {quote(_column(meta.pk))} = %s{where}"
        )

    sql, fields = _statement(f"update/{len(guards)}", model, alias, names, build)
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields[: len(changes)], changes.values(), strict=True)
    ]
    params.append(meta.pk.get_db_prep_value(pk, connection))
    params.extend(
        field.get_db_prep_save(value, connection)
        for field, (_name, value) in zip(fields[len(changes) :], guards, strict=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def insert_row(model: type[Model], **values: Any) -> None:
    """``INSERT`` one row of ``model``: every concrete column but an automatic primary key,
    by attribute name (a default of the model is not applied here; give every value)."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    quote = connection.ops.quote_name
    meta = model._meta
    names = tuple(values)

    def build() -> str:
        expected = {
            field.attname
            for field in meta.concrete_fields
            if not (field.primary_key and getattr(field, "db_returning", False))
        }
        if set(names) != expected:
            raise ValueError(
                f"{meta.label} rows are written with every column: missing "
                f"{sorted(expected - set(names))}, unknown {sorted(set(names) - expected)}"
            )
        columns = ", ".join(quote(_column(field)) for field in _plain_fields(model, names))
        places = ", ".join(["%s"] * len(names))
        return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({places})"  # noqa: S608

    sql, fields = _statement("insert", model, alias, names, build)
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
