"""The world's products and their stock: 500 products for sale in eight catalogs (plus
12 archived predecessors and 8 packaging items not for sale), stocked in two warehouses.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from itertools import product as combinations

from erp_backends.emulation.world.data import CATALOGS, DOZEN_NOUNS, RETIRED_PRODUCTS, Catalog

# The warehouses, by code: the products' stock is kept in these two.
WAREHOUSES = (("WH", "San Francisco"), ("CHI", "Chicago"))


@dataclass(frozen=True)
class Product:
    # The world's own number, 1 onwards in creation order (Odoo's projection inserts the
    # products in this order, so its product ids happen to be these numbers).
    number: int
    sku: str
    name: str
    price: float  # in EUR
    cost: float
    service: bool
    storable: bool  # its stock is counted
    for_sale: bool
    weight: float  # kg
    unit: str  # "Units", "Dozens", "kg", "L", "m" or "Hours"
    barcode: str | None
    active: bool = True
    predecessor_of: int | None = None  # the number of the product that replaced it

    @property
    def display_name(self) -> str:
        return f"[{self.sku}] {self.name}"


@dataclass(frozen=True)
class StockLevel:
    product: Product
    warehouse: str  # its code, in WAREHOUSES
    quantity: float
    reserved: float


def draw_products(rng: random.Random) -> list[Product]:
    products: list[Product] = []
    barcodes: set[str] = set()
    for catalog in CATALOGS:
        names = rng.sample(list(combinations(catalog.nouns, catalog.variants)), catalog.count)
        for number, (noun, variant) in enumerate(names, 1):
            sku = f"{catalog.prefix}-{number:04d}"
            product = _product(rng, catalog, len(products) + 1, f"{noun} {variant}", sku)
            unit = "Dozens" if noun in DOZEN_NOUNS else catalog.uom
            barcode = None
            if not catalog.service and rng.random() < 0.88:
                barcode = _ean13(rng, barcodes)
            products.append(replace(product, unit=unit, barcode=barcode))
    for product in rng.sample([p for p in products if p.for_sale], RETIRED_PRODUCTS):
        products.append(_retired(product, len(products) + 1))
    return products


def _product(rng: random.Random, catalog: Catalog, number: int, name: str, sku: str) -> Product:
    low, high = catalog.price
    price = round(rng.uniform(low, high), 2)
    if price > 20:
        price = round(price) + rng.choice((0.0, 0.5, 0.9))
    cost = round(price * rng.uniform(0.45, 0.7), 2)
    storable = not catalog.service and rng.random() < 0.93
    weight = 0.0 if catalog.service else round(rng.uniform(0.05, 40), 2)
    return Product(
        number=number,
        sku=sku,
        name=name,
        price=price,
        cost=cost,
        service=catalog.service,
        storable=storable,
        for_sale=catalog.for_sale,
        weight=weight,
        unit=catalog.uom,
        barcode=None,
    )


def _retired(product: Product, number: int) -> Product:
    """An archived predecessor of `product`, sold in old orders."""
    return replace(
        product,
        number=number,
        name=f"{product.name} (previous model)",
        sku=f"{product.sku}-P",
        barcode=None,
        price=round(product.price * 0.9, 2),
        active=False,
        predecessor_of=product.number,
    )


def _ean13(rng: random.Random, taken: set[str]) -> str:
    while True:
        body = "54" + "".join(str(rng.randint(0, 9)) for _ in range(10))
        total = sum(int(d) * (3 if n % 2 else 1) for n, d in enumerate(body))
        code = body + str(-total % 10)
        if code not in taken:
            taken.add(code)
            return code


def draw_stock(rng: random.Random, products: list[Product]) -> list[StockLevel]:
    """Each storable product's stock in each warehouse where it was ever stocked."""
    levels = []
    for product in products:
        if not product.storable:
            continue
        for code, _name in WAREHOUSES:
            draw = rng.random()
            if draw < 0.12:
                continue  # never stocked there
            unit = product.unit
            quantity = 0.0 if draw < 0.22 else _stock_quantity(rng, unit)
            reserved = 0.0
            if quantity and rng.random() < 0.4:
                reserved = round(
                    quantity * rng.uniform(0.05, 0.3), 0 if unit in ("Units", "Dozens") else 1
                )
            levels.append(StockLevel(product, code, quantity, reserved))
    return levels


def _stock_quantity(rng: random.Random, unit: str) -> float:
    if unit in ("Units", "Dozens"):
        return float(rng.randint(1, 400 if unit == "Units" else 80))
    return round(rng.uniform(5, 2000 if unit == "m" else 800), 1)
