"""The emulated shop's data, projected from the neutral world of the same seed.

`build_shop(seed)` draws the neutral world (`erp_backends.emulation.world.seed_world`),
which the ERP emulator projects too, reads it, and draws the shop's own extras from
`random.Random(f"{seed}:woocommerce")`, so the same company shows the same customers,
orders and products in the shop and the ERP:

- customers: ~70% of the customer companies (those with an email) have a shop
  account under that email (a few typed with capitals), in the name of a contact person;
  plus a few private buyers the ERP never saw.
- products: ~80% of the active products for sale, by the same SKU and EUR price,
  some drafts, some on sale; stock is tracked for storable products and equals the
  world's available quantity (on hand minus reserved, over both warehouses, truncated to
  whole units as WooCommerce keeps stock) for most, but is out of sync for ~15%.
- orders: see `seed_orders`.

Everything is kept in WooCommerce's wire shapes, ready to be served. Dates count back
from the world's `ANCHOR`, never from today.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from erp_backends.emulation.world import World, seed_world
from erp_backends.emulation.world.data import ANCHOR
from erp_backends.emulation.world.products import Product
from erp_backends.woocommerce.emulator.seed_data import (
    CONSUMER_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    SITE_URL,
    money,
    slug,
    wire_dates,
)
from erp_backends.woocommerce.emulator.seed_orders import Buyer, consumer_address, plan_orders

Json = dict[str, Any]
ACCOUNT_SHARE = 0.7
LISTED_SHARE = 0.8
OUT_OF_SYNC_SHARE = 0.15
PRIVATE_ACCOUNTS = 25
FIRST_PRODUCT_ID = 12  # WordPress's own pages and posts come first
FIRST_CUSTOMER_ID = 2  # user 1 is the site's administrator


@dataclass
class ShopWorld:
    """What the shop holds, in WooCommerce's wire shapes, ids ascending."""

    customers: list[Json] = field(default_factory=list)
    orders: list[Json] = field(default_factory=list)
    products: list[Json] = field(default_factory=list)


def build_shop(seed: int) -> ShopWorld:
    """The shop of the company whose world is `seed_world(seed)`; same seed, same shop."""
    return derive_shop(seed_world(seed))


def derive_shop(world: World) -> ShopWorld:
    """The shop projected from the neutral world `world`."""
    rng = random.Random(f"{world.seed}:woocommerce")
    products = _products(world, rng)
    buyers = _erp_buyers(world, rng) + _private_buyers(rng)
    orders = plan_orders(world, rng, buyers, products)
    customers = _accounts(rng, buyers)  # numbers the accounts the orders point to
    return ShopWorld(customers, [order.wire() for order in orders], products)


# Customers ---------------------------------------------------------------------------


def _erp_buyers(world: World, rng: random.Random) -> list[Buyer]:
    """A contact person for every customer company; some have a shop account."""
    buyers = []
    for customer in world.customers:
        country, address = customer.country, customer.address
        first, last = rng.choice(FIRST_NAMES[country]), rng.choice(LAST_NAMES[country])
        email = customer.email
        has_account = email is not None and rng.random() < ACCOUNT_SHARE
        if email is not None and has_account and rng.random() < 0.1:
            email = email[0].upper() + email[1:]  # typed with a capital at sign-up
        wire_address = {
            "company": customer.name,
            "address_1": address.street or "",
            "address_2": address.street2 or "",
            "city": address.city or "",
            "state": address.state,
            "postcode": address.zip or "",
            "country": country,
        }
        buyers.append(
            Buyer(
                first,
                last,
                email or "",
                wire_address,
                customer.phone or "",
                customer_number=customer.number,
                has_account=has_account,
                currency=customer.currency,
            )
        )
    return buyers


def _private_buyers(rng: random.Random) -> list[Buyer]:
    """Private people with a shop account who never became ERP customers."""
    buyers = []
    for number in range(PRIVATE_ACCOUNTS):
        country = rng.choice(("BE", "DE", "FR", "NL"))
        first, last = rng.choice(FIRST_NAMES[country]), rng.choice(LAST_NAMES[country])
        email = f"{slug(first)}.{slug(last)}{number}@{rng.choice(CONSUMER_DOMAINS)}"
        address = consumer_address(country)
        buyers.append(
            Buyer(
                first,
                last,
                email,
                address,
                "",
                customer_number=None,
                has_account=True,
                currency="EUR",
            )
        )
    return buyers


def _accounts(rng: random.Random, buyers: list[Buyer]) -> list[Json]:
    """The shop accounts, numbered in the order people registered (WordPress user ids)."""
    holders = [b for b in buyers if b.has_account]
    for buyer in holders:
        latest = min(
            buyer.first_order or datetime.combine(ANCHOR, datetime.min.time()),
            datetime(2026, 9, 30, 12),
        )
        span = int((latest - datetime(2024, 1, 8)).total_seconds())
        buyer.registered = latest - timedelta(seconds=rng.randrange(3600, max(span, 3601)))
    holders.sort(key=lambda b: b.registered or datetime.min)
    for user_id, buyer in enumerate(holders, FIRST_CUSTOMER_ID):
        buyer.customer_id = user_id
    return [_account(buyer) for buyer in holders]


def _account(buyer: Buyer) -> Json:
    assert buyer.customer_id is not None
    assert buyer.registered is not None
    return {
        "id": buyer.customer_id,
        **wire_dates("date_created", buyer.registered),
        **wire_dates("date_modified", buyer.last_order or buyer.registered),
        "email": buyer.email,
        "first_name": buyer.first_name,
        "last_name": buyer.last_name,
        "role": "customer",
        "username": _username(buyer.email),
        "billing": buyer.billing(),
        "shipping": buyer.shipping(),
        "is_paying_customer": buyer.last_order is not None,
        "avatar_url": "https://secure.gravatar.com/avatar/?s=96&d=mm&r=g",
        "meta_data": [],
    }


def _username(email: str) -> str:
    """WordPress user names are unique: the mailbox and the domain's first label."""
    box, domain = email.lower().split("@")
    return f"{box}.{domain.split('.')[0]}"


# Products ----------------------------------------------------------------------------


def _products(world: World, rng: random.Random) -> list[Json]:
    available = _available_stock(world)
    products, post_id = [], FIRST_PRODUCT_ID
    for product in world.products:
        if not (product.for_sale and product.active) or rng.random() >= LISTED_SHARE:
            continue
        products.append(_listing(rng, product, post_id, available.get(product.number, 0.0)))
        post_id += rng.choice((1, 1, 2, 3))  # images and revisions take post ids too
    return products


def _available_stock(world: World) -> dict[int, float]:
    """Each product's stock on hand minus reserved, over both warehouses, by number."""
    available: dict[int, float] = {}
    for level in world.stock:
        free = level.quantity - level.reserved
        number = level.product.number
        available[number] = available.get(number, 0.0) + free
    return available


def _listing(rng: random.Random, product: Product, post_id: int, available: float) -> Json:
    created = datetime(2024, 6, 3, 9) + timedelta(minutes=post_id * 97 + rng.randrange(60))
    regular = product.price
    on_sale = rng.random() < 0.06
    price = round(regular * 0.9, 2) if on_sale else regular
    managed = product.storable
    stock = _listed_stock(rng, available) if managed else None
    name = product.name
    return {
        "id": post_id,
        "name": name,
        "slug": slug(name),
        "permalink": f"{SITE_URL}/product/{slug(name)}/",
        **wire_dates("date_created", created),
        **wire_dates("date_modified", created),
        "type": "simple",
        "status": "draft" if rng.random() < 0.07 else "publish",
        "featured": False,
        "catalog_visibility": "visible",
        "description": "",
        "short_description": "",
        "sku": product.sku,
        "price": money(price),
        "regular_price": money(regular),
        "sale_price": money(price) if on_sale else "",
        "on_sale": on_sale,
        "purchasable": True,
        "total_sales": 0,
        "virtual": product.service,
        "downloadable": False,
        "tax_status": "taxable",
        "tax_class": "",
        "manage_stock": managed,
        "stock_quantity": stock,
        "backorders": "no",
        "backorders_allowed": False,
        "backordered": False,
        "sold_individually": False,
        "stock_status": "outofstock" if stock == 0 else "instock",
        "weight": f"{product.weight:g}" if product.weight else "",
        "parent_id": 0,
        "categories": [{"id": 15, "name": "Uncategorized", "slug": "uncategorized"}],
        "meta_data": [],
    }


def _listed_stock(rng: random.Random, available: float) -> int:
    in_sync = int(available)  # WooCommerce keeps whole units (wc_stock_amount is intval)
    if rng.random() >= OUT_OF_SYNC_SHARE:
        return in_sync
    drift = rng.choice((-5, -3, -2, -1, 1, 2, 4, 8, 12))
    return in_sync + drift if in_sync + drift >= 0 else in_sync - drift
