"""The emulated shop's world: projected from the neutral world, which the Odoo emulator
projects too (so the shop is checked against Odoo's tables), deterministic and fast."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from erp_backends.emulation.world import seed_world
from erp_backends.odoo.emulator.seed import build_world
from erp_backends.woocommerce.emulator.seed import build_shop, derive_shop

REPO = Path(__file__).resolve().parents[3]
DIGEST = (
    "import hashlib; from erp_backends.woocommerce.emulator.seed import build_shop;"
    "w = build_shop(1);"
    "print(hashlib.sha256(repr([w.customers, w.orders, w.products]).encode()).hexdigest())"
)
SHOP_ONLY_STATUSES = {"pending", "on-hold", "cancelled", "failed", "processing"}


@pytest.fixture(scope="module")
def erp():
    return build_world(1)


@pytest.fixture(scope="module")
def shop():
    return derive_shop(seed_world(1))


def erp_customers(erp):
    partners = erp.table("res.partner").records.values()
    return [p for p in partners if p["parent_id"] is None and p["customer_rank"] > 0]


def erp_shop_orders(erp):
    orders = erp.table("sale.order").records.values()
    return {o["client_order_ref"]: o for o in orders if o["origin"] == "Web Shop"}


def digest(world) -> str:
    return hashlib.sha256(
        repr([world.customers, world.orders, world.products]).encode()
    ).hexdigest()


# --- the same world as the ERP -----------------------------------------------------------


def test_every_erp_shop_order_is_a_shop_order_with_the_same_buyer_and_total(erp, shop):
    partners = erp.table("res.partner").records
    currencies = {i: c["name"] for i, c in erp.table("res.currency").records.items()}
    orders = {o["number"]: o for o in shop.orders}
    for reference, erp_order in erp_shop_orders(erp).items():
        order = orders[reference.removeprefix("SHOP-")]
        assert order["total"] == f"{erp_order['amount_total']:.2f}"
        assert order["currency"] == currencies[erp_order["currency_id"]]
        email = partners[erp_order["partner_id"]]["email"] or ""
        assert order["billing"]["email"].lower() == email.lower()
        assert datetime.fromisoformat(order["date_created_gmt"]) < datetime.fromisoformat(
            erp_order["date_order"]
        )


def test_statuses_follow_the_erp(erp, shop):
    orders = {o["number"]: o for o in shop.orders}
    pairs = Counter(
        (erp_order["state"], orders[ref.removeprefix("SHOP-")]["status"])
        for ref, erp_order in erp_shop_orders(erp).items()
    )
    assert {status for (state, status) in pairs if state == "cancel"} == {"cancelled"}
    assert pairs["sale", "completed"] > 300
    assert pairs["sale", "processing"] > 0
    assert pairs["sale", "refunded"] > 0
    assert {status for (state, status) in pairs if state in ("draft", "sent")} == {"processing"}


def test_shop_numbers_are_order_ids_increasing_with_time(shop):
    assert all(o["number"] == str(o["id"]) for o in shop.orders)
    ids = [o["id"] for o in shop.orders]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    dates = [o["date_created_gmt"] for o in shop.orders]
    assert dates == sorted(dates)


def test_shop_only_orders_belong_to_accounts_or_guests(erp, shop):
    in_erp = {ref.removeprefix("SHOP-") for ref in erp_shop_orders(erp)}
    accounts = {c["id"] for c in shop.customers}
    only_here = [o for o in shop.orders if o["number"] not in in_erp]
    assert 100 < len(only_here) < 300
    assert {o["status"] for o in only_here} == SHOP_ONLY_STATUSES
    assert all(o["customer_id"] == 0 or o["customer_id"] in accounts for o in only_here)
    assert any(o["customer_id"] == 0 for o in only_here)
    # The paid orders the ERP has not imported yet are the newest of all.
    processing = [o for o in only_here if o["status"] == "processing"]
    assert min(o["id"] for o in processing) > max(int(n) for n in in_erp)


def test_about_70_percent_of_erp_customers_have_an_account_under_their_email(erp, shop):
    emails = {p["email"].lower() for p in erp_customers(erp) if p["email"]}
    accounts = {c["email"].lower() for c in shop.customers}
    share = len(emails & accounts) / len(emails)
    assert 0.6 < share < 0.8
    assert any(c["email"] != c["email"].lower() for c in shop.customers)  # typed with capitals
    assert len(accounts - emails) > 0  # private buyers the ERP never saw


def test_accounts_are_registered_before_their_first_order(shop):
    first_order: dict[int, str] = {}
    for order in shop.orders:
        first_order.setdefault(order["customer_id"], order["date_created_gmt"])
    for customer in shop.customers:
        if customer["id"] in first_order:
            assert customer["date_created_gmt"] < first_order[customer["id"]]
    assert len({c["username"] for c in shop.customers}) == len(shop.customers)


def test_products_are_the_erps_by_sku_with_stock_mostly_in_sync(erp, shop):
    products = erp.table("product.product").records.values()
    for_sale = {p["default_code"]: p for p in products if p["sale_ok"] and p["active"]}
    available: Counter[int] = Counter()
    for quant in erp.table("stock.quant").records.values():
        available[quant["product_id"]] += quant["quantity"] - quant["reserved_quantity"]
    assert 0.7 < len(shop.products) / len(for_sale) < 0.9
    in_sync = managed = 0
    for listing in shop.products:
        product = for_sale[listing["sku"]]
        assert listing["regular_price"] == f"{product['lst_price']:.2f}"
        assert listing["manage_stock"] == product["is_storable"]
        if listing["manage_stock"]:
            managed += 1
            in_sync += listing["stock_quantity"] == int(available[product["id"]])
        else:
            assert listing["stock_quantity"] is None
    assert 0.75 < in_sync / managed < 0.95
    assert {p["status"] for p in shop.products} == {"publish", "draft"}


def test_dates_come_in_site_time_and_gmt(shop):
    order = shop.orders[0]
    local = datetime.fromisoformat(order["date_created"])
    gmt = datetime.fromisoformat(order["date_created_gmt"])
    assert (local - gmt).total_seconds() in (3600, 7200)  # Europe/Brussels


# --- determinism and speed ---------------------------------------------------------------


def test_same_seed_same_shop_different_seed_different_shop(shop):
    assert digest(build_shop(1)) == digest(shop)
    assert digest(build_shop(2)) != digest(shop)


@pytest.mark.slow
def test_shop_does_not_depend_on_the_hash_seed(shop):
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    argv = [sys.executable, "-c", DIGEST]
    out = subprocess.run(argv, cwd=REPO, env=env, check=True, capture_output=True, text=True)
    assert out.stdout.strip() == digest(shop)
