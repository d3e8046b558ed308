"""The ShopBackend port over WooCommerce's REST API v3.

WooCommerce has no batch reads by email or by customer: `GET /customers?email=` takes
one email and `GET /orders?customer=` one customer. So a port call over several keys
sends one request per distinct key, concurrently (at most `concurrency`, 8 by default,
at once), and the DataLoader above still makes it one port call per batch. Orders by
number and listings by SKU are batched: `include=` takes up to 100 order ids and `sku=`
up to 100 comma-separated SKUs per request.

Calls per port call: `customers_by_email` one per distinct (case-insensitive) email;
`orders_for_customers` one per distinct customer; `orders_by_number` and
`listings_by_sku` one per 100 keys.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TypeVar

from erp_backends.models import ShopCustomer, ShopListing, ShopOrder
from erp_backends.paging import Page, PageRequest
from erp_backends.woocommerce import mapping
from erp_backends.woocommerce.client import Row, WooCommerceClient
from erp_backends.woocommerce.mapping import WooRecord

K = TypeVar("K")
T = TypeVar("T")

BATCH = 100  # WordPress's largest per_page
# What WordPress's is_email() lets through at least; anything else it refuses with a 400
# for the whole request, and no account can have it.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class WooCommerceShop:
    """WooCommerce as the web shop: customers, orders (by customer and by number) and
    product listings.

    Order numbers: WooCommerce shows an order's id as its number unless a
    sequential-numbers plugin renumbers them, so orders are looked up by id and kept
    only when their `number` is the one asked for (a renumbered shop finds none rather
    than wrong ones). Listings: products carry no currency; prices are in `currency`,
    the shop's (WooCommerce > Settings > General).
    """

    def __init__(
        self, client: WooCommerceClient, *, currency: str = "EUR", concurrency: int = 8
    ) -> None:
        self._client = client
        self._currency = currency
        self._concurrency = concurrency

    async def customers_by_email(self, emails: Sequence[str]) -> Mapping[str, ShopCustomer]:
        wanted = _distinct(e.strip().lower() for e in emails if _EMAIL.match(e.strip()))
        found = await self._each(wanted, self._customer_by_email)
        by_email = {
            email: customer
            for email, customer in zip(wanted, found, strict=True)
            if customer is not None
        }
        return {key: by_email[k] for key in emails if (k := key.strip().lower()) in by_email}

    async def orders_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[ShopOrder]]:
        # Customer 0 is not a customer: WooCommerce reads customer=0 as "no filter".
        wanted = _distinct(int(k) for k in customer_ids if k.isascii() and k.isdigit())
        wanted = [customer for customer in wanted if customer > 0]
        found = await self._each(wanted, lambda c: self._orders_page(c, page))
        pages = dict(zip(wanted, found, strict=True))
        empty: Page[ShopOrder] = Page((), page.offset, 0)
        return {
            key: pages.get(int(key), empty) if key.isascii() and key.isdigit() else empty
            for key in customer_ids
        }

    async def orders_by_number(self, numbers: Sequence[str]) -> Mapping[str, ShopOrder]:
        ids = _distinct(int(n) for n in numbers if n.isascii() and n.isdigit() and int(n) > 0)
        batches = await self._each(_chunks(ids), self._orders_by_id)
        by_number = {order.number: order for batch in batches for order in batch}
        return {number: by_number[number] for number in numbers if number in by_number}

    async def listings_by_sku(self, skus: Sequence[str]) -> Mapping[str, ShopListing]:
        wanted = _distinct(sku for sku in skus if sku.strip())
        # A comma inside a SKU would split the list; such SKUs are asked for alone.
        plain = [sku for sku in wanted if "," not in sku]
        queries = [",".join(chunk) for chunk in _chunks(plain)]
        queries += [sku for sku in wanted if "," in sku]
        batches = await self._each(queries, self._listings)
        # SKUs compare case-insensitively in WooCommerce's database, as here.
        by_sku = {listing.sku.lower(): listing for batch in batches for listing in batch}
        return {sku: by_sku[sku.lower()] for sku in skus if sku.lower() in by_sku}

    # One request each --------------------------------------------------------------------

    async def _customer_by_email(self, email: str) -> ShopCustomer | None:
        query = {"email": email, "role": "all", "_fields": mapping.CUSTOMER_FIELDS}
        answer = await self._client.list_page("customers", query)
        customers = (mapping.shop_customer(rec) for rec in self._records("customer", answer.items))
        return next((c for c in customers if c.email.lower() == email), None)

    async def _orders_page(self, customer: int, page: PageRequest) -> Page[ShopOrder]:
        params: dict[str, str | int] = {
            "customer": customer,
            "orderby": "date",
            "order": "desc",
            "_fields": mapping.ORDER_FIELDS,
        }
        params.update(_window(page))
        answer = await self._client.list_page("orders", params)
        rows = answer.items[: page.limit]
        orders = tuple(mapping.shop_order(rec) for rec in self._records("order", rows))
        return Page(orders, page.offset, answer.total)

    async def _orders_by_id(self, ids: list[int]) -> list[ShopOrder]:
        params: dict[str, str | int] = {
            "include": ",".join(map(str, ids)),
            "per_page": BATCH,
            "_fields": mapping.ORDER_FIELDS,
        }
        answer = await self._client.list_page("orders", params)
        return [mapping.shop_order(rec) for rec in self._records("order", answer.items)]

    async def _listings(self, skus: str) -> list[ShopListing]:
        query: dict[str, str | int] = {
            "sku": skus,
            "per_page": BATCH,
            "_fields": mapping.LISTING_FIELDS,
        }
        answer = await self._client.list_page("products", query)
        listings = (
            mapping.shop_listing(rec, self._currency)
            for rec in self._records("product", answer.items)
        )
        return [listing for listing in listings if listing is not None]

    def _records(self, kind: str, rows: list[Row]) -> list[WooRecord]:
        return [WooRecord(kind, row, backend=self._client.backend) for row in rows]

    async def _each(self, keys: Sequence[K], fetch: Callable[[K], Awaitable[T]]) -> list[T]:
        """`fetch` of every key, at most `concurrency` at once, in the keys' order.

        The first failure cancels the requests still running and is raised as itself.
        """
        if len(keys) <= 1:
            # One key (a customer's account, its page of orders) is fetched in this
            # task: a task of its own would send the request a turn of the event loop
            # later, and its answer would come back a turn later too, each a wait
            # behind whatever else the loop has ready then.
            return [await fetch(key) for key in keys]
        semaphore = asyncio.Semaphore(self._concurrency)

        async def bounded(key: K) -> T:
            async with semaphore:
                return await fetch(key)

        failure: BaseException | None = None
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(bounded(key)) for key in keys]
        except BaseExceptionGroup as failures:
            failure = failures.exceptions[0]
        if failure is not None:
            raise failure  # outside the handler, so it keeps its own cause and context
        return [task.result() for task in tasks]


def _window(page: PageRequest) -> dict[str, int]:
    """The page as WooCommerce's paging parameters: `page` when the offset falls on a
    page boundary, else `offset`; an empty page still asks for one row to learn the total."""
    if page.limit == 0:
        return {"per_page": 1, "page": 1}
    if page.offset % page.limit == 0:
        return {"per_page": page.limit, "page": page.offset // page.limit + 1}
    return {"per_page": page.limit, "offset": page.offset}


def _distinct(keys: Iterable[K]) -> list[K]:
    return list(dict.fromkeys(keys))


def _chunks(keys: list[K]) -> list[list[K]]:
    return [keys[start : start + BATCH] for start in range(0, len(keys), BATCH)]
