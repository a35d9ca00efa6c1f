"""The day-long cache: one read per company per day and per kind; dropped on failure."""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from uuid import UUID, uuid4

from django.core.cache.backends.locmem import LocMemCache

from payjournal.preflight import DailyCache
from payjournal.preflight.books import CachedBooks
from payjournal.preflight.cache import MEMO_MAX_ENTRIES
from payjournal.preflight.cost_centers import CostCenterItems
from payjournal.visma import Account, CompanySettings, CostCenter, FiscalYear
from tests.preflight.fakes import FY_2026, FakeBooks, account, cost_centers


class Today:
    def __init__(self) -> None:
        self.day = date(2026, 11, 25)

    def __call__(self) -> date:
        return self.day


def make() -> tuple[DailyCache, Today, list[str]]:
    today = Today()
    cache = DailyCache(LocMemCache("preflight-test", {}), today)
    return cache, today, []


def test_one_read_per_company_per_day() -> None:
    cache, today, loads = make()

    def load(name: str) -> str:
        loads.append(name)
        return f"{name}@{today()}"

    for _ in range(3):
        assert cache.get_or_load("A", "fiscalyears", lambda: load("A")) == "A@2026-11-25"
        cache.get_or_load("B", "fiscalyears", lambda: load("B"))
    assert loads == ["A", "B"]
    today.day += timedelta(days=1)
    assert cache.get_or_load("A", "fiscalyears", lambda: load("A")) == "A@2026-11-26"
    assert loads == ["A", "B", "A"]


def test_invalidate_drops_only_that_company() -> None:
    cache, _, loads = make()
    for company in ("A", "B"):
        for name in ("companysettings", "accounts:x"):
            cache.get_or_load(company, name, lambda c=company: loads.append(c) or c)  # type: ignore[misc]
    cache.invalidate("A")
    cache.get_or_load("A", "accounts:x", lambda: loads.append("A") or "A")  # type: ignore[func-returns-value]
    cache.get_or_load("B", "accounts:x", lambda: loads.append("B") or "B")  # type: ignore[func-returns-value]
    assert loads == ["A", "A", "B", "B", "A"]


def test_the_process_memo_keeps_the_most_recently_used_entries() -> None:
    """A month-end reads every company once: the memo must not keep every chart for good."""
    cache, _, loads = make()

    def read(company: str) -> str:
        return cache.get_or_load(company, "fiscalyears", lambda: loads.append(company) or company)  # type: ignore[func-returns-value]

    read("first")
    for number in range(MEMO_MAX_ENTRIES - 1):
        read(f"company-{number}")
    read("first")  # used again: now the most recent
    read("overflow")
    assert len(DailyCache._memo) == MEMO_MAX_ENTRIES
    memo_keys = [key for _, key in DailyCache._memo]
    assert cache._key("company-0", "fiscalyears") not in memo_keys  # the least recently used
    assert cache._key("first", "fiscalyears") in memo_keys
    assert loads.count("first") == 1


class CountingCache(LocMemCache):
    """Django's local-memory cache, counting the reads that reach it."""

    reads = 0

    def get(self, key, default=None, version=None):  # type: ignore[no-untyped-def]
        CountingCache.reads += 1
        return super().get(key, default, version)

    def get_many(self, keys, version=None):  # type: ignore[no-untyped-def]
        CountingCache.reads += 1
        found = {}
        for key in keys:
            value = super().get(key, None, version)
            if value is not None:
                found[key] = value
        return found


def test_a_prefetch_brings_todays_reads_into_the_memo_in_one_read() -> None:
    today = Today()
    shared = CountingCache("preflight-prefetch", {})
    writer = DailyCache(shared, today)
    for name in ("companysettings", "fiscalyears", "costcenters"):
        writer.get_or_load("A", name, lambda name=name: f"{name} of A")
    DailyCache.forget_memo()  # another process: the shared cache has them, its memo not
    reader = DailyCache(shared, today)
    CountingCache.reads = 0
    reader.prefetch("A", ("companysettings", "fiscalyears", "costcenters", "accounts:none"))
    assert CountingCache.reads == 1
    for name in ("companysettings", "fiscalyears", "costcenters"):
        assert reader.get_or_load("A", name, lambda: "read again") == f"{name} of A"
    assert CountingCache.reads == 1  # from the memo
    reader.prefetch("A", ("companysettings", "fiscalyears"))
    assert CountingCache.reads == 1  # the memo has them: no read at all
    today.day += timedelta(days=1)
    assert reader.get_or_load("A", "fiscalyears", lambda: "tomorrow's") == "tomorrow's"


class Visma:
    """The reads :class:`CachedBooks` asks of a Visma company (FakeBooks' books), counted."""

    def __init__(self) -> None:
        self.books = FakeBooks(charts={FY_2026.id: {"1930": account("1930")}})

    def get_company_settings(self) -> CompanySettings:
        return self.books.company_settings()

    def list_fiscal_years(self) -> tuple[FiscalYear, ...]:
        return self.books.fiscal_years()

    def list_accounts(self, fiscal_year_id: UUID) -> Iterable[Account]:
        return self.books.accounts(fiscal_year_id).values()

    def list_cost_centers(self) -> tuple[CostCenter, ...]:
        self.books.reads["costcenters"] += 1
        return self.books.centers

    def create_fiscal_year(self, start_date: date, end_date: date) -> FiscalYear:
        return self.books.create_fiscal_year(start_date, end_date)


def read_all(books: CachedBooks) -> None:
    """What a send's pre-flight reads: the day's reads and the chart of the journal's year."""
    books.company_settings()
    (year,) = books.fiscal_years()
    assert "1930" in books.accounts(year.id)
    books.cost_center_items()


def test_a_sends_preflight_reads_the_shared_cache_once_chart_included() -> None:
    """Another process's pre-flight of a company whose books were read today: one read of the
    shared cache brings the chart too, though its key names a fiscal year not yet known."""
    today = Today()
    shared = CountingCache("preflight-chart", {})
    visma = Visma()
    read_all(CachedBooks(visma, "A", DailyCache(shared, today)))  # the day's first reads
    DailyCache.forget_memo()  # another process
    CountingCache.reads = 0
    books = CachedBooks(visma, "A", DailyCache(shared, today))
    books.prefetch()
    read_all(books)
    assert CountingCache.reads == 1
    assert sum(visma.books.reads.values()) == 4  # Visma was asked once for each, that day


def test_a_failed_check_drops_the_chart_read_last_too() -> None:
    today = Today()
    shared = CountingCache("preflight-chart-dropped", {})
    visma = Visma()
    read_all(CachedBooks(visma, "A", DailyCache(shared, today)))
    CachedBooks(visma, "A", DailyCache(shared, today)).forget()
    DailyCache.forget_memo()
    books = CachedBooks(visma, "A", DailyCache(shared, today))
    books.prefetch()
    read_all(books)
    assert visma.books.reads["accounts"] == 2  # read again from Visma, not from the last chart


def test_the_chart_is_stored_as_plain_values_and_read_back_as_accounts() -> None:
    """A real chart has hundreds of accounts, and a send's pre-flight unpickles it: stored as
    frozen dataclasses with UUIDs that cost about a millisecond per journal at 400 accounts."""
    today = Today()
    shared = LocMemCache("preflight-stored-chart", {})
    visma = Visma()
    vat = uuid4()
    visma.books.charts[FY_2026.id] = {
        "1930": account("1930"),
        "4000": replace(account("4000", is_active=False), vat_code_id=vat),
        "7010": account("7010", is_blocked_for_manual_booking=True, is_project_allowed=True),
    }
    read_all(CachedBooks(visma, "A", DailyCache(shared, today)))
    stored = shared.get(f"payjournal:preflight:A:accounts:{FY_2026.id}")
    assert stored is not None
    pickled = pickle.dumps(stored[1])
    assert b"payjournal.visma" not in pickled and b"uuid" not in pickled  # no object per account

    chart = pickle.loads(pickled)
    assert dict(chart) == visma.books.charts[FY_2026.id]
    assert chart["4000"].vat_code_id == vat and "4000" in chart and "9999" not in chart
    assert chart.get("9999") is None and len(chart) == 3


def test_the_cost_centers_are_stored_as_the_index_of_their_items_in_plain_values() -> None:
    """What both the check and the voucher need of the cost centers is the index of their
    items by name; kept as the cost centers, each send unpickled a dataclass and a UUID per
    item (a company with dozens of items paid as the chart did) and built the index twice."""
    today = Today()
    shared = LocMemCache("preflight-stored-centers", {})
    visma = Visma()
    visma.books.centers = cost_centers("Sales", "Support", "Old", inactive=("Old",))
    read_all(CachedBooks(visma, "A", DailyCache(shared, today)))
    stored = shared.get("payjournal:preflight:A:costcenteritems")
    assert stored is not None
    pickled = pickle.dumps(stored[1])
    assert b"payjournal.visma" not in pickled and b"uuid" not in pickled  # no object per item

    items = pickle.loads(pickled)
    assert items == CostCenterItems(visma.books.centers)
    sales = next(i for c in visma.books.centers for i in c.items if i.name == "Sales")
    assert items.find("SALES") == (1, sales.id)
    assert items.find("Old") is None and items.find("Elsewhere") is None
