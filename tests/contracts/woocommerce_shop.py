"""WooCommerce under the shop contract: the adapter opened as the gateway opens it,
against the seed-1 emulator in-process, and the facts of its data.

The facts come from the neutral world (`seed_world`): the ERP customers' emails, the
orders that came from the shop (their numbers, totals and buyers), the products' SKUs
and names. Which customers have a shop account and which products the shop lists the
world does not say (the emulator draws it), so that is read from the emulator's own
projection of the world, never through the adapter under test.
"""

from __future__ import annotations

import functools
from contextlib import AsyncExitStack
from decimal import Decimal

import httpx
import pytest

from erp_backends.emulation.world import seed_world
from erp_backends.emulation.world.sales import SaleOrder
from erp_backends.models import Money
from erp_backends.woocommerce.emulator.seed import derive_shop
from gateway.wiring.backends import backend_http, open_shop
from tests.contracts.shop_world import ShopFacts, ShopOrderFact, ShopUnderTest
from tests.harness import emulated_backend

SEED = 1  # that of the session's `woocommerce_emulator_app` (tests/conftest.py)


async def open_woocommerce(request: pytest.FixtureRequest, stack: AsyncExitStack) -> ShopUnderTest:
    app = request.getfixturevalue("woocommerce_emulator_app")
    settings = emulated_backend("shop", "woocommerce", "http://shop.in-process")
    http = await backend_http(settings, stack, transport=httpx.ASGITransport(app=app))
    return ShopUnderTest(open_shop(settings, http), woocommerce_facts())


@functools.cache
def woocommerce_facts() -> ShopFacts:
    world = seed_world(SEED)
    shop = derive_shop(world)
    accounts = {str(c["email"]).lower() for c in shop.customers}
    listed = {str(p["sku"]) for p in shop.products}

    from_shop = [o for o in world.orders if o.shop_number is not None and o.customer.email]
    by_email: dict[str, list[SaleOrder]] = {}
    for order in from_shop:
        assert order.customer.email is not None
        by_email.setdefault(order.customer.email, []).append(order)
    # The busiest buyers with an account, and a few buyers without one (guest checkouts).
    busiest = sorted(by_email, key=lambda email: -len(by_email[email]))
    with_account = [email for email in busiest if email.lower() in accounts][:3]
    guests = [email for email in busiest if email.lower() not in accounts][:3]
    no_account = [c.email for c in world.customers if c.email and c.email.lower() not in accounts]

    products = world.products
    return ShopFacts(
        accounts={email: _numbers(by_email[email]) for email in with_account},
        no_account=tuple(no_account[:5]),
        orders={
            str(order.shop_number): ShopOrderFact(
                _money(order.total, order.currency), email, guest=email in guests
            )
            for email in [*with_account, *guests]
            for order in by_email[email]
        },
        listed={p.sku: p.name for p in products[:40] if p.sku in listed},
        # Archived products and products not for sale among them: the shop never lists those.
        unlisted=tuple(p.sku for p in products if p.sku not in listed),
    )


def _numbers(orders: list[SaleOrder]) -> tuple[str, ...]:
    return tuple(str(order.shop_number) for order in orders)


def _money(amount: float, currency: str) -> Money:
    return Money(Decimal(repr(amount)).quantize(Decimal("0.01")), currency)
