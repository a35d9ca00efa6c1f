"""What the pre-flight reads from a Visma company, through the day-long cache."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Protocol, TypeVar
from uuid import UUID

from payjournal.preflight.cache import DailyCache
from payjournal.visma import Account, CompanySettings, CostCenter, FiscalYear

__all__ = ["Books", "BooksClient", "CachedBooks"]

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

    def cost_centers(self) -> tuple[CostCenter, ...]: ...

    def create_fiscal_year(self, start_date: date, end_date: date) -> FiscalYear: ...

    def forget(self) -> None: ...


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
        loaded = False

        def from_visma() -> T:
            nonlocal loaded
            loaded = True
            return load()

        value = self._cache.get_or_load(self._company, name, from_visma)
        self.read_from_cache |= not loaded
        return value

    def prefetch(self) -> None:
        """Read the company's cached settings, fiscal years and cost centers into the
        process's memo at once (the checks read them one by one)."""
        self._cache.prefetch(self._company, ("companysettings", "fiscalyears", "costcenters"))

    def company_settings(self) -> CompanySettings:
        return self._read("companysettings", self._client.get_company_settings)

    def fiscal_years(self) -> tuple[FiscalYear, ...]:
        return self._read("fiscalyears", lambda: tuple(self._client.list_fiscal_years()))

    def accounts(self, fiscal_year_id: UUID) -> Mapping[str, Account]:
        return self._read(
            f"accounts:{fiscal_year_id}",
            lambda: {a.number: a for a in self._client.list_accounts(fiscal_year_id)},
        )

    def cost_centers(self) -> tuple[CostCenter, ...]:
        return self._read("costcenters", lambda: tuple(self._client.list_cost_centers()))

    def create_fiscal_year(self, start_date: date, end_date: date) -> FiscalYear:
        """``POST /v2/fiscalyears``; the cached reads are dropped so the next check sees it."""
        created = self._client.create_fiscal_year(start_date, end_date)
        self.forget()
        return created

    def forget(self) -> None:
        self._cache.invalidate(self._company)
