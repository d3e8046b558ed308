"""The emulated Odoo's world: what it holds, that it is deterministic, that it is fast."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from erp_backends.odoo.emulator.db import Database
from erp_backends.odoo.emulator.methods import environment
from erp_backends.odoo.emulator.models import MODELS, PAYMENT_STATES
from erp_backends.odoo.emulator.seed import build_world

REPO = Path(__file__).resolve().parents[3]
CUSTOMERS = [["customer_rank", ">", 0], ["parent_id", "=", False]]
LINE_FIELDS = (
    "order_id product_id name product_uom_qty price_unit discount price_subtotal price_total"
    " qty_delivered qty_invoiced currency_id"
).split()
DIGEST = (
    "import hashlib; from erp_backends.odoo.emulator.seed import build_world;"
    "from erp_backends.odoo.emulator.models import MODELS; db = build_world(1);"
    "print(hashlib.sha256(repr([db.table(m.name).records for m in MODELS]).encode()).hexdigest())"
)


def call(
    url: str, model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None = None
) -> Any:
    envelope = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": ["demo", 2, "admin", model, method, args, kwargs or {}],
        },
    }
    body = httpx.post(f"{url}/jsonrpc", json=envelope, timeout=30).json()
    assert "error" not in body, body.get("error")
    return body["result"]


def count(url: str, model: str, domain: list[Any], **kwargs: Any) -> int:
    return int(call(url, model, "search_count", [domain], kwargs))


@pytest.fixture(scope="module")
def world():
    return build_world(1)


def digest(db: Database) -> str:
    return hashlib.sha256(repr([db.table(m.name).records for m in MODELS]).encode()).hexdigest()


# --- what the world holds --------------------------------------------------------------


def test_world_has_the_promised_sizes(odoo_emulator_url):
    url = odoo_emulator_url
    everything = {"context": {"active_test": False}}
    assert count(url, "res.partner", [*CUSTOMERS, ["is_company", "=", True]]) >= 200
    assert count(url, "product.product", [["sale_ok", "=", True]]) == 500
    assert count(url, "product.product", [], **everything) == 520
    assert count(url, "stock.warehouse", []) == 2
    internal = [["usage", "=", "internal"], ["warehouse_id", "!=", False]]
    assert count(url, "stock.location", internal) == 2
    assert count(url, "sale.order", []) == 5000
    assert count(url, "res.country", []) >= 240


def test_customers_live_in_at_least_six_countries_with_us_states(odoo_emulator_url):
    rows = call(
        odoo_emulator_url,
        "res.partner",
        "search_read",
        [CUSTOMERS],
        {"fields": ["country_id", "state_id"]},
    )
    codes = {row["country_id"][1] for row in rows}
    expected = {"United States", "Belgium", "Germany", "France", "Netherlands", "United Kingdom"}
    assert expected <= codes
    us = [row for row in rows if row["country_id"][1] == "United States"]
    assert all(row["state_id"] and row["state_id"][1].endswith("(US)") for row in us)


def test_child_addresses_show_their_company_in_the_display_name(odoo_emulator_url):
    addresses = [["type", "in", ["delivery", "invoice"]]]
    query = {"fields": ["display_name", "parent_id", "customer_rank"], "limit": 20}
    rows = call(odoo_emulator_url, "res.partner", "search_read", [addresses], query)
    assert rows
    for row in rows:
        assert row["display_name"].startswith(f"{row['parent_id'][1]}, ")
        assert row["customer_rank"] == 0


@pytest.mark.parametrize("payment_state", [state for state, _label in PAYMENT_STATES])
def test_every_payment_state_occurs(odoo_emulator_url, payment_state):
    domain = [["move_type", "=", "out_invoice"], ["payment_state", "=", payment_state]]
    assert count(odoo_emulator_url, "account.move", domain) > 0


def test_payments_pay_invoices_and_some_are_advances(odoo_emulator_url):
    url = odoo_emulator_url
    assert count(url, "account.payment", [["invoice_ids", "!=", False]]) > 1000
    assert count(url, "account.payment", [["invoice_ids", "=", False]]) > 0
    assert count(url, "account.payment", [["state", "=", "in_process"]]) > 0


def test_lowest_id_customer_has_at_least_60_orders(odoo_emulator_url):
    query = {"limit": 1, "order": "id"}
    first = call(odoo_emulator_url, "res.partner", "search", [CUSTOMERS], query)
    assert count(odoo_emulator_url, "sale.order", [["partner_id", "=", first[0]]]) >= 60


def test_web_shop_orders_carry_unique_shop_numbers_in_date_order(world):
    orders = sorted(world.table("sale.order").records.values(), key=lambda o: o["id"])
    shop = [o for o in orders if o["origin"] == "Web Shop"]
    numbers = [int(o["client_order_ref"].removeprefix("SHOP-")) for o in shop]
    assert numbers[0] == 1001
    assert numbers == sorted(set(numbers))  # increasing, so unique
    assert [o["date_order"] for o in shop] == sorted(o["date_order"] for o in shop)
    others = [o["client_order_ref"] or "" for o in orders if o["origin"] != "Web Shop"]
    assert not any(ref.startswith("SHOP-") for ref in others)


def test_order_totals_add_up_from_their_lines(world):
    orders, lines = environment(world, "sale.order"), environment(world, "sale.order.line")
    totals = ["amount_untaxed", "amount_tax", "amount_total"]
    for order in orders.search_read([], totals, limit=200):
        rows = lines.search_read([["order_id", "=", order["id"]]], ["price_subtotal", "price_tax"])
        assert round(sum(r["price_subtotal"] for r in rows), 2) == order["amount_untaxed"]
        assert round(sum(r["price_tax"] for r in rows), 2) == order["amount_tax"]
        assert round(order["amount_untaxed"] + order["amount_tax"], 2) == order["amount_total"]


def test_residuals_follow_the_payments(world):
    moves, payments = environment(world, "account.move"), environment(world, "account.payment")
    partial = moves.search_read(
        [["payment_state", "=", "partial"]],
        ["amount_total", "amount_residual", "matched_payment_ids"],
        limit=20,
    )
    for move in partial:
        matched = payments.browse(move["matched_payment_ids"]).read(["amount"])
        paid = sum(p["amount"] for p in matched)
        assert 0 < move["amount_residual"] < move["amount_total"]
        assert round(move["amount_total"] - paid, 2) == move["amount_residual"]


# --- determinism and speed ---------------------------------------------------------------


def test_same_seed_same_world_different_seed_different_world(world):
    assert digest(build_world(1)) == digest(world)
    assert digest(build_world(2)) != digest(world)


@pytest.mark.slow
def test_world_does_not_depend_on_the_hash_seed(world):
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    argv = [sys.executable, "-c", DIGEST]
    out = subprocess.run(argv, cwd=REPO, env=env, check=True, capture_output=True, text=True)
    assert out.stdout.strip() == digest(world)
