"""The neutral seeded world every system's emulator projects into its own shapes.

`seed_world(seed)` draws, deterministically, what the company behind the emulated
systems knows, in no system's shape: its customers (companies with addresses, emails
and countries), its products (SKUs, units, prices) and their stock in two warehouses,
two years of sales orders with their lines, the invoices, credit notes and payments,
and the web shop's order numbers. The Odoo emulator inserts it into its tables, the
HubSpot emulator builds its CRM around the customers and their orders, the WooCommerce
emulator its shop around the products, the customers and the shop's orders; each adds
its own details from its own generator. No system's emulator imports another's.

The same seed always gives the same world: each part draws from its own generator,
seeded with the seed and the part's name, and dates count back from a fixed `ANCHOR`,
never from today. The draws keep the order in which the Odoo emulator's seed used to
make them, so the numbers the world gives its records (products, orders, invoices,
payments, in creation order) happen to be the ids Odoo's projection gives them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from erp_backends.emulation.world.accounting import (
    Invoice,
    Payment,
    draw_invoices,
    draw_payments,
)
from erp_backends.emulation.world.parties import Customer, draw_customers
from erp_backends.emulation.world.products import Product, StockLevel, draw_products, draw_stock
from erp_backends.emulation.world.sales import SaleOrder, draw_orders, draw_upsells


@dataclass(frozen=True)
class World:
    """Everything the company knows, each list in creation order."""

    seed: int
    customers: list[Customer]
    products: list[Product]
    stock: list[StockLevel]
    orders: list[SaleOrder]
    invoices: list[Invoice]  # in date order
    payments: list[Payment]  # in date order


def seed_world(seed: int) -> World:
    """The world for `seed`, the same for the same seed."""
    customers = draw_customers(random.Random(f"{seed}:partners"))
    products = draw_products(random.Random(f"{seed}:products"))
    stock = draw_stock(random.Random(f"{seed}:stock"), products)
    rng = random.Random(f"{seed}:sales")
    orders = draw_orders(rng, customers, products, random.Random(f"{seed}:shop-numbers"))
    invoices = draw_invoices(rng, orders)
    payments = draw_payments(rng, invoices, customers)
    draw_upsells(rng, orders)
    return World(seed, customers, products, stock, orders, invoices, payments)
