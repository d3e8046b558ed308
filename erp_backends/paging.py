"""Offset paging shared by every port that returns lists.

Backends page by offset (Odoo, ERPNext, WooCommerce) or by opaque cursors (HubSpot,
Shopify); the port speaks offsets and an adapter over a cursor API keeps its own map.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class PageRequest:
    offset: int = 0
    limit: int = 20
    # Whether the length of the whole list is wanted (GraphQL's `totalCount` selected).
    # Without it an adapter whose backend counts in a call of its own (Odoo's
    # `search_count`) saves the call: it reads one item more to tell whether a next
    # page exists, and leaves `Page.total` unknown.
    count: bool = True

    def __post_init__(self) -> None:
        if self.offset < 0:
            raise ValueError(f"offset must be >= 0, got {self.offset}")
        if not 0 <= self.limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be between 0 and {MAX_PAGE_SIZE}, got {self.limit}")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a longer list, with the length of the whole list (None when the
    request did not ask for it: then `more` says whether items follow)."""

    items: tuple[T, ...]
    offset: int
    total: int | None
    more: bool = False

    @property
    def has_next(self) -> bool:
        if self.total is None:
            return self.more
        return self.offset + len(self.items) < self.total

    @classmethod
    def slice(cls, everything: list[T] | tuple[T, ...], request: PageRequest) -> Page[T]:
        end = request.offset + request.limit
        return cls(tuple(everything[request.offset : end]), request.offset, len(everything))
