"""Writes to the emulated shop, as WooCommerce's REST controllers make them.

Orders: create (201), update (`PUT|POST|PATCH /orders/<id>`), delete (trash, or gone
with `force=true`), and their notes; products: create, update, delete. WooCommerce's
rules that an adapter can trip over are kept: money goes in and out as strings (a
number for `regular_price` is 400 `rest_invalid_param`), a line item needs a product id
or SKU (`woocommerce_rest_required_product_reference`) of an existing product, an
unknown customer is `woocommerce_rest_invalid_customer_id`, an unknown id to update is
400 and to delete 404, a SKU must be unique (`product_invalid_sku`), and trashing
twice is 410 `woocommerce_rest_already_trashed`. `batch` answers each item on its own:
the record, or `{"id", "error": {...}}`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from erp_backends.woocommerce.emulator.params import WpError
from erp_backends.woocommerce.emulator.store import ORDER_STATUSES, ShopStore

Json = dict[str, Any]
BATCH_LIMIT = 100
_SITE_OFFSET = timedelta(hours=1)  # the emulated site's time zone, as in the seed
ADDRESS_FIELDS = (
    "first_name last_name company address_1 address_2 city state postcode country".split()
)
_ORDER_STATUSES = tuple(s for s in ORDER_STATUSES if s != "trash")
_PRODUCT_STATUSES = ("draft", "pending", "private", "publish")
_STOCK_STATUSES = ("instock", "outofstock", "onbackorder")
# The JSON type each writable field must have (WordPress checks it before the handler).
_ORDER_FIELDS = {
    "status": "string",
    "currency": "string",
    "customer_id": "integer",
    "customer_note": "string",
    "billing": "object",
    "shipping": "object",
    "line_items": "array",
    "meta_data": "array",
    "set_paid": "boolean",
    "payment_method": "string",
    "payment_method_title": "string",
    "transaction_id": "string",
}
_PRODUCT_FIELDS = {
    "name": "string",
    "status": "string",
    "sku": "string",
    "regular_price": "string",
    "sale_price": "string",
    "manage_stock": "boolean",
    "stock_quantity": "integer",
    "stock_status": "string",
    "description": "string",
    "meta_data": "array",
}
_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


class ShopWriter:
    """Creates, changes and deletes the store's orders, notes and products."""

    def __init__(self, store: ShopStore, currency: str = "USD") -> None:
        self.store = store
        self._currency = currency
        self._notes: dict[int, list[Json]] = {}  # order id -> its notes
        self._next_note = 1

    # Orders ------------------------------------------------------------------------------

    def create_order(self, body: Json) -> Json:
        check_body(body, _ORDER_FIELDS, {"status": _ORDER_STATUSES})
        stamp = site_now()
        order: Json = {
            "id": self._next_id(self.store.orders),
            "parent_id": 0,
            "created_via": "rest-api",
            "status": "pending",
            "currency": self._currency,
            **dated("date_created", stamp),
            **dated("date_modified", stamp),
            "discount_total": "0.00",
            "shipping_total": "0.00",
            "total_tax": "0.00",
            "customer_id": 0,
            "customer_note": "",
            "billing": {**dict.fromkeys(ADDRESS_FIELDS, ""), "email": "", "phone": ""},
            "shipping": {**dict.fromkeys(ADDRESS_FIELDS, ""), "phone": ""},
            "payment_method": "",
            "payment_method_title": "",
            "transaction_id": "",
            "date_paid": None,
            "date_paid_gmt": None,
            "meta_data": [],
            "line_items": [],
        }
        order["number"] = str(order["id"])
        order["order_key"] = f"wc_order_emulated{order['id']}"
        self._apply_order(order, body, creating=True)
        self.store.orders[order["id"]] = order
        self.store.reindex()
        return order

    def update_order(self, order_id: int, body: Json) -> Json:
        order = self.store.orders.get(order_id)
        if order is None:
            raise WpError(400, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
        check_body(body, _ORDER_FIELDS, {"status": _ORDER_STATUSES})
        changed = copy.deepcopy(order)
        self._apply_order(changed, body, creating=False)
        changed.update(dated("date_modified", site_now()))
        self.store.orders[order_id] = changed
        self.store.reindex()
        return changed

    def delete_order(self, order_id: int, force: bool) -> Json:
        order = self.store.orders.get(order_id)
        if order is None:
            raise WpError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
        return self._delete(self.store.orders, order, force, "order")

    def _apply_order(self, order: Json, body: Json, *, creating: bool) -> None:
        if "customer_id" in body:
            customer = body["customer_id"]
            if customer != 0 and customer not in self.store.customers:
                raise WpError(
                    400, "woocommerce_rest_invalid_customer_id", "Customer ID is invalid."
                )
            order["customer_id"] = customer
        for name in ("status", "currency", "customer_note", "payment_method"):
            if name in body:
                order[name] = body[name]
        for name in ("payment_method_title", "transaction_id"):
            if name in body:
                order[name] = body[name]
        for part in ("billing", "shipping"):
            if part in body:
                order[part] = {**order[part], **{k: str(v) for k, v in body[part].items()}}
        if "meta_data" in body:
            order["meta_data"] = merged_meta(order["meta_data"], body["meta_data"])
        if "line_items" in body:
            order["line_items"] += [
                self._line_item(item, len(order["line_items"]) + n + 1)
                for n, item in enumerate(body["line_items"])
            ]
        if body.get("set_paid"):
            order.update(dated("date_paid", site_now()))
            if creating or order["status"] == "pending":
                order["status"] = "processing"
        total = sum((Decimal(item["total"]) for item in order["line_items"]), Decimal(0))
        order["total"] = f"{total + Decimal(order['shipping_total']):.2f}"

    def _line_item(self, item: Any, item_id: int) -> Json:
        if not isinstance(item, dict):
            raise WpError(400, "rest_invalid_param", "Invalid parameter(s): line_items")
        product = self._product_of(item)
        quantity = item.get("quantity", 1)
        if not _TYPES["integer"](quantity) or quantity < 1:
            raise WpError(400, "woocommerce_rest_invalid_quantity", "Quantity must be positive.")
        price = Decimal(product["price"] or "0")
        total = f"{price * quantity:.2f}"
        return {
            "id": item_id,
            "name": product["name"],
            "product_id": product["id"],
            "variation_id": 0,
            "quantity": quantity,
            "tax_class": "",
            "subtotal": total,
            "subtotal_tax": "0.00",
            "total": total,
            "total_tax": "0.00",
            "taxes": [],
            "meta_data": [],
            "sku": product["sku"],
            "price": float(price),
        }

    def _product_of(self, item: Json) -> Json:
        if item.get("sku"):
            found = self.store.product_by_sku(str(item["sku"]))
        elif item.get("product_id"):
            found = self.store.products.get(item["product_id"])
        else:
            raise WpError(
                400, "woocommerce_rest_required_product_reference", "Product ID or SKU is required."
            )
        if found is None:
            raise WpError(400, "woocommerce_rest_invalid_product_id", "Invalid product ID.")
        return found

    # Order notes ---------------------------------------------------------------------------

    def notes(self, order_id: int) -> list[Json]:
        self._order_of_note(order_id)
        return list(reversed(self._notes.get(order_id, [])))  # newest first

    def note(self, order_id: int, note_id: int) -> Json:
        self._order_of_note(order_id)
        for note in self._notes.get(order_id, []):
            if note["id"] == note_id:
                return note
        raise WpError(404, "woocommerce_rest_invalid_id", "Invalid resource ID.")

    def add_note(self, order_id: int, body: Json) -> Json:
        self._order_of_note(order_id)
        text = body.get("note")
        if text is None or text == "":
            raise WpError(
                400,
                "rest_missing_callback_param",
                "Missing parameter(s): note",
                params=["note"],
            )
        check_body(body, {"note": "string", "customer_note": "boolean"}, {})
        stamp = site_now()
        note = {
            "id": self._next_note,
            "author": "WooCommerce",
            **dated("date_created", stamp),
            "note": text,
            "customer_note": bool(body.get("customer_note", False)),
        }
        self._next_note += 1
        self._notes.setdefault(order_id, []).append(note)
        return note

    def delete_note(self, order_id: int, note_id: int, force: bool) -> Json:
        note = self.note(order_id, note_id)
        if not force:
            raise WpError(
                501,
                "woocommerce_rest_trash_not_supported",
                "The resource does not support trashing.",
            )
        self._notes[order_id].remove(note)
        return note

    def _order_of_note(self, order_id: int) -> None:
        if order_id not in self.store.orders:
            raise WpError(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")

    # Products ------------------------------------------------------------------------------

    def create_product(self, body: Json) -> Json:
        check_body(body, _PRODUCT_FIELDS, _PRODUCT_ENUMS)
        stamp = site_now()
        name = body.get("name", "")
        product: Json = {
            "id": self._next_id(self.store.products),
            "name": name,
            "slug": "-".join(str(name).lower().split()),
            **dated("date_created", stamp),
            **dated("date_modified", stamp),
            "type": "simple",
            "status": "publish",
            "sku": "",
            "price": "",
            "regular_price": "",
            "sale_price": "",
            "on_sale": False,
            "manage_stock": False,
            "stock_quantity": None,
            "stock_status": "instock",
            "backorders": "no",
            "meta_data": [],
        }
        self._apply_product(product, body)
        self.store.products[product["id"]] = product
        self.store.reindex()
        return product

    def update_product(self, product_id: int, body: Json) -> Json:
        product = self.store.products.get(product_id)
        if product is None:
            raise WpError(400, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        check_body(body, _PRODUCT_FIELDS, _PRODUCT_ENUMS)
        changed = copy.deepcopy(product)
        self._apply_product(changed, body)
        changed.update(dated("date_modified", site_now()))
        self.store.products[product_id] = changed
        self.store.reindex()
        return changed

    def delete_product(self, product_id: int, force: bool) -> Json:
        product = self.store.products.get(product_id)
        if product is None:
            raise WpError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        return self._delete(self.store.products, product, force, "product")

    def _apply_product(self, product: Json, body: Json) -> None:
        for name in ("regular_price", "sale_price"):
            if body.get(name):
                _money(name, body[name])
        sku = body.get("sku")
        if sku:
            other = self.store.product_by_sku(sku)
            if other is not None and other["id"] != product["id"]:
                raise WpError(400, "product_invalid_sku", "Invalid or duplicated SKU.")
        for name in (
            "name",
            "status",
            "sku",
            "regular_price",
            "sale_price",
            "manage_stock",
            "stock_status",
            "description",
        ):
            if name in body:
                product[name] = body[name]
        if "stock_quantity" in body:
            product["stock_quantity"] = body["stock_quantity"]
        if "meta_data" in body:
            product["meta_data"] = merged_meta(product["meta_data"], body["meta_data"])
        on_sale = bool(product["sale_price"])
        product["on_sale"] = on_sale
        product["price"] = product["sale_price"] if on_sale else product["regular_price"]
        if product["manage_stock"] and isinstance(product["stock_quantity"], int):
            quantity = product["stock_quantity"]
            product["stock_status"] = "instock" if quantity > 0 else "outofstock"

    # Batches -----------------------------------------------------------------------------

    def batch(
        self,
        body: Json,
        create: Callable[[Json], Json],
        update: Callable[[int, Json], Json],
        delete: Callable[[int, bool], Json],
    ) -> Json:
        """`{"create": [...], "update": [...], "delete": [ids]}`, each item on its own;
        deletes in a batch are always forced, as WooCommerce's batch does."""
        check_body(body, {"create": "array", "update": "array", "delete": "array"}, {})
        parts = {part: body.get(part) or [] for part in ("create", "update", "delete")}
        if sum(len(items) for items in parts.values()) > BATCH_LIMIT:
            raise WpError(
                413,
                "woocommerce_rest_request_entity_too_large",
                f"Unable to accept more than {BATCH_LIMIT} items for this request.",
            )
        answer: Json = {}
        if parts["create"]:
            answer["create"] = [_each(create, _object, item) for item in parts["create"]]
        if parts["update"]:
            answer["update"] = [_updated(item, update) for item in parts["update"]]
        if parts["delete"]:
            answer["delete"] = [_deleted(key, delete) for key in parts["delete"]]
        return answer

    def _delete(self, table: dict[int, Json], record: Json, force: bool, what: str) -> Json:
        if force:
            del table[record["id"]]
            self.store.reindex()
            return record
        if record["status"] == "trash":
            raise WpError(
                410, "woocommerce_rest_already_trashed", f"The {what} has already been deleted."
            )
        record["status"] = "trash"
        self.store.reindex()
        return record

    @staticmethod
    def _next_id(table: dict[int, Json]) -> int:
        return max(table, default=0) + 1


_PRODUCT_ENUMS = {"status": _PRODUCT_STATUSES, "stock_status": _STOCK_STATUSES}


def check_body(body: Json, fields: dict[str, str], enums: dict[str, tuple[str, ...]]) -> None:
    """WordPress's schema check of a body: every bad field named in one 400."""
    problems: dict[str, tuple[str, str]] = {}
    for name, kind in fields.items():
        if name not in body or body[name] is None:
            continue
        value = body[name]
        if not _TYPES[kind](value):
            problems[name] = ("rest_invalid_type", f"{name} is not of type {kind}.")
        elif name in enums and value not in enums[name]:
            listed = ", ".join(enums[name][:-1]) + f" and {enums[name][-1]}"
            problems[name] = ("rest_not_in_enum", f"{name} is not one of {listed}.")
    if problems:
        raise WpError(
            400,
            "rest_invalid_param",
            f"Invalid parameter(s): {', '.join(problems)}",
            params={name: message for name, (_code, message) in problems.items()},
            details={
                name: {"code": code, "message": message, "data": None}
                for name, (code, message) in problems.items()
            },
        )


def _money(name: str, value: str) -> None:
    try:
        Decimal(value)
    except InvalidOperation:
        raise WpError(
            400, "rest_invalid_param", f"Invalid parameter(s): {name}", params={name: value}
        ) from None


def merged_meta(existing: list[Json], given: list[Any]) -> list[Json]:
    """Meta entries by key: a given key replaces the entry of that key, else it is added."""
    merged = [dict(entry) for entry in existing]
    next_id = max((entry["id"] for entry in merged), default=0) + 1
    for entry in given:
        if not isinstance(entry, dict) or "key" not in entry:
            continue
        same = next((m for m in merged if m["key"] == entry["key"]), None)
        if same is not None:
            same["value"] = entry.get("value")
        else:
            merged.append({"id": next_id, "key": entry["key"], "value": entry.get("value")})
            next_id += 1
    return merged


def _each(action: Callable[[Json], Json], read: Callable[[Any], Json], item: Any) -> Json:
    """One created item: the record, or its error where the record would be."""
    try:
        return action(read(item))
    except WpError as error:
        return {"id": 0, "error": error.body()}


def _updated(item: Any, update: Callable[[int, Json], Json]) -> Json:
    key = item.get("id") if isinstance(item, dict) else None
    try:
        return update(_id(key), _object(item))
    except WpError as error:
        return {"id": key, "error": error.body()}


def _deleted(key: Any, delete: Callable[[int, bool], Json]) -> Json:
    try:
        return delete(_id(key), True)
    except WpError as error:
        return {"id": key, "error": error.body()}


def _object(item: Any) -> Json:
    if not isinstance(item, dict):
        raise WpError(400, "rest_invalid_param", "Invalid parameter(s): batch item")
    return item


def _id(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise WpError(400, "woocommerce_rest_invalid_id", "Invalid resource ID.")


def site_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0, tzinfo=None)


def dated(name: str, gmt: datetime) -> Json:
    """A date field and its `_gmt` twin: site time and UTC, without zone."""
    return {name: (gmt + _SITE_OFFSET).isoformat(), f"{name}_gmt": gmt.isoformat()}
