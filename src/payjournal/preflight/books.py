"""What the pre-flight reads from a Visma company, through the day-long cache."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from typing import Protocol, TypeVar
from uuid import UUID

from payjournal.preflight.cache import DailyCache
from payjournal.preflight.cost_centers import CostCenterItems
from payjournal.visma import Account, CompanySettings, CostCenter, FiscalYear

__all__ = ["Books", "BooksClient", "CachedBooks", "StoredChart"]

T = TypeVar("T")


class BooksClient(Protocol):
    """What the pre-flight asks of Visma: the reads of :class:`CachedBooks` and the one fix
    (the part of :class:`~payjournal.visma.VismaClient` it uses; a fake in tests)."""

    def get_company_settings(self) -> CompanySettings: ...

    def list_fiscal_years(self) -> Iterable[FiscalYear]: ...

    def list_accounts(self, fiscal_year_id: UUID) -> Iterable[Account]: ...

    def list_cost_centers(self) -> Iterable[CostCenter]: ...

    def create_fiscal_year(self, start_date: date, end_date: date) -> FiscalYear: ...


class Books(Protocol):
    """The port the checks read through (a cached Visma client, or a fake in unit tests)."""

    def company_settings(self) -> CompanySettings: ...

    def fiscal_years(self) -> tuple[FiscalYear, ...]: ...

    def accounts(self, fiscal_year_id: UUID) -> Mapping[str, Account]: ...

    def cost_center_items(self) -> CostCenterItems: ...

    def create_fiscal_year(self, start_date: date, end_date: date) -> FiscalYear: ...

    def forget(self) -> None: ...


#: One account of a :class:`StoredChart`: name, fiscal year id, active, projects allowed, cost
#: centers allowed, blocked for manual booking, VAT code id (the ids as text).
_AccountRow = tuple[str, str, bool, bool, bool, bool, str | None]


class StoredChart(Mapping[str, Account]):
    """A fiscal year's chart of accounts by number, kept as plain tuples: an :class:`Account`
    is made when one is asked for.

    The chart is what a send's pre-flight unpickles from the shared cache, and a real one has
    hundreds of accounts: as a dict of frozen dataclasses with UUIDs, 400 accounts took about
    1.2 ms to unpickle on this kind of machine; as tuples of text and flags, each id's text
    stored once, 0.1 ms (12 KB instead of 28). A check looks up only the accounts its journal
    books on.
    """

    __slots__ = ("_rows",)

    def __init__(self, rows: Mapping[str, _AccountRow]) -> None:
        self._rows = dict(rows)

    @classmethod
    def of(cls, accounts: Iterable[Account]) -> StoredChart:
        ids: dict[UUID, str] = {}  # one text per id: pickled once, the rows refer to it

        def text(value: UUID) -> str:
            if value not in ids:
                ids[value] = str(value)
            return ids[value]

        return cls(
            {
                a.number: (
                    a.name,
                    text(a.fiscal_year_id),
                    a.is_active,
                    a.is_project_allowed,
                    a.is_cost_center_allowed,
                    a.is_blocked_for_manual_booking,
                    None if a.vat_code_id is None else text(a.vat_code_id),
                )
                for a in accounts
            }
        )

    def __getitem__(self, number: str) -> Account:
        name, year, active, projects, centers, blocked, vat = self._rows[number]
        return Account(
            number,
            name,
            UUID(year),
            is_active=active,
            is_project_allowed=projects,
            is_cost_center_allowed=centers,
            is_blocked_for_manual_booking=blocked,
            vat_code_id=None if vat is None else UUID(vat),
        )

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, number: object) -> bool:
        return number in self._rows

    def __reduce__(self) -> tuple[type[StoredChart], tuple[dict[str, _AccountRow]]]:
        return (StoredChart, (self._rows,))

    def __repr__(self) -> str:
        return f"StoredChart({len(self._rows)} accounts)"


#: What a send's pre-flight reads whatever its journal: prefetched together.
_DAY_READS = ("companysettings", "fiscalyears", "costcenteritems")
#: The chart of accounts read last, with its fiscal year: ``(fiscal year id, chart)``. Its own
#: key depends on the fiscal year, which the first read brings; this one does not.
_LAST_CHART = "accounts:last"


def _chart(fiscal_year_id: UUID) -> str:
    return f"accounts:{fiscal_year_id}"


class CachedBooks:
    """A Visma company's books, read through :class:`DailyCache` under the company's key.

    ``read_from_cache`` tells whether any answer came from the cache rather than from Visma
    (a failure seen on such answers is worth confirming on fresh reads).
    """

    def __init__(self, client: BooksClient, company_key: str, cache: DailyCache) -> None:
        self._client = client
        self._company = company_key
        self._cache = cache
        self.read_from_cache = False

    def _read(self, name: str, load: Callable[[], T]) -> T:
        value, _loaded = self._read_telling(name, load)
        return value

    def _read_telling(self, name: str, load: Callable[[], T]) -> tuple[T, bool]:
        """The value, and whether it was just read from Visma."""
        loaded = False

        def from_visma() -> T:
            nonlocal loaded
            loaded = True
            return load()

        value = self._cache.get_or_load(self._company, name, from_visma)
        self.read_from_cache |= not loaded
        return value, loaded

    def prefetch(self) -> None:
        """Read the company's cached settings, fiscal years, cost centers and its chart of
        accounts last read into the process's memo at once (the checks read them one by one):
        one read of the shared cache for a send's pre-flight, not one more for the chart."""
        found = self._cache.prefetch(self._company, (*_DAY_READS, _LAST_CHART))
        last = found.get(_LAST_CHART)
        if last is not None:
            fiscal_year_id, chart = last
            self._cache.remember(self._company, _chart(fiscal_year_id), chart)

    def company_settings(self) -> CompanySettings:
        return self._read("companysettings", self._client.get_company_settings)

    def fiscal_years(self) -> tuple[FiscalYear, ...]:
        return self._read("fiscalyears", lambda: tuple(self._client.list_fiscal_years()))

    def accounts(self, fiscal_year_id: UUID) -> Mapping[str, Account]:
        chart, loaded = self._read_telling(
            _chart(fiscal_year_id),
            lambda: StoredChart.of(self._client.list_accounts(fiscal_year_id)),
        )
        if loaded:  # the day's first read of it: the next prefetch brings it along
            self._cache.put(self._company, _LAST_CHART, (fiscal_year_id, chart))
        return chart

    def cost_center_items(self) -> CostCenterItems:
        """The company's cost center items by the names a dimension may use, kept as that
        index (:mod:`payjournal.preflight.cost_centers`) rather than as the cost centers."""
        return self._read(
            "costcenteritems", lambda: CostCenterItems(self._client.list_cost_centers())
        )

    def create_fiscal_year(self, start_date: date, end_date: date) -> FiscalYear:
        """``POST /v2/fiscalyears``; the cached reads are dropped so the next check sees it."""
        created = self._client.create_fiscal_year(start_date, end_date)
        self.forget()
        return created

    def forget(self) -> None:
        self._cache.invalidate(self._company)
