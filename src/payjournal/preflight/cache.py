"""A day-long cache of Visma reads per Visma company (Django's cache framework).

The pre-flight reads company settings, fiscal years, the chart of accounts of a fiscal year
and the cost centers. Each is fetched at most once per Visma company per calendar day; when a
check fails, the company's entries are dropped, so the next check sees the fix at once.
``CACHES["default"]`` is the app database, shared by every process.

In front of it each process keeps what it read for :data:`MEMO_S` seconds, so a batch of sends
does not unpickle the same chart from the database for every journal. Another process's
invalidation reaches this memo only when it expires; a failed check is therefore confirmed
with fresh reads before it stops anything (see ``service.checklist_with``).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, ClassVar, TypeVar

from django.core.cache import BaseCache, caches

__all__ = ["DailyCache"]

T = TypeVar("T")
_TIMEOUT_S = 2 * 24 * 3600
_PREFIX = "payjournal:preflight"
#: How long a process trusts what it read without asking the shared cache again.
MEMO_S = 30.0
#: The memo keeps at most this many entries, the least recently used going first (a chart of
#: accounts is tens of kilobytes; a month-end touches every company once).
MEMO_MAX_ENTRIES = 1000


class DailyCache:
    """Values per (Visma company, name), valid for the calendar day they were read on."""

    #: (backend id, key) -> (monotonic time read, day, value): the per-process memo.
    _memo: ClassVar[OrderedDict[tuple[int, str], tuple[float, date, Any]]] = OrderedDict()
    _memo_lock: ClassVar[threading.Lock] = threading.Lock()

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
        key = self._key(company, name)
        memo_key = (id(self._backend), key)
        with self._memo_lock:
            memo = self._memo.get(memo_key)
            if memo is not None:
                self._memo.move_to_end(memo_key)
        if memo is not None and _fresh(memo, day, time.monotonic()):
            remembered: T = memo[2]
            return remembered
        stored: Any = self._backend.get(key)
        if stored is not None and stored[0] == day:
            value: T = stored[1]
        else:
            value = load()
            self._store(company, name, day, value)
        self._remember(key, day, value)
        return value

    def put(self, company: str, name: str, value: Any) -> None:
        """Store ``value`` as read today (a second key for a value read under another)."""
        day = self._today()
        self._store(company, name, day, value)
        self._remember(self._key(company, name), day, value)

    def remember(self, company: str, name: str, value: Any) -> None:
        """Keep ``value``, read today, in this process's memo only (it is stored already)."""
        self._remember(self._key(company, name), self._today(), value)

    def prefetch(self, company: str, names: Iterable[str]) -> dict[str, Any]:
        """Bring what was read today of ``names`` into this process's memo in one read of the
        shared cache (those the memo lacks): a send's checks then read the memo. Returns what
        of ``names`` was read today, by name."""
        day = self._today()
        now = time.monotonic()
        backend = id(self._backend)
        keys = {self._key(company, name): name for name in names}
        known: dict[str, Any] = {}
        with self._memo_lock:
            for key, name in keys.items():
                memo = self._memo.get((backend, key))
                if memo is not None and _fresh(memo, day, now):
                    known[name] = memo[2]
        wanted = [key for key, name in keys.items() if name not in known]
        if not wanted:
            return known
        for key, stored in self._backend.get_many(wanted).items():
            if stored is not None and stored[0] == day:
                known[keys[key]] = stored[1]
                self._remember(key, day, stored[1])
        return known

    def _store(self, company: str, name: str, day: date, value: Any) -> None:
        """Into the shared cache, its name in the company's index (:meth:`invalidate`)."""
        self._backend.set(self._key(company, name), (day, value), _TIMEOUT_S)
        names = set(self._backend.get(self._index_key(company)) or ())
        names.add(name)
        self._backend.set(self._index_key(company), names, _TIMEOUT_S)

    def _remember(self, key: str, day: date, value: Any) -> None:
        memo_key = (id(self._backend), key)
        with self._memo_lock:
            self._memo[memo_key] = (time.monotonic(), day, value)
            self._memo.move_to_end(memo_key)
            while len(self._memo) > MEMO_MAX_ENTRIES:
                self._memo.popitem(last=False)

    def peek_many(self, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Any]:
        """What was read today of each (Visma company, name) in ``wanted``, in one read of the
        shared cache and without asking Visma: an overview shows what the day's checks saw."""
        day = self._today()
        keys = {self._key(company, name): (company, name) for company, name in wanted}
        if not keys:
            return {}
        found = self._backend.get_many(list(keys))
        return {
            keys[key]: stored[1]
            for key, stored in found.items()
            if stored is not None and stored[0] == day
        }

    def invalidate(self, company: str) -> None:
        """Forget everything read for ``company`` (a check failed: read afresh next time)."""
        prefix = self._key(company, "")
        with self._memo_lock:
            for memo_key in [k for k in self._memo if k[1].startswith(prefix)]:
                del self._memo[memo_key]
        names = self._backend.get(self._index_key(company)) or ()
        self._backend.delete_many([self._key(company, n) for n in names])
        self._backend.delete(self._index_key(company))

    @classmethod
    def forget_memo(cls) -> None:
        """Drop this process's memo (tests that reset Visma between cases; settings changes)."""
        with cls._memo_lock:
            cls._memo.clear()


def _fresh(memo: tuple[float, date, Any] | None, day: date, now: float) -> bool:
    """A memo entry read today and less than :data:`MEMO_S` ago."""
    return memo is not None and memo[1] == day and now - memo[0] < MEMO_S
