"""Reads by primary key whose SQL Django compiles once per process, for the send path.

Django compiles a queryset's SQL on every evaluation. For the leg a send loads (five models
joined, 70 columns) the compilation costs eight times the query itself: 0.48 of 0.56 ms, paid
once per voucher at month-end (``payjournal bench month-end``, ``docs/deploy.md``).
:class:`CompiledGet` compiles its queryset once per database vendor, keeps the SQL with the
primary key's place among its parameters, and builds each answer's model instances the way the
queryset would (Django's converters of each column, ``select_related`` populated), so its
callers get the same objects as from ``queryset.get(pk=…)``.

Only for reads whose SQL never changes with their arguments but for the primary key: a filter
on another value, a ``FOR UPDATE`` or an ``in`` list is not what this is for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler

__all__ = ["CompiledGet"]

M = TypeVar("M", bound=Model)


@dataclass(frozen=True, slots=True)
class _Compiled:
    model: type[Model]
    alias: str
    sql: str
    params: tuple[Any, ...]
    pk_at: int
    init_list: list[str]
    model_columns: slice
    populators: list[Any]
    converters: dict[int, Any]


class CompiledGet(Generic[M]):
    """``queryset().get(pk=…)`` with the SQL compiled once per database vendor.

    ``queryset`` builds the queryset (joins, ``select_related``, ``only``) without the primary
    key's filter; :meth:`get` raises the model's ``DoesNotExist`` as ``.get`` would.
    """

    def __init__(self, queryset: Callable[[], QuerySet[M]]) -> None:
        self._queryset = queryset
        self._model_class: type[M] | None = None
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def get(self, pk: Any) -> M:
        compiled = self._compiled.get(connections[router.db_for_read(self._model())].vendor)
        if compiled is None:
            compiled = self._compile(pk)
        model, alias = compiled.model, compiled.alias
        connection = connections[alias]
        params = list(compiled.params)
        params[compiled.pk_at] = model._meta.pk.get_db_prep_value(pk, connection)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            raise model.DoesNotExist(  # type: ignore[attr-defined]
                f"{model._meta.object_name} matching query does not exist."
            )
        values = list(row)
        for position, (converters, expression) in compiled.converters.items():
            value = values[position]
            for converter in converters:
                value = converter(value, expression, connection)
            values[position] = value
        obj = model.from_db(alias, compiled.init_list, values[compiled.model_columns])
        for populator in compiled.populators:
            populator.populate(values, obj)
        return cast(M, obj)  # built from the model of this instance's queryset

    def _model(self) -> type[M]:
        """The queryset's model (its queryset is built once for that, not on every read)."""
        if self._model_class is None:
            self._model_class = self._queryset().model
        return self._model_class

    def _compile(self, pk: Any) -> _Compiled:
        """The SQL of the queryset filtered on the first primary key asked for, with the place
        of that key's value among the parameters."""
        queryset = self._queryset()
        alias = router.db_for_read(queryset.model)
        compiler: SQLCompiler = queryset.filter(pk=pk).query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        prepared = queryset.model._meta.pk.get_db_prep_value(pk, connections[alias])
        found = [at for at, value in enumerate(params) if value == prepared]
        if len(found) != 1:
            raise ValueError(f"the primary key's place in {sql!r} is not unique: {params!r}")
        klass_info, select = compiler.klass_info, compiler.select
        assert klass_info is not None, "a model query"
        fields = klass_info["select_fields"]
        columns = slice(fields[0], fields[-1] + 1)
        compiled = _Compiled(
            model=queryset.model,
            alias=alias,
            sql=sql,
            params=tuple(params),
            pk_at=found[0],
            init_list=[column[0].target.attname for column in select[columns]],
            model_columns=columns,
            # Django 5.2's signature (the stubs already know 6.0's ``fetch_mode``).
            populators=get_related_populators(klass_info, select, alias),  # type: ignore[call-arg]
            converters=compiler.get_converters([column[0] for column in select]),
        )
        with self._lock:
            self._compiled[connections[alias].vendor] = compiled
        return compiled
