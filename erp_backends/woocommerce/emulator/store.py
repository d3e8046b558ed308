"""The emulated shop's collections, queried the way WooCommerce's REST controllers do.

Each list query reads and validates its parameters (`Params`), filters, sorts and
slices, and returns a `Listing` the endpoint turns into a JSON array with WordPress's
paging headers. Filters follow WooCommerce 9's controllers: `email` (customers) and
`sku` (products, comma-separated, the whole text counting as one SKU too) compare
case-insensitively as MySQL's collation does; `customer=0` is "no filter", as PHP's
`empty(0)` makes it; `status=any` is every status but trash.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from erp_backends.woocommerce.emulator.params import MAX_PER_PAGE, Params, WpError
from erp_backends.woocommerce.emulator.seed import ShopWorld

Json = dict[str, Any]
ORDER_STATUSES = tuple(
    "pending processing on-hold completed cancelled refunded failed checkout-draft trash".split()
)
PRODUCT_STATUSES = ("any", "future", "trash", "draft", "pending", "private", "publish")
ROLES = tuple(
    "all administrator editor author contributor subscriber customer shop_manager".split()
)
_DIRECTIONS = ("asc", "desc")


@dataclass(frozen=True, slots=True)
class Listing:
    items: list[Json]
    total: int
    page: int
    per_page: int

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total / self.per_page)


@dataclass(frozen=True, slots=True)
class _Paging:
    page: int
    per_page: int
    offset: int | None

    def slice(self, rows: list[Json]) -> Listing:
        start = self.offset if self.offset is not None else (self.page - 1) * self.per_page
        return Listing(rows[start : start + self.per_page], len(rows), self.page, self.per_page)


class ShopStore:
    """The shop's customers, orders and products, indexed for the API's filters."""

    def __init__(self, world: ShopWorld) -> None:
        self.customers = {c["id"]: c for c in world.customers}
        self.orders = {o["id"]: o for o in world.orders}
        self.products = {p["id"]: p for p in world.products}
        self.reindex()

    def reindex(self) -> None:
        """Rebuild the filters' indexes after a write changed the records."""
        self._by_email: dict[str, list[Json]] = {}
        for customer in self.customers.values():
            self._by_email.setdefault(customer["email"].lower(), []).append(customer)
        self._by_customer: dict[int, list[Json]] = {}
        for order in self.orders.values():
            self._by_customer.setdefault(order["customer_id"], []).append(order)
        self._by_sku = {p["sku"].lower(): p for p in self.products.values() if p["sku"]}

    def product_by_sku(self, sku: str) -> Json | None:
        return self._by_sku.get(sku.strip().lower())

    # Single records --------------------------------------------------------------------

    def customer(self, record_id: int) -> Json:
        return _found(
            self.customers, record_id, "woocommerce_rest_invalid_id", "Invalid resource ID."
        )

    def order(self, record_id: int) -> Json:
        return _found(
            self.orders, record_id, "woocommerce_rest_shop_order_invalid_id", "Invalid ID."
        )

    def product(self, record_id: int) -> Json:
        return _found(
            self.products, record_id, "woocommerce_rest_product_invalid_id", "Invalid ID."
        )

    # Lists -----------------------------------------------------------------------------

    def list_customers(self, params: Params) -> Listing:
        email, search = params.email("email"), params.text("search")
        include, exclude = params.ids("include"), params.ids("exclude")
        role = params.choice("role", "customer", ROLES)
        orderby = params.choice("orderby", "name", ("id", "include", "name", "registered_date"))
        descending, paging = params.choice("order", "asc", _DIRECTIONS) == "desc", _paging(params)
        params.check()
        rows = self._by_email.get(email.lower(), []) if email else list(self.customers.values())
        if role not in ("all", "customer"):
            rows = []
        if search:
            rows = [
                c
                for c in rows
                if _contains(search, c["email"], c["first_name"], c["last_name"], c["username"])
            ]
        keys = {
            "id": _key("id"),
            "name": _key("username"),
            "registered_date": _key("date_created_gmt"),
        }
        rows = _filtered(rows, include, exclude, keys.get(orderby), descending)
        return paging.slice(rows)

    def list_orders(self, params: Params) -> Listing:
        customer = params.integer("customer")
        include, exclude = params.ids("include"), params.ids("exclude")
        statuses = params.choices("status", "any", ("any", *ORDER_STATUSES))
        search = params.text("search")
        orderby = params.choice(
            "orderby", "date", ("date", "id", "include", "title", "slug", "modified")
        )
        descending, paging = params.choice("order", "desc", _DIRECTIONS) == "desc", _paging(params)
        params.check()
        # PHP's empty(0) is true: customer=0 filters nothing, it does not mean "guests".
        rows = self._by_customer.get(customer, []) if customer else list(self.orders.values())
        if "any" in statuses:
            rows = [o for o in rows if o["status"] != "trash"]
        else:
            rows = [o for o in rows if o["status"] in statuses]
        if search:
            rows = [o for o in rows if _contains(search, str(o["id"]), *o["billing"].values())]
        keys = {
            "date": _key("date_created_gmt"),
            "id": _key("id"),
            "title": _key("id"),
            "slug": _key("id"),
            "modified": _key("date_modified_gmt"),
        }
        rows = _filtered(rows, include, exclude, keys.get(orderby), descending)
        return paging.slice(rows)

    def list_products(self, params: Params) -> Listing:
        sku, search = params.text("sku"), params.text("search")
        include, exclude = params.ids("include"), params.ids("exclude")
        status = params.choice("status", "any", PRODUCT_STATUSES)
        stock_status = params.text("stock_status")
        if stock_status is not None:
            params.choice("stock_status", "", ("instock", "outofstock", "onbackorder"))
        orderby = params.choice(
            "orderby", "date", ("date", "id", "include", "title", "slug", "price", "modified")
        )
        descending, paging = params.choice("order", "desc", _DIRECTIONS) == "desc", _paging(params)
        params.check()
        rows = self._with_skus(sku) if sku else list(self.products.values())
        if status != "any":
            rows = [p for p in rows if p["status"] == status]
        if stock_status:
            rows = [p for p in rows if p["stock_status"] == stock_status]
        if search:
            rows = [p for p in rows if _contains(search, p["name"])]
        keys = {
            "date": _key("date_created_gmt"),
            "id": _key("id"),
            "title": _key("name"),
            "slug": _key("slug"),
            "price": lambda p: float(p["price"] or 0),
            "modified": _key("date_modified_gmt"),
        }
        rows = _filtered(rows, include, exclude, keys.get(orderby), descending)
        return paging.slice(rows)

    def _with_skus(self, sku: str) -> list[Json]:
        # WC_REST_Products_Controller: explode(',', sku), plus the whole text as one SKU.
        wanted = sku.split(",")
        if len(wanted) > 1:
            wanted.append(sku)
        found = {id(p): p for s in wanted if (p := self._by_sku.get(s.strip().lower()))}
        return sorted(found.values(), key=lambda p: p["id"])


def _found(records: dict[int, Json], record_id: int, code: str, message: str) -> Json:
    record = records.get(record_id)
    if record is None:
        raise WpError(404, code, message)
    return record


def _paging(params: Params) -> _Paging:
    page = params.integer("page", 1, minimum=1) or 1
    per_page = params.integer("per_page", 10, minimum=1, maximum=MAX_PER_PAGE) or 10
    return _Paging(page, per_page, params.integer("offset"))


def _key(field: str) -> Callable[[Json], Any]:
    return lambda row: row[field]


def _filtered(
    rows: list[Json],
    include: list[int],
    exclude: list[int],
    key: Callable[[Json], Any] | None,
    descending: bool,
) -> list[Json]:
    """Rows limited to `include`, without `exclude`, sorted by `key` (None: by the
    position in `include`), ties broken by id in the same direction."""
    if include:
        wanted = set(include)
        rows = [row for row in rows if row["id"] in wanted]
    if exclude:
        unwanted = set(exclude)
        rows = [row for row in rows if row["id"] not in unwanted]
    if key is None:
        position = {record_id: n for n, record_id in enumerate(include)}
        return sorted(rows, key=lambda row: position.get(row["id"], len(position)))
    return sorted(rows, key=lambda row: (key(row), row["id"]), reverse=descending)


def _contains(needle: str, *haystack: object) -> bool:
    lowered = needle.lower()
    return any(lowered in str(value).lower() for value in haystack)
