"""WooCommerce's wire records to canonical records.

`WooRecord` reads a JSON object field by field and raises `BackendDataError` naming the
record and the field when a value has another shape than WooCommerce documents, so a
plugin or version that changes a field is a clear error, not a crash further up.
Money comes as strings ("24.50") in the order's `currency` (listings carry none: the
shop's currency is configured); dates as ISO 8601 without a zone, the `*_gmt` twin in
UTC, which is the one read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from erp_backends.errors import BackendDataError
from erp_backends.models import Money, ShopCustomer, ShopListing, ShopOrder, ShopOrderStatus
from erp_backends.normalize import NormalizationError
from erp_backends.normalize.dates import parse_utc_datetime
from erp_backends.normalize.money import currency_code, money, to_decimal

T = TypeVar("T")

# The fields each mapping below reads, asked for with WordPress's `_fields` so that the
# shop neither builds nor sends the rest: a product answers about 1 KB of which these
# are a tenth. `billing` is asked for whole: its sub-fields (`billing.email`) are cut
# only by WordPress 5.3 and later. Keep each list in step with its function; the
# adapter's tests read every mapped field through the emulator, which cuts as
# WordPress does.
CUSTOMER_FIELDS = "id,email,first_name,last_name,date_created_gmt"
ORDER_FIELDS = "id,number,status,date_created_gmt,total,currency,customer_id,billing"
LISTING_FIELDS = "id,sku,name,status,price,manage_stock,stock_quantity"

ORDER_STATUSES = {
    "pending": ShopOrderStatus.PENDING,
    "processing": ShopOrderStatus.PROCESSING,
    "on-hold": ShopOrderStatus.ON_HOLD,
    "completed": ShopOrderStatus.COMPLETED,
    "cancelled": ShopOrderStatus.CANCELLED,
    "refunded": ShopOrderStatus.REFUNDED,
    "failed": ShopOrderStatus.FAILED,
    "checkout-draft": ShopOrderStatus.DRAFT,
}


class WooRecord:
    """Typed reads of one WooCommerce object (`kind` is "order", "customer", "product")."""

    __slots__ = ("backend", "id", "kind", "raw")  # one per object read

    def __init__(self, kind: str, raw: Any, *, backend: str) -> None:
        self.kind, self.backend = kind, backend
        if not isinstance(raw, dict) or not _is_int(raw.get("id")):
            raise BackendDataError(
                f"WooCommerce {kind} without an integer id: {str(raw)[:80]}", backend=backend
            )
        self.raw: dict[str, Any] = raw
        self.id: int = raw["id"]

    def text(self, name: str) -> str:
        value = self._get(name)
        if not isinstance(value, str):
            raise self.bad(name, f"expected text, got {value!r}")
        return value

    def optional_text(self, name: str) -> str | None:
        """Text, with WooCommerce's blanks ("" and null) as None."""
        value = self._get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.bad(name, f"expected text, got {value!r}")
        return value

    def integer(self, name: str) -> int:
        value = self._get(name)
        if not _is_int(value):
            raise self.bad(name, f"expected an integer, got {value!r}")
        return int(value)

    def is_null(self, name: str) -> bool:
        return self._get(name) is None

    def nested_text(self, parent: str, name: str) -> str | None:
        """Optional text inside an object of this one (`billing.email`)."""
        value = self._get(parent)
        if not isinstance(value, dict):
            raise self.bad(parent, f"expected an object, got {value!r}")
        inner = value.get(name)
        if inner is None or inner == "":
            return None
        if not isinstance(inner, str):
            raise self.bad(f"{parent}.{name}", f"expected text, got {inner!r}")
        return inner

    def currency(self, name: str) -> str:
        return self.translate(name, lambda v: currency_code(_str(v, name)))

    def money(self, name: str, currency: str) -> Money:
        return self.translate(name, lambda v: money(v, currency, what=name))

    def gmt_datetime(self, name: str) -> datetime:
        return self.translate(name, lambda v: parse_utc_datetime(_str(v, name), what=name))

    def optional_gmt_datetime(self, name: str) -> datetime | None:
        return None if self.optional_text(name) is None else self.gmt_datetime(name)

    def translate(self, name: str, convert: Callable[[Any], T]) -> T:
        """`convert(value)`, with a NormalizationError reported against this field."""
        try:
            return convert(self._get(name))
        except NormalizationError as exc:
            raise self.bad(name, str(exc)) from None

    def bad(self, name: str, problem: str) -> BackendDataError:
        return BackendDataError(
            f"WooCommerce {self.kind} {self.id}: field {name!r} {problem}", backend=self.backend
        )

    def _get(self, name: str) -> Any:
        if name not in self.raw:
            raise self.bad(name, "is missing from the answer")
        return self.raw[name]


def shop_customer(rec: WooRecord) -> ShopCustomer:
    return ShopCustomer(
        id=str(rec.id),
        email=rec.text("email"),
        first_name=rec.optional_text("first_name"),
        last_name=rec.optional_text("last_name"),
        created_at=rec.optional_gmt_datetime("date_created_gmt"),
    )


def shop_order(rec: WooRecord) -> ShopOrder:
    status = rec.text("status")
    if status not in ORDER_STATUSES:
        raise rec.bad("status", f"is not a WooCommerce order status: {status!r}")
    number = rec.raw.get("number")
    customer = rec.integer("customer_id")
    return ShopOrder(
        id=str(rec.id),
        number=str(number) if _is_int(number) else rec.text("number"),
        status=ORDER_STATUSES[status],
        created_at=rec.gmt_datetime("date_created_gmt"),
        total=rec.money("total", rec.currency("currency")),
        customer_id=str(customer) if customer else None,  # 0 is a guest checkout
        email=rec.nested_text("billing", "email"),
    )


def shop_listing(rec: WooRecord, currency: str) -> ShopListing | None:
    """The listing, or None for a product without a price (the shop cannot sell it)."""
    if rec.optional_text("price") is None:
        return None
    return ShopListing(
        id=str(rec.id),
        sku=rec.text("sku"),
        name=rec.text("name"),
        published=rec.text("status") == "publish",
        price=rec.money("price", currency),
        listed_stock=_listed_stock(rec),
    )


def _listed_stock(rec: WooRecord) -> Decimal | None:
    # Variations say "parent" when their parent product keeps the stock; WooCommerce then
    # shows the parent's quantity in the variation's `stock_quantity`.
    managed = rec.raw.get("manage_stock")
    if managed not in (True, False, "parent"):
        raise rec.bad("manage_stock", f'expected true, false or "parent", got {managed!r}')
    if not managed or rec.is_null("stock_quantity"):
        return None
    return rec.translate("stock_quantity", lambda v: to_decimal(v, what="stock_quantity"))


def _str(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise NormalizationError(f"{name}: expected a datetime text, got {value!r}")
    return value


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
