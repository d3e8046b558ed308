"""The reservation ledger: what accepted commands hold of stock and credit until the ERP
has written them, next to snapshots of what the ERP had.

An acceptance spends no ERP call. It asks the queue's store to submit the command
together with its reservations (`Reservation`: so much of an item, such as a product's
stock or a customer's credit), and the store, in the same transaction (SQLite) or script
(Redis) that stores the command, checks each item:

    available = snapshot of the item - every reservation the snapshot does not show

and refuses the whole command (`Shortfall`) when any item falls short. Two acceptances
of the last units, in one process or in many, are therefore serialised by the store,
and the second one sees the first one's reservation.

A reservation is released when its command is settled (CONFIRMED, FAILED, ROLLED_BACK,
DISCARDED; a DEAD command keeps it, as it may be replayed). Released is not forgotten:
a snapshot taken before the ERP wrote the order does not show it, so a reservation
counts until a snapshot taken after its release (less `CLOCK_SKEW`, as the worker and
the process that read the snapshot may run on two hosts) replaces the older one.

Snapshots are refreshed from the ERP in bulk by `gateway.commands.snapshots` when the
store says one is older than `[writes] snapshot_max_age_s` (`SnapshotsStale`). What the
gateway does not see: what other channels (the shop, the backoffice) took from the ERP
since the snapshot was taken, i.e. at most `snapshot_max_age_s` while the ERP answers,
and since the last successful read while it does not. The ERP stays the final authority:
the worker's write can still be refused.

Items are strings: `stock:<product id>` in the product's sales unit, `credit:<customer
id>` in the credit's currency, `returnable:<order id>:<product id>` in the product's sales
unit (what a return may still ask back of it). Amounts are kept as integer millionths
(`to_micros`), so that Redis's Lua, whose numbers are doubles, adds them exactly (up to
9 billion units).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

MICROS = Decimal(1_000_000)
CLOCK_SKEW = timedelta(seconds=2)  # how far apart two hosts' clocks may be


def stock_item(product_id: str) -> str:
    return f"stock:{product_id}"


def credit_item(customer_id: str) -> str:
    return f"credit:{customer_id}"


def returnable_item(order_id: str, product_id: str) -> str:
    """What may still come back of a product from an order (delivered less returned less
    returns open in the ERP), in the product's sales unit."""
    return f"returnable:{order_id}:{product_id}"


def to_micros(amount: Decimal, *, round_up: bool) -> int:
    """An amount in integer millionths: what is asked rounds up, what is there down, so
    the rounding can only ever refuse, never oversell."""
    rounding = ROUND_CEILING if round_up else ROUND_FLOOR
    return int((amount * MICROS).to_integral_value(rounding=rounding))


def from_micros(micros: int) -> Decimal:
    return (Decimal(micros) / MICROS).normalize()


@dataclass(frozen=True, slots=True)
class Reservation:
    """So much of an item that a command holds from its acceptance to its settling."""

    item: str
    amount: Decimal

    @property
    def micros(self) -> int:
        return to_micros(self.amount, round_up=True)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the ERP had of an item when it was read (`taken_at`: when the read began);
    `available` None: no limit (a customer without a credit limit)."""

    item: str
    available: Decimal | None
    taken_at: datetime

    @property
    def micros(self) -> int | None:
        return None if self.available is None else to_micros(self.available, round_up=False)


class SnapshotsStale(Exception):
    """Some items have no snapshot, or one older than the acceptance allows: read them
    from the ERP and try again. Nothing was stored."""

    def __init__(self, items: Sequence[str]) -> None:
        super().__init__(f"snapshots to refresh: {', '.join(items)}")
        self.items = tuple(items)


class Shortfall(Exception):
    """Some items do not cover what the command asks: `available` is what was left of
    each, after the other commands' reservations. Nothing was stored."""

    def __init__(self, available: Mapping[str, Decimal]) -> None:
        super().__init__(f"not enough of: {', '.join(available)}")
        self.available = dict(available)


def merged(reservations: Sequence[Reservation]) -> list[Reservation]:
    """One reservation per item (an order may have two lines of one product), in item
    order: the order every store takes them in."""
    totals: dict[str, Decimal] = {}
    for reservation in reservations:
        totals[reservation.item] = totals.get(reservation.item, Decimal(0)) + reservation.amount
    return [Reservation(item, totals[item]) for item in sorted(totals)]
