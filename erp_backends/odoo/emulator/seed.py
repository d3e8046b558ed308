"""The emulated Odoo's data: `build_world(seed)` fills a `Database` deterministically.

The same seed always gives the same world (each part draws from its own generator,
seeded with the seed and the part's name), and dates count back from a fixed
`ANCHOR`, never from today. The world: every country, the US states used, four
currencies, six units, journals and taxes; 240 customer companies in eight countries
(some with delivery and invoice addresses); two warehouses with stock; 500 products
for sale (plus 12 archived, 8 not for sale); 5,000 sales orders with their lines,
invoices, credit notes and payments; credit limits for most companies. About 10% of the
orders came from the web shop and carry its order number as their customer reference
("SHOP-1001" onwards, in date order), which the WooCommerce emulator's world (derived
from this one) shows as its orders.
"""

from __future__ import annotations

import gc
import random
from itertools import product as combinations
from typing import Any

import pycountry

from erp_backends.odoo.emulator.db import Database
from erp_backends.odoo.emulator.models import MODELS
from erp_backends.odoo.emulator.seed_data import (
    CATALOGS,
    COUNTRIES,
    DOZEN_NOUNS,
    RETIRED_PRODUCTS,
    US_STATES,
    Catalog,
)
from erp_backends.odoo.emulator.seed_invoices import seed_invoices
from erp_backends.odoo.emulator.seed_partners import (
    Refs,
    company_and_users,
    seed_credit,
    seed_customers,
)
from erp_backends.odoo.emulator.seed_sales import SalesRefs, close_orders, seed_orders

_CURRENCIES = (
    ("EUR", "€", "Euro", "after"), ("USD", "$", "United States dollar", "before"),
    ("GBP", "£", "British pound", "before"), ("CHF", "CHF", "Swiss franc", "after"),
)  # fmt: skip
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
    db, refs = Database(MODELS), Refs()
    _reference_data(db, refs)
    company_and_users(db, refs)
    customers = seed_customers(db, refs, random.Random(f"{seed}:partners"))
    _stock_places(db, refs)
    _products(db, refs, random.Random(f"{seed}:products"))
    _quants(db, refs, random.Random(f"{seed}:stock"))
    payment_journals = tuple(
        (refs[f"journal:{code}"], code, weight)
        for code, weight in (("BNK1", 75), ("CARD", 20), ("CSH1", 5))
    )
    sales = SalesRefs(refs["journal:INV"], payment_journals)
    rng = random.Random(f"{seed}:sales")
    orders = seed_orders(db, rng, customers, random.Random(f"{seed}:shop-numbers"))
    seed_invoices(db, rng, orders, customers, sales)
    close_orders(db, rng, orders)
    seed_credit(db, refs, customers, random.Random(f"{seed}:credit"))
    return db


def _reference_data(db: Database, refs: Refs) -> None:
    for code, symbol, full_name, position in _CURRENCIES:
        refs[f"currency:{code}"] = db.insert("res.currency", {
            "name": code, "symbol": symbol, "full_name": full_name, "position": position,
            "rounding": 0.01, "decimal_places": 2, "active": True,
        })  # fmt: skip
    own_currency = {"US": "USD", "GB": "GBP", "CH": "CHF"}
    for country in pycountry.countries:
        code = country.alpha_2
        currency = own_currency.get(code, "EUR" if code in _EURO_AREA else None)
        refs[f"country:{code}"] = db.insert("res.country", {
            "name": getattr(country, "common_name", None) or country.name, "code": code,
            "currency_id": refs[f"currency:{currency}"] if currency else None,
        })  # fmt: skip
    for code, name in US_STATES.items():
        refs[f"state:{code}"] = db.insert("res.country.state", {
            "name": name, "code": code, "country_id": refs["country:US"],
            "display_name": f"{name} (US)",
        })  # fmt: skip
    for unit in _UNITS:
        refs[f"uom:{unit}"] = db.insert("uom.uom", {"name": unit, "active": True})
    for name, code, kind in (
        ("Customer Invoices", "INV", "sale"), ("Bank", "BNK1", "bank"),
        ("Cash", "CSH1", "cash"), ("Card", "CARD", "bank"),
    ):  # fmt: skip
        refs[f"journal:{code}"] = db.insert(
            "account.journal", {"name": name, "code": code, "type": kind, "active": True}
        )
    for style in COUNTRIES:
        kind = "Sales Tax" if style.code == "US" else "VAT"
        refs[f"tax:{style.code}"] = db.insert("account.tax", {
            "name": f"{kind} {style.tax_rate:g}% ({style.code})", "amount": style.tax_rate,
            "amount_type": "percent", "type_tax_use": "sale",
            "country_id": refs[f"country:{style.code}"], "active": True,
        })  # fmt: skip


def _stock_places(db: Database, refs: Refs) -> None:
    locations = (
        ("Physical Locations", None, "view"), ("Partners", None, "view"),
        ("Virtual Locations", None, "view"), ("Vendors", "Partners", "supplier"),
        ("Customers", "Partners", "customer"),
        ("Inventory adjustment", "Virtual Locations", "inventory"),
        ("WH", "Physical Locations", "view"), ("Stock", "WH", "internal"),
        ("CHI", "Physical Locations", "view"), ("Stock", "CHI", "internal"),
    )  # fmt: skip
    for name, parent, usage in locations:
        complete = f"{parent}/{name}" if parent and parent != "Physical Locations" else name
        refs[f"location:{complete}"] = db.insert("stock.location", {
            "name": name, "complete_name": complete, "usage": usage, "active": True,
            "location_id": refs[f"location:{parent}"] if parent else None,
        })  # fmt: skip
    for name, code in (("San Francisco", "WH"), ("Chicago", "CHI")):
        stock = refs[f"location:{code}/Stock"]
        warehouse = db.insert("stock.warehouse", {
            "name": name, "code": code, "lot_stock_id": stock, "active": True,
        })  # fmt: skip
        refs[f"warehouse:{code}"] = warehouse
        for location in (refs[f"location:{code}"], stock):
            db.update("stock.location", location, {"warehouse_id": warehouse})
        customers = refs["location:Partners/Customers"]
        for sequence, (kind, prefix, label, source, destination) in enumerate((
            ("incoming", "IN", "Receipts", None, stock),
            ("outgoing", "OUT", "Delivery Orders", stock, customers),
        ), 1):  # fmt: skip
            db.insert("stock.picking.type", {
                "name": label, "code": kind, "sequence_code": prefix, "warehouse_id": warehouse,
                "default_location_src_id": source, "default_location_dest_id": destination,
                "sequence": sequence, "active": True, "display_name": f"{name}: {label}",
            })  # fmt: skip


def _products(db: Database, refs: Refs, rng: random.Random) -> None:
    barcodes: set[str] = set()
    for catalog in CATALOGS:
        names = rng.sample(list(combinations(catalog.nouns, catalog.variants)), catalog.count)
        for number, (noun, variant) in enumerate(names, 1):
            code = f"{catalog.prefix}-{number:04d}"
            values = _product_values(rng, refs, catalog, f"{noun} {variant}", code)
            unit = "Dozens" if noun in DOZEN_NOUNS else catalog.uom
            values["uom_id"] = refs[f"uom:{unit}"]
            if not catalog.service and rng.random() < 0.88:
                values["barcode"] = _ean13(rng, barcodes)
            db.insert("product.product", values)
    _retired_products(db, rng)


def _retired_products(db: Database, rng: random.Random) -> None:
    products = db.table("product.product").records
    for product in rng.sample([p for p in products.values() if p["sale_ok"]], RETIRED_PRODUCTS):
        name, code = f"{product['name']} (previous model)", f"{product['default_code']}-P"
        price = round(product["lst_price"] * 0.9, 2)
        db.insert("product.product", {
            **product, "id": None, "name": name, "default_code": code, "barcode": None,
            "display_name": f"[{code}] {name}", "lst_price": price, "list_price": price,
            "active": False,
        })  # fmt: skip


def _product_values(
    rng: random.Random, refs: Refs, catalog: Catalog, name: str, code: str
) -> dict[str, Any]:
    low, high = catalog.price
    price = round(rng.uniform(low, high), 2)
    if price > 20:
        price = round(price) + rng.choice((0.0, 0.5, 0.9))
    return {
        "name": name, "default_code": code, "display_name": f"[{code}] {name}",
        "lst_price": price, "list_price": price,
        "standard_price": round(price * rng.uniform(0.45, 0.7), 2),
        "type": "service" if catalog.service else "consu",
        "is_storable": not catalog.service and rng.random() < 0.93,
        "sale_ok": catalog.for_sale, "purchase_ok": not catalog.service,
        "active": True, "currency_id": refs["currency:EUR"],
        "weight": 0.0 if catalog.service else round(rng.uniform(0.05, 40), 2),
        "qty_available": 0.0, "free_qty": 0.0, "virtual_available": 0.0,
    }  # fmt: skip


def _ean13(rng: random.Random, taken: set[str]) -> str:
    while True:
        body = "54" + "".join(str(rng.randint(0, 9)) for _ in range(10))
        total = sum(int(d) * (3 if n % 2 else 1) for n, d in enumerate(body))
        code = body + str(-total % 10)
        if code not in taken:
            taken.add(code)
            return code


def _quants(db: Database, refs: Refs, rng: random.Random) -> None:
    uoms = {i: u["name"] for i, u in db.table("uom.uom").records.items()}
    for product in list(db.table("product.product").records.values()):
        if not product["is_storable"]:
            continue
        on_hand = free = 0.0
        for code in ("WH", "CHI"):
            draw = rng.random()
            if draw < 0.12:
                continue  # never stocked there: no quant at all
            unit = uoms[product["uom_id"]]
            quantity = 0.0 if draw < 0.22 else _stock_quantity(rng, unit)
            reserved = 0.0
            if quantity and rng.random() < 0.4:
                reserved = round(
                    quantity * rng.uniform(0.05, 0.3), 0 if unit in ("Units", "Dozens") else 1
                )
            location = refs[f"location:{code}/Stock"]
            db.insert("stock.quant", {
                "product_id": product["id"], "location_id": location,
                "warehouse_id": refs[f"warehouse:{code}"], "quantity": quantity,
                "reserved_quantity": reserved, "available_quantity": round(quantity - reserved, 2),
                "product_uom_id": product["uom_id"],
                "display_name": f"{code}/Stock - {product['default_code']}",
            })  # fmt: skip
            on_hand, free = on_hand + quantity, free + quantity - reserved
        db.update("product.product", product["id"], {
            "qty_available": round(on_hand, 2), "free_qty": round(free, 2),
            "virtual_available": round(on_hand, 2),
        })  # fmt: skip


def _stock_quantity(rng: random.Random, unit: str) -> float:
    if unit in ("Units", "Dozens"):
        return float(rng.randint(1, 400 if unit == "Units" else 80))
    return round(rng.uniform(5, 2000 if unit == "m" else 800), 1)
