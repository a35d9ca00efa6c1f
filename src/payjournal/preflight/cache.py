"""A day-long cache of Visma reads per Visma company (Django's cache framework).

The pre-flight reads company settings, fiscal years, the chart of accounts of a fiscal year
and the cost centers. Each is fetched at most once per Visma company per calendar day; when a
check fails, the company's entries are dropped, so the next check sees the fix at once.
Configure a shared ``CACHES["default"]`` (database or Redis) when several processes run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from django.core.cache import BaseCache, caches

__all__ = ["DailyCache"]

T = TypeVar("T")
_TIMEOUT_S = 2 * 24 * 3600
_PREFIX = "payjournal:preflight"


class DailyCache:
    """Values per (Visma company, name), valid for the calendar day they were read on."""

    def __init__(
        self, backend: BaseCache | None = None, today: Callable[[], date] = date.today
    ) -> None:
        self._backend = backend if backend is not None else caches["default"]
        self._today = today

    def _key(self, company: str, name: str) -> str:
        return f"{_PREFIX}:{company}:{name}"

    def _index_key(self, company: str) -> str:
        return f"{_PREFIX}:{company}:__names__"

    def get_or_load(self, company: str, name: str, load: Callable[[], T]) -> T:
        """The value read today, else ``load()`` (one Visma read) stored for the rest of it."""
        day = self._today()
        stored: Any = self._backend.get(self._key(company, name))
        if stored is not None and stored[0] == day:
            value: T = stored[1]
            return value
        value = load()
        self._backend.set(self._key(company, name), (day, value), _TIMEOUT_S)
        names = set(self._backend.get(self._index_key(company)) or ())
        names.add(name)
        self._backend.set(self._index_key(company), names, _TIMEOUT_S)
        return value

    def invalidate(self, company: str) -> None:
        """Forget everything read for ``company`` (a check failed: read afresh next time)."""
        names = self._backend.get(self._index_key(company)) or ()
        self._backend.delete_many([self._key(company, n) for n in names])
        self._backend.delete(self._index_key(company))
