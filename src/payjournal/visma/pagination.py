"""Visma's list envelope (``{"Meta": {...}, "Data": [...]}``) and an iterator over all pages.

The iterator follows ``Meta.TotalNumberOfPages`` and never stops early on a short page
(forgetting to page silently truncates data). Pages are fetched lazily as items are consumed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from payjournal.visma import wire
from payjournal.visma.errors import ResponseFormatError

__all__ = ["MAX_PAGE_SIZE", "Page", "iter_items", "parse_page"]

T = TypeVar("T")

#: Visma's documented maximum ``$pagesize`` (the default is 50).
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    current_page: int
    total_pages: int
    total_results: int


def parse_page(data: Any, parse_item: Callable[[Mapping[str, Any]], T]) -> Page[T]:
    envelope = wire.req_obj(data, "a list response")
    meta = wire.req_obj(envelope.get("Meta"), "Meta")
    return Page(
        items=tuple(parse_item(item) for item in wire.obj_list(envelope, "Data")),
        current_page=wire.req_int(meta, "CurrentPage"),
        total_pages=wire.req_int(meta, "TotalNumberOfPages"),
        total_results=wire.req_int(meta, "TotalNumberOfResults"),
    )


def iter_items(fetch: Callable[[int], Page[T]]) -> Iterator[T]:
    """Yield every item of pages 1..TotalNumberOfPages, fetching page n with ``fetch(n)``."""
    number = 1
    while True:
        page = fetch(number)
        if page.current_page != number:
            raise ResponseFormatError(f"asked for page {number}, got page {page.current_page}")
        yield from page.items
        if number >= page.total_pages:
            return
        number += 1
