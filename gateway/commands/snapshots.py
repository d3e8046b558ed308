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
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from erp_backends.ports import ErpBackend
from erp_backends.writes import ErpWriter
from gateway.commands.ledger import Snapshot
from gateway.commands.live import WindowedBatcher

MAX_ITEMS = 1000  # items of one kind read together at most
Keep = Callable[[Sequence[Snapshot]], Awaitable[None]]
# What the ERP has of each key of a kind (None: no limit); a key it does not name is
# missing from the answer.
ReadValues = Callable[[Sequence[str]], Awaitable[Mapping[str, Decimal | None]]]


class UnknownItem(ValueError):
    """An item of a kind the ledger does not know: a bug of the caller."""


@dataclass
class _Kind:
    """One kind of item (`<name>:<key>`): how to read its keys' values, what a key the
    ERP does not name is worth, and the keys read before, oldest first (read again with
    the next call of the kind)."""

    name: str
    values: ReadValues
    missing: Decimal | None
    key_parts: int = 1  # `returnable` keys are `<order id>:<product id>`
    known: dict[str, None] = field(default_factory=dict)
    batcher: WindowedBatcher[Snapshot] | None = None


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
        # A customer the ERP does not return has no limit here (the ERP refuses the
        # order itself when the customer does not exist); a product without stock or
        # delivery has none.
        kinds = [
            _Kind("stock", self._stock_values, Decimal(0)),
            _Kind("credit", self._credit_values, None),
            _Kind("returnable", self._returnable_values, Decimal(0), key_parts=2),
        ]
        for kind in kinds:
            kind.batcher = WindowedBatcher(self._reader_of(kind), max_batch=MAX_ITEMS)
        self._kinds = {kind.name: kind for kind in kinds}

    async def refresh(self, items: Sequence[str]) -> list[Snapshot]:
        """Read each item (and the others of its kind read before) and keep them; the
        items' snapshots. BackendError when the ERP cannot be read."""
        loads = []
        for item in items:
            name, _, key = item.partition(":")
            kind = self._kinds.get(name)
            if kind is None or kind.batcher is None or key.count(":") != kind.key_parts - 1:
                raise UnknownItem(item)
            loads.append(kind.batcher.load(key))
        found = await asyncio.gather(*loads)
        return [snapshot for snapshot in found if snapshot is not None]

    @property
    def reads(self) -> int:
        """ERP calls made so far, for benchmarks and tests."""
        return sum(kind.batcher.fetches for kind in self._kinds.values() if kind.batcher)

    def _reader_of(self, kind: _Kind) -> Callable[[Sequence[str]], Awaitable[dict[str, Snapshot]]]:
        async def read(asked: Sequence[str]) -> dict[str, Snapshot]:
            keys = _with_known(asked, kind.known)
            taken_at = self._clock()  # before the read: what is released after it counts
            values = await kind.values(keys)
            snapshots = {
                key: Snapshot(f"{kind.name}:{key}", values.get(key, kind.missing), taken_at)
                for key in keys
            }
            await self._keep(list(snapshots.values()))
            return snapshots

        return read

    async def _stock_values(self, product_ids: Sequence[str]) -> dict[str, Decimal | None]:
        levels = await self._erp.stock_for_products(product_ids)
        return {key: max(level.available.value, Decimal(0)) for key, level in levels.items()}

    async def _credit_values(self, customer_ids: Sequence[str]) -> dict[str, Decimal | None]:
        credits = await self._writer.credit_of(customer_ids)
        return {
            key: None
            if credit.limit is None
            else max(credit.limit.amount - credit.open_balance.amount, Decimal(0))
            for key, credit in credits.items()
        }

    async def _returnable_values(self, keys: Sequence[str]) -> dict[str, Decimal | None]:
        """`keys` are `<order id>:<product id>`: read by their orders, in one call."""
        orders = sorted({key.partition(":")[0] for key in keys})
        returnable = await self._writer.returnable(orders)
        return {
            f"{order}:{product}": max(left.value, Decimal(0))
            for order, products in returnable.items()
            for product, left in products.items()
        }


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
