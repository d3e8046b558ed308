"""Reading the ledger's snapshots (see `gateway.commands.ledger`) from the ERP, in bulk,
and keeping them in the queue's store.

Every item that concurrent acceptances find stale within a few milliseconds, or while a
read is in flight, goes in one ERP call per kind (`WindowedBatcher`), and each call
reads again every other item of its kind this process has read before (up to
`MAX_ITEMS`): their snapshots age together, so a burst of orders over a thousand
products costs one stock read per `[writes] snapshot_max_age_s`, not one per product."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from erp_backends.ports import ErpBackend
from erp_backends.writes import ErpWriter
from gateway.commands.ledger import Snapshot, credit_item, returnable_item, stock_item
from gateway.commands.live import WindowedBatcher

MAX_ITEMS = 1000  # items of one kind read together at most
Keep = Callable[[Sequence[Snapshot]], Awaitable[None]]


class UnknownItem(ValueError):
    """An item of a kind the ledger does not know: a bug of the caller."""


class SnapshotReader:
    def __init__(
        self, erp: ErpBackend, writer: ErpWriter, keep: Keep, clock: Callable[[], datetime]
    ) -> None:
        """`erp` must be the uncached port: a snapshot is what the ERP has now. `keep`
        stores what was read (the queue's `put_snapshots`)."""
        self._erp = erp
        self._writer = writer
        self._keep = keep
        self._clock = clock
        self._stock = WindowedBatcher(self._read_stock, max_batch=MAX_ITEMS)
        self._credit = WindowedBatcher(self._read_credit, max_batch=MAX_ITEMS)
        self._returnable = WindowedBatcher(self._read_returnable, max_batch=MAX_ITEMS)
        # The keys read before, oldest first: read again with the next call of their kind.
        self._known_products: dict[str, None] = {}
        self._known_customers: dict[str, None] = {}
        self._known_returnable: dict[str, None] = {}

    async def refresh(self, items: Sequence[str]) -> list[Snapshot]:
        """Read each item (and the others of its kind read before) and keep them; the
        items' snapshots. BackendError when the ERP cannot be read."""
        loads = []
        for item in items:
            kind, _, key = item.partition(":")
            if kind == "stock":
                loads.append(self._stock.load(key))
            elif kind == "credit":
                loads.append(self._credit.load(key))
            elif kind == "returnable" and key.count(":") == 1:
                loads.append(self._returnable.load(key))
            else:
                raise UnknownItem(item)
        found = await asyncio.gather(*loads)
        return [snapshot for snapshot in found if snapshot is not None]

    @property
    def reads(self) -> int:
        """ERP calls made so far, for benchmarks and tests."""
        return self._stock.fetches + self._credit.fetches + self._returnable.fetches

    async def _read_stock(self, asked: Sequence[str]) -> Mapping[str, Snapshot]:
        product_ids = _with_known(asked, self._known_products)
        taken_at = self._clock()  # before the read: what is released after it still counts
        levels = await self._erp.stock_for_products(product_ids)
        snapshots = {}
        for product_id in product_ids:
            level = levels.get(product_id)
            available = Decimal(0) if level is None else max(level.available.value, Decimal(0))
            snapshots[product_id] = Snapshot(stock_item(product_id), available, taken_at)
        await self._keep(list(snapshots.values()))
        return snapshots

    async def _read_credit(self, asked: Sequence[str]) -> Mapping[str, Snapshot]:
        customer_ids = _with_known(asked, self._known_customers)
        taken_at = self._clock()
        credits = await self._writer.credit_of(customer_ids)
        snapshots = {}
        for customer_id in customer_ids:
            credit = credits.get(customer_id)
            left = None
            if credit is not None and credit.limit is not None:
                left = max(credit.limit.amount - credit.open_balance.amount, Decimal(0))
            # A customer the ERP does not return has no limit here; the ERP refuses the
            # order itself when the customer does not exist.
            snapshots[customer_id] = Snapshot(credit_item(customer_id), left, taken_at)
        await self._keep(list(snapshots.values()))
        return snapshots

    async def _read_returnable(self, asked: Sequence[str]) -> Mapping[str, Snapshot]:
        """`asked` are `<order id>:<product id>` keys: read by their orders, in one call."""
        keys = _with_known(asked, self._known_returnable)
        taken_at = self._clock()
        orders = sorted({key.partition(":")[0] for key in keys})
        returnable = await self._writer.returnable(orders)
        snapshots = {}
        for key in keys:
            order_id, _, product_id = key.partition(":")
            left = returnable.get(order_id, {}).get(product_id)
            # Nothing delivered (or left) of the product: nothing may come back.
            available = Decimal(0) if left is None else max(left.value, Decimal(0))
            snapshots[key] = Snapshot(returnable_item(order_id, product_id), available, taken_at)
        await self._keep(list(snapshots.values()))
        return snapshots


def _with_known(asked: Sequence[str], known: dict[str, None]) -> list[str]:
    """The keys asked, then the most recently asked others, `MAX_ITEMS` in all; `known`
    remembers the keys asked, the latest last."""
    for key in asked:
        known.pop(key, None)
        known[key] = None
    while len(known) > MAX_ITEMS:
        del known[next(iter(known))]
    wanted = set(asked)
    others = [key for key in reversed(known) if key not in wanted]
    return [*asked, *others][: max(MAX_ITEMS, len(asked))]
