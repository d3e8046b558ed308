"""What may still come back of an order's products, read into the ledger's snapshots by
order: all the items asked at once in one ERP call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import cast

import pytest

from erp_backends.models import Quantity
from erp_backends.ports import ErpBackend
from erp_backends.writes import ErpWriter
from gateway.commands.ledger import Snapshot
from gateway.commands.snapshots import SnapshotReader, UnknownItem

NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


class ReturnableWriter:
    def __init__(self, returnable: Mapping[str, Mapping[str, Quantity]]) -> None:
        self._returnable = returnable
        self.calls: list[list[str]] = []

    async def returnable(self, order_ids: Sequence[str]) -> Mapping[str, Mapping[str, Quantity]]:
        self.calls.append(list(order_ids))
        return {order: self._returnable[order] for order in order_ids if order in self._returnable}


def reader_of(writer: ReturnableWriter, kept: list[Snapshot]) -> SnapshotReader:
    async def keep(snapshots: Sequence[Snapshot]) -> None:
        kept.extend(snapshots)

    erp = cast(ErpBackend, object())  # the returnable kind reads no stock
    return SnapshotReader(erp, cast(ErpWriter, writer), keep, clock=lambda: NOW)


async def test_the_items_of_several_orders_are_read_in_one_call() -> None:
    # given an ERP where order 7 may still take back 3 of product 1, and order 8 nothing
    writer = ReturnableWriter({"7": {"1": Quantity(Decimal(3), "C62")}})
    kept: list[Snapshot] = []
    reader = reader_of(writer, kept)

    # when three items of two orders are read
    items = ["returnable:7:1", "returnable:7:2", "returnable:8:1"]
    found = await reader.refresh(items)

    # then one call read both orders, and what the ERP did not name may not come back
    assert writer.calls == [["7", "8"]]
    assert {s.item: s.available for s in found} == {
        "returnable:7:1": Decimal(3),
        "returnable:7:2": Decimal(0),
        "returnable:8:1": Decimal(0),
    }
    assert {s.item for s in kept} == set(items)
    assert reader.reads == 1


async def test_an_item_without_its_product_is_a_bug() -> None:
    reader = reader_of(ReturnableWriter({}), [])
    with pytest.raises(UnknownItem):
        await reader.refresh(["returnable:7"])
