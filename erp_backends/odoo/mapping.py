"""Odoo records to canonical records.

Each `*_FIELDS` list is exactly what its mapping function reads, so the adapter asks
Odoo for nothing more. Fields whose name depends on the Odoo version are passed in by
the adapter, which learns them from `fields_get` (see `reference.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from erp_backends.models import (
    Address,
    AddressKind,
    Customer,
    Invoice,
    InvoiceStatus,
    InvoicingStatus,
    Money,
    Order,
    OrderLine,
    OrderLineRef,
    OrderStatus,
    Payment,
    PaymentState,
    PaymentStatus,
    Product,
    Quantity,
    StockLevel,
    WarehouseStock,
)
from erp_backends.normalize import NormalizationError
from erp_backends.normalize.countries import country_code, subdivision_code
from erp_backends.normalize.money import money
from erp_backends.normalize.units import unit_code
from erp_backends.odoo.records import OdooRecord

E = TypeVar("E", bound=Enum)

ADDRESS_FIELDS = ["name", "street", "street2", "zip", "city", "state_id", "country_id"]
PARTNER_FIELDS = [
    *ADDRESS_FIELDS,
    *"email phone is_company ref vat type commercial_partner_id".split(),
]
CHILD_ADDRESS_FIELDS = [*ADDRESS_FIELDS, "type", "parent_id"]
# Customers read with their addresses in one call (`OdooErp.get_customers`).
CUSTOMER_AND_ADDRESS_FIELDS = list(dict.fromkeys([*PARTNER_FIELDS, *CHILD_ADDRESS_FIELDS]))
ORDER_FIELDS = (
    "name partner_id state invoice_status date_order client_order_ref currency_id amount_untaxed"
    " amount_tax amount_total invoice_ids"
).split()
LINE_FIELDS = (
    "order_id product_id name product_uom_qty qty_delivered qty_invoiced price_unit discount"
    " price_subtotal price_total currency_id"
).split()
PRODUCT_MANY2ONES = frozenset({"currency_id", "uom_id"})  # read by their display names
PRODUCT_FIELDS = (
    "default_code name barcode lst_price currency_id uom_id type sale_ok active"
).split()
QUANT_FIELDS = ["product_id", "warehouse_id", "quantity", "reserved_quantity", "product_uom_id"]
INVOICE_FIELDS = (
    "name commercial_partner_id state payment_state invoice_date invoice_date_due invoice_origin"
    " currency_id amount_untaxed amount_tax amount_total amount_residual"
).split()
PAYMENT_FIELDS = ["name", "partner_id", "state", "date", "amount", "currency_id", "journal_id"]

ADDRESS_KINDS = {"invoice": AddressKind.BILLING, "delivery": AddressKind.SHIPPING}
ORDER_STATES = {
    "draft": OrderStatus.QUOTATION,
    "sent": OrderStatus.QUOTATION_SENT,
    "sale": OrderStatus.CONFIRMED,
    "done": OrderStatus.DONE,
    "cancel": OrderStatus.CANCELLED,
}
INVOICING_STATES = {
    "no": InvoicingStatus.NOTHING_TO_INVOICE,
    "to invoice": InvoicingStatus.TO_INVOICE,
    "invoiced": InvoicingStatus.INVOICED,
    "upselling": InvoicingStatus.UPSELLING,
}
INVOICE_STATES = {
    "draft": InvoiceStatus.DRAFT,
    "posted": InvoiceStatus.POSTED,
    "cancel": InvoiceStatus.CANCELLED,
}
PAYMENT_STATUSES = {
    "not_paid": PaymentStatus.NOT_PAID,
    "in_payment": PaymentStatus.IN_PAYMENT,
    "paid": PaymentStatus.PAID,
    "partial": PaymentStatus.PARTIAL,
    "reversed": PaymentStatus.REVERSED,
    "blocked": PaymentStatus.BLOCKED,
    "invoicing_legacy": PaymentStatus.LEGACY,
}
# Odoo 18+ names first; "posted" and "cancel" are the states of Odoo 17 and earlier.
PAYMENT_STATES = {
    "draft": PaymentState.DRAFT,
    "in_process": PaymentState.IN_PROCESS,
    "paid": PaymentState.PAID,
    "posted": PaymentState.PAID,
    "canceled": PaymentState.CANCELLED,
    "cancel": PaymentState.CANCELLED,
    "rejected": PaymentState.REJECTED,
}


def address(
    rec: OdooRecord, kind: AddressKind, countries: Mapping[int, str], states: Mapping[int, str]
) -> Address:
    country_id, state_id = rec.many2one_id("country_id"), rec.many2one_id("state_id")
    country = None
    if country_id is not None:
        iso = _coded(rec, "country_id", countries, country_id)
        country = rec.translate("country_id", lambda _: country_code(iso))
    region = None
    if state_id is not None and country is not None:
        local = _coded(rec, "state_id", states, state_id)
        region = rec.translate("state_id", lambda _: subdivision_code(country, local))
    return Address(
        kind=kind,
        name=rec.optional_text("name"),
        street=rec.optional_text("street"),
        street2=rec.optional_text("street2"),
        postal_code=rec.optional_text("zip"),
        city=rec.optional_text("city"),
        region=region,
        country_code=country,
    )


def is_commercial(rec: OdooRecord) -> bool:
    """A customer account: the partner is its own commercial partner (Odoo leaves no
    partner without one; one read without it counts as its own, as orders do)."""
    return rec.many2one_id("commercial_partner_id") in (None, rec.id)


def customer(rec: OdooRecord, addresses: Sequence[Address]) -> Customer:
    return Customer(
        id=str(rec.id),
        name=rec.text("name"),
        email=rec.optional_text("email"),
        phone=rec.optional_text("phone"),
        is_company=rec.boolean("is_company"),
        reference=rec.optional_text("ref"),
        vat=rec.optional_text("vat"),
        addresses=tuple(addresses),
    )


def order(rec: OdooRecord, account_id: int) -> Order:
    """`account_id`: the commercial partner of the order's partner, i.e. the customer."""
    currency = _currency(rec)
    return Order(
        id=str(rec.id),
        number=rec.text("name"),
        customer_id=str(account_id),
        status=_enum(rec, "state", ORDER_STATES),
        invoicing_status=_enum(rec, "invoice_status", INVOICING_STATES),
        ordered_at=rec.datetime("date_order"),
        customer_reference=rec.optional_text("client_order_ref"),
        untaxed=_money(rec, "amount_untaxed", currency),
        tax=_money(rec, "amount_tax", currency),
        total=_money(rec, "amount_total", currency),
        invoice_ids=tuple(str(i) for i in rec.ids("invoice_ids")),
    )


def order_line_ref(rec: OdooRecord, product_read: Product | None = None) -> OrderLineRef:
    """A line read as its order's and product's ids; with its product where that was
    read with it."""
    product = rec.related_id("product_id")
    return OrderLineRef(
        id=str(rec.id),
        order_id=str(rec.required_related_id("order_id")),
        product_id=None if product is None else str(product),
        product=product_read,
    )


def product_specification(storable_field: str | None) -> dict[str, Any]:
    """`web_read`'s specification of what `product` maps: `PRODUCT_FIELDS`, the
    many2ones among them with their display names (`classic_row` reads them back)."""
    fields = PRODUCT_FIELDS + ([storable_field] if storable_field else [])
    named: dict[str, Any] = {"fields": {"display_name": {}}}
    return {name: (named if name in PRODUCT_MANY2ONES else {}) for name in fields}


def classic_row(row: dict[str, Any]) -> dict[str, Any]:
    """A record `web_read` gave, its many2ones `{"id": 7, "display_name": "EUR"}` as
    `search_read` gives them, `[7, "EUR"]`, for `OdooRecord`."""
    return {
        name: [value.get("id"), value.get("display_name")] if type(value) is dict else value
        for name, value in row.items()
    }


def order_line(rec: OdooRecord, uom_field: str) -> OrderLine:
    currency = _currency(rec)
    unit = _unit(rec, uom_field)
    return OrderLine(
        id=str(rec.id),
        order_id=str(rec.required_many2one("order_id")[0]),
        product_id=_optional_id(rec, "product_id"),
        description=rec.text("name"),
        quantity=Quantity(rec.number("product_uom_qty"), unit),
        delivered=Quantity(rec.number("qty_delivered"), unit),
        invoiced=Quantity(rec.number("qty_invoiced"), unit),
        unit_price=Money(rec.number("price_unit"), currency),
        discount_percent=rec.number("discount"),
        subtotal=_money(rec, "price_subtotal", currency),
        total=_money(rec, "price_total", currency),
    )


def product(rec: OdooRecord, storable_field: str | None) -> Product:
    # Odoo 18+ flags stock tracking with `is_storable`; before, `type` was "product".
    tracks_stock = rec.boolean(storable_field) if storable_field else rec.text("type") == "product"
    return Product(
        id=str(rec.id),
        sku=rec.optional_text("default_code"),
        name=rec.text("name"),
        barcode=rec.optional_text("barcode"),
        list_price=_money(rec, "lst_price", _currency(rec)),
        sales_unit=_unit(rec, "uom_id"),
        tracks_stock=tracks_stock,
        # Archived (`active` false, read with `active_test` off) or not `sale_ok`.
        sellable=rec.boolean("sale_ok") and rec.boolean("active"),
    )


def invoice(rec: OdooRecord) -> Invoice:
    currency = _currency(rec)
    return Invoice(
        id=str(rec.id),
        number=rec.text("name"),
        customer_id=str(rec.required_many2one("commercial_partner_id")[0]),
        status=_enum(rec, "state", INVOICE_STATES),
        payment_status=_enum(rec, "payment_state", PAYMENT_STATUSES),
        issued_on=rec.optional_date("invoice_date"),
        due_on=rec.optional_date("invoice_date_due"),
        origin=rec.optional_text("invoice_origin"),
        untaxed=_money(rec, "amount_untaxed", currency),
        tax=_money(rec, "amount_tax", currency),
        total=_money(rec, "amount_total", currency),
        amount_due=_money(rec, "amount_residual", currency),
    )


def payment(rec: OdooRecord, memo_field: str, invoices_field: str) -> Payment:
    paid_on = rec.optional_date("date")
    if paid_on is None:
        raise rec.bad("date", "is empty")
    return Payment(
        id=str(rec.id),
        number=rec.text("name"),
        customer_id=str(rec.required_many2one("partner_id")[0]),
        state=_enum(rec, "state", PAYMENT_STATES),
        paid_on=paid_on,
        amount=_money(rec, "amount", _currency(rec)),
        method=rec.many2one_name("journal_id"),
        memo=rec.optional_text(memo_field),
        invoice_ids=tuple(str(i) for i in rec.ids(invoices_field)),
    )


def stock_levels(quants: list[OdooRecord], codes: Mapping[int, str]) -> dict[str, StockLevel]:
    """Sum quants (one per location, lot and package) per product and warehouse."""
    totals: dict[int, dict[tuple[int, str], list[Decimal]]] = {}
    units: dict[int, str] = {}
    for quant in quants:
        product = quant.required_many2one("product_id")[0]
        warehouse = quant.required_many2one("warehouse_id")
        units[product] = _unit(quant, "product_uom_id")
        # get before setdefault: a list of quants is long, and setdefault would build
        # the default for every one of them.
        by_warehouse = totals.get(product)
        if by_warehouse is None:
            by_warehouse = totals[product] = {}
        sums = by_warehouse.get(warehouse)
        if sums is None:
            sums = by_warehouse[warehouse] = [Decimal(0), Decimal(0)]
        sums[0] += quant.number("quantity")
        sums[1] += quant.number("reserved_quantity")
    return {
        str(product): StockLevel(
            product_id=str(product),
            unit=units[product],
            warehouses=tuple(
                WarehouseStock(
                    warehouse_code=codes.get(wh_id, wh_name),
                    warehouse_name=wh_name,
                    on_hand=Quantity(on_hand, units[product]),
                    reserved=Quantity(reserved, units[product]),
                )
                for (wh_id, wh_name), (on_hand, reserved) in sorted(by_wh.items())
            ),
        )
        for product, by_wh in totals.items()
    }


def _enum(rec: OdooRecord, name: str, table: Mapping[str, E]) -> E:
    value = rec.text(name)
    if value not in table:
        raise rec.bad(name, f"has the unknown value {value!r}")
    return table[value]


def _currency(rec: OdooRecord) -> str:
    # A res.currency's display name is its ISO 4217 code.
    return rec.required_many2one("currency_id")[1]


def _money(rec: OdooRecord, name: str, currency: str) -> Money:
    return rec.translate(name, lambda value: money(value, currency, what=name))


def _unit(rec: OdooRecord, name: str) -> str:
    uom_name = rec.required_many2one(name)[1]
    try:
        return unit_code(uom_name)
    except NormalizationError as exc:
        raise rec.bad(name, str(exc)) from None


def _optional_id(rec: OdooRecord, name: str) -> str | None:
    value = rec.many2one_id(name)
    return None if value is None else str(value)


def _coded(rec: OdooRecord, name: str, codes: Mapping[int, str], key: int) -> str:
    if key not in codes:
        raise rec.bad(name, f"refers to record {key}, which has no code")
    return codes[key]
