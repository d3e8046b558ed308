"""Ownership: a principal bound to customers (a customer, a staff member acting as one,
a partner bound to some or to none) sees those customers' objects only.

The customer-scoped port sits between the per-request loaders and the (cached) port, so
it checks every record on its way out, after the cache: a record cached for one
customer's request is filtered again for the next principal, and never leaks. Any other
customer's record is dropped exactly as if the backend did not have it, so a probing
client gets the same NOT_FOUND for an id that exists and one that does not.

What to check is declared once per read, in `gateway.cache.reads`: its owner (how to
find the customer of a record) and whether its keys are customer ids. A read keyed by
customer asks the backend for the principal's own keys only: another customer's list is
empty, and another customer is absent, without asking. A read without an owner (order
lines, products, stock, the CRM and shop records) is public or reached only through an
object that has passed this filter (an order, a customer), so it passes unchecked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar, cast

from erp_backends.paging import Page, PageRequest
from gateway.cache.ports import DerivedPort
from gateway.cache.reads import Lists, Pages, Read, Reads, Records, Search

P = TypeVar("P")
T = TypeVar("T")
Method = Callable[..., Awaitable[Any]]


def customer_scoped(port: P, reads: Reads[P], customer_keys: frozenset[str]) -> P:
    """`port` as a principal bound to the customers of these keys may see it; no keys:
    no customer's objects at all (a frozenset: a lone key, a str, would be its letters)."""

    def derive(read: Read[Any, Any], method: Method) -> Method:
        return _scoped(read, method, customer_keys)

    # `Reads` checks that every method of the port is declared, so the derived port
    # implements the port's Protocol.
    return cast(P, DerivedPort(port, reads, derive))


def _scoped(read: Read[Any, Any], fetch: Method, mine_only: frozenset[str]) -> Method:
    owner = read.owner
    if owner is None and not read.keys_are_customers:
        return fetch

    def mine(keys: Sequence[str]) -> list[str]:
        # Lists under another customer are empty without asking the backend, as they
        # are for a customer that does not exist.
        return [k for k in keys if k in mine_only] if read.keys_are_customers else list(keys)

    def owned(record: object) -> bool:
        return owner is None or owner(record) in mine_only

    def my_page(page: Page[T]) -> Page[T]:
        items = tuple(r for r in page.items if owned(r))
        return page if len(items) == len(page.items) else replace(page, items=items)

    match read:
        case Records():

            async def records(keys: Sequence[str]) -> Mapping[str, object]:
                asked = mine(keys)
                if read.keys_are_customers and not asked:
                    return {}
                found: Mapping[str, object] = await fetch(asked)
                return {key: r for key, r in found.items() if owned(r)}

            return records
        case Lists():

            async def lists(keys: Sequence[str]) -> Mapping[str, Sequence[object]]:
                asked = mine(keys)
                if read.keys_are_customers and not asked:
                    return {}
                found: Mapping[str, Sequence[object]] = await fetch(asked)
                return {key: [r for r in rs if owned(r)] for key, rs in found.items()}

            return lists
        case Pages():

            async def pages(parents: Sequence[str], page: PageRequest) -> Mapping[str, object]:
                asked = mine(parents)
                if read.keys_are_customers and not asked:
                    return {}
                found: Mapping[str, Page[object]] = await fetch(asked, page)
                return {key: my_page(p) for key, p in found.items()}

            return pages
        case Search():

            async def search(text: str | None, page: PageRequest) -> Page[object]:
                return my_page(await fetch(text, page))

            return search
    raise TypeError(f"no ownership check for {read!r}")
