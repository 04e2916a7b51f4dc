"""Reading a listing a page at a time: the loop every paged source needs, written once.

A plugin says how to read one page (``read(cursor) -> Page``) and what makes two entries the same; the pager asks
for pages until one is the last or the page limit is reached, keeps each entry once, reports progress, and says
(through ``too_many``) when the limit cut the listing short, so the councillor knows the oldest were left out.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(slots=True)
class Page(Generic[T]):
    entries: list[T] = field(default_factory=list)
    next: Any = None
    """Where the next page starts (a cursor, an offset, a page number); None when this page is the last."""
    total: int | None = None
    """How many entries the whole listing has, when the service says (for progress)."""


def read_pages(read: Callable[[Any], Page[T]], *, max_pages: int, first: Any = None,
               key: Callable[[T], Hashable] | None = None, keep: Callable[[T, T], T] = lambda old, new: old,
               progress: Callable[[int, int | None], None] | None = None,
               too_many: Callable[[int], None] | None = None) -> list[T]:
    """Every entry of the listing, page by page, in the order read.

    With ``key``, an entry seen twice (a listing that moved while it was read) is kept once: ``keep(old, new)``
    chooses which. ``progress(read, total)`` follows each page; ``too_many(read)`` is called when ``max_pages``
    ran out before the listing did.
    """
    found: dict[Hashable, T] = {}
    entries: list[T] = []
    cursor, read_count = first, 0
    for _ in range(max_pages):
        page = read(cursor)
        read_count += len(page.entries)
        for entry in page.entries:
            if key is None:
                entries.append(entry)
                continue
            k = key(entry)
            found[k] = keep(found[k], entry) if k in found else entry
        if progress is not None:
            progress(read_count, page.total)
        if page.next is None:
            return list(found.values()) if key is not None else entries
        cursor = page.next
    if too_many is not None:
        too_many(read_count)
    return list(found.values()) if key is not None else entries


def reaches(times: Iterable[datetime | None], horizon: datetime) -> bool:
    """Whether a page goes back as far as ``horizon`` (its oldest readable time is older), so no need to read on."""
    readable = [t for t in times if t is not None]
    return bool(readable) and min(readable) < horizon
