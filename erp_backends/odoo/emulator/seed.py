"""The emulated Odoo's data: `build_world(seed)` fills a `Database` deterministically.

It projects the neutral seeded world (`erp_backends.emulation.world.seed_world`), which
the HubSpot and WooCommerce emulators project too, into Odoo's tables, and adds what
only Odoo has: every country, the US states used, four currencies, six units, journals
and taxes, the company's own partners (OdooBot among them), stock locations and
warehouses, and credit limits for most companies (from Odoo's own generator). The
world: 240 customer companies in eight countries (some with delivery and invoice
addresses); two warehouses with stock; 500 products for sale (plus 12 archived, 8 not
for sale); 5,000 sales orders with their lines, invoices, credit notes and payments.
About 10% of the orders came from the web shop and carry its order number as their
customer reference ("SHOP-1001" onwards, in date order), which the WooCommerce
emulator shows as its orders. Dates count back from the world's `ANCHOR`, never from
today. The world numbers its products, orders, invoices and payments in the order they
are inserted here, so those numbers are their Odoo ids.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Sequence
from typing import Any

import pycountry

from erp_backends.emulation.world import seed_world
from erp_backends.emulation.world.data import COUNTRIES, US_STATES
from erp_backends.emulation.world.products import Product, StockLevel
from erp_backends.odoo.emulator.db import Database
from erp_backends.odoo.emulator.models import MODELS
from erp_backends.odoo.emulator.seed_invoices import insert_invoices
from erp_backends.odoo.emulator.seed_partners import (
    Refs,
    company_and_users,
    insert_customers,
    seed_credit,
)
from erp_backends.odoo.emulator.seed_sales import SalesRefs, close_orders, insert_orders

_CURRENCIES = (
    ("EUR", "€", "Euro", "after"),
    ("USD", "$", "United States dollar", "before"),
    ("GBP", "£", "British pound", "before"),
    ("CHF", "CHF", "Swiss franc", "after"),
)
_EURO_AREA = frozenset("AT BE CY DE EE ES FI FR GR HR IE IT LT LU LV MT NL PT SI SK".split())
_UNITS = ("Units", "Dozens", "kg", "L", "m", "Hours")


def build_world(seed: int) -> Database:
    """A complete emulated Odoo database, the same for the same seed."""
    # The seed allocates ~60,000 acyclic dicts; pausing the cyclic collector, which
    # would rescan them again and again, halves the build time.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(seed)
    finally:
        if was_enabled:
            gc.enable()


def _build(seed: int) -> Database:
    world = seed_world(seed)
    db, refs = Database(MODELS), Refs()
    _reference_data(db, refs)
    company_and_users(db, refs)
    customers = insert_customers(db, refs, world.customers)
    _stock_places(db, refs)
    _products(db, refs, world.products)
    _quants(db, refs, world.stock)
    journals = {
        method: (refs[f"journal:{code}"], code)
        for method, code in (("bank", "BNK1"), ("card", "CARD"), ("cash", "CSH1"))
    }
    units = {unit: refs[f"uom:{unit}"] for unit in _UNITS}
    line_ids = insert_orders(db, world.orders, customers, units)
    sales = SalesRefs(refs["journal:INV"], journals)
    refunds = insert_invoices(db, world.invoices, world.payments, customers, sales)
    close_orders(db, world.orders, line_ids, refunds)
    seed_credit(db, refs, customers, random.Random(f"{seed}:credit"))
    for spec in MODELS:
        db.insert("ir.model", {"model": spec.name, "name": spec.description})
    return db


def _reference_data(db: Database, refs: Refs) -> None:
    for code, symbol, full_name, position in _CURRENCIES:
        refs[f"currency:{code}"] = db.insert(
            "res.currency",
            {
                "name": code,
                "symbol": symbol,
                "full_name": full_name,
                "position": position,
                "rounding": 0.01,
                "decimal_places": 2,
                "active": True,
            },
        )
    own_currency = {"US": "USD", "GB": "GBP", "CH": "CHF"}
    for country in pycountry.countries:
        code = country.alpha_2
        currency = own_currency.get(code, "EUR" if code in _EURO_AREA else None)
        refs[f"country:{code}"] = db.insert(
            "res.country",
            {
                "name": getattr(country, "common_name", None) or country.name,
                "code": code,
                "currency_id": refs[f"currency:{currency}"] if currency else None,
            },
        )
    for code, name in US_STATES.items():
        refs[f"state:{code}"] = db.insert(
            "res.country.state",
            {
                "name": name,
                "code": code,
                "country_id": refs["country:US"],
                "display_name": f"{name} (US)",
            },
        )
    for unit in _UNITS:
        refs[f"uom:{unit}"] = db.insert("uom.uom", {"name": unit, "active": True})
    for name, code, kind in (
        ("Customer Invoices", "INV", "sale"),
        ("Bank", "BNK1", "bank"),
        ("Cash", "CSH1", "cash"),
        ("Card", "CARD", "bank"),
    ):
        refs[f"journal:{code}"] = db.insert(
            "account.journal", {"name": name, "code": code, "type": kind, "active": True}
        )
    for style in COUNTRIES:
        kind = "Sales Tax" if style.code == "US" else "VAT"
        refs[f"tax:{style.code}"] = db.insert(
            "account.tax",
            {
                "name": f"{kind} {style.tax_rate:g}% ({style.code})",
                "amount": style.tax_rate,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "country_id": refs[f"country:{style.code}"],
                "active": True,
            },
        )


def _stock_places(db: Database, refs: Refs) -> None:
    locations = (
        ("Physical Locations", None, "view"),
        ("Partners", None, "view"),
        ("Virtual Locations", None, "view"),
        ("Vendors", "Partners", "supplier"),
        ("Customers", "Partners", "customer"),
        ("Inventory adjustment", "Virtual Locations", "inventory"),
        ("WH", "Physical Locations", "view"),
        ("Stock", "WH", "internal"),
        ("CHI", "Physical Locations", "view"),
        ("Stock", "CHI", "internal"),
    )
    for name, parent, usage in locations:
        complete = f"{parent}/{name}" if parent and parent != "Physical Locations" else name
        refs[f"location:{complete}"] = db.insert(
            "stock.location",
            {
                "name": name,
                "complete_name": complete,
                "usage": usage,
                "active": True,
                "location_id": refs[f"location:{parent}"] if parent else None,
            },
        )
    for name, code in (("San Francisco", "WH"), ("Chicago", "CHI")):
        stock = refs[f"location:{code}/Stock"]
        warehouse = db.insert(
            "stock.warehouse",
            {
                "name": name,
                "code": code,
                "lot_stock_id": stock,
                "active": True,
            },
        )
        refs[f"warehouse:{code}"] = warehouse
        for location in (refs[f"location:{code}"], stock):
            db.update("stock.location", location, {"warehouse_id": warehouse})
        customers = refs["location:Partners/Customers"]
        for sequence, (kind, prefix, label, source, destination) in enumerate(
            (
                ("incoming", "IN", "Receipts", None, stock),
                ("outgoing", "OUT", "Delivery Orders", stock, customers),
            ),
            1,
        ):
            db.insert(
                "stock.picking.type",
                {
                    "name": label,
                    "code": kind,
                    "sequence_code": prefix,
                    "warehouse_id": warehouse,
                    "default_location_src_id": source,
                    "default_location_dest_id": destination,
                    "sequence": sequence,
                    "active": True,
                    "display_name": f"{name}: {label}",
                },
            )


def _products(db: Database, refs: Refs, products: Sequence[Product]) -> None:
    """The world's products, by their numbers as ids; an archived predecessor is a copy
    of its successor's record, as Odoo's duplicate would be."""
    records = db.table("product.product").records
    for product in products:
        if product.predecessor_of is None:
            values = _product_values(refs, product)
        else:
            price = product.price
            values = {
                **records[product.predecessor_of],
                "id": None,
                "name": product.name,
                "default_code": product.sku,
                "barcode": None,
                "display_name": product.display_name,
                "lst_price": price,
                "list_price": price,
                "active": False,
            }
        product_id = db.insert("product.product", values)
        assert product_id == product.number


def _product_values(refs: Refs, product: Product) -> dict[str, Any]:
    values = {
        "name": product.name,
        "default_code": product.sku,
        "display_name": product.display_name,
        "lst_price": product.price,
        "list_price": product.price,
        "standard_price": product.cost,
        "type": "service" if product.service else "consu",
        "is_storable": product.storable,
        "sale_ok": product.for_sale,
        "purchase_ok": not product.service,
        "active": True,
        "currency_id": refs["currency:EUR"],
        "weight": product.weight,
        "qty_available": 0.0,
        "free_qty": 0.0,
        "virtual_available": 0.0,
        "uom_id": refs[f"uom:{product.unit}"],
    }
    if product.barcode is not None:
        values["barcode"] = product.barcode
    return values


def _quants(db: Database, refs: Refs, stock: Sequence[StockLevel]) -> None:
    products = db.table("product.product").records
    totals: dict[int, tuple[float, float]] = {
        product["id"]: (0.0, 0.0) for product in products.values() if product["is_storable"]
    }
    for level in stock:
        product, code = products[level.product.number], level.warehouse
        quantity, reserved = level.quantity, level.reserved
        db.insert(
            "stock.quant",
            {
                "product_id": product["id"],
                "location_id": refs[f"location:{code}/Stock"],
                "warehouse_id": refs[f"warehouse:{code}"],
                "quantity": quantity,
                "reserved_quantity": reserved,
                "available_quantity": round(quantity - reserved, 2),
                "product_uom_id": product["uom_id"],
                "display_name": f"{code}/Stock - {product['default_code']}",
            },
        )
        on_hand, free = totals[product["id"]]
        totals[product["id"]] = (on_hand + quantity, free + quantity - reserved)
    for product_id, (on_hand, free) in totals.items():
        db.update(
            "product.product",
            product_id,
            {
                "qty_available": round(on_hand, 2),
                "free_qty": round(free, 2),
                "virtual_available": round(on_hand, 2),
            },
        )
