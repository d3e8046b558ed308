"""Concurrent orders never oversell stock nor overspend credit (the reservation ledger,
gateway/commands/ledger.py), over HTTP against the Odoo emulator: within one gateway,
and across two gateway processes that share a Redis queue."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from decimal import ROUND_DOWN, Decimal

import httpx
import pytest
from redis import Redis

from gateway.config import CacheSettings
from resolvers.node import encode_id
from tests.commands.conftest import STAFF, SYNC_WAIT_MS, customer_token
from tests.harness import (
    data_of,
    graphql,
    odoo_rpc,
    odoo_settings,
    own_queue,
    serve_gateway_process,
)
from tests.harness import running_gateway as serve_gateway

# Starts an emulator and gateways on sockets, and workers.
pytestmark = pytest.mark.slow

PLACE = """mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    receipt { commandId status }
    userErrors { field code message } } }"""
RACERS = 20


def place(gateway, lines, customer, token=STAFF):
    variables = {"input": {"customerId": customer, "lines": lines}}
    return data_of(graphql(gateway, PLACE, variables, token=token))["placeOrder"]


def race(gateways, lines, customer, racers=RACERS, token=STAFF):
    """`racers` identical orders at once, spread over the gateways: their payloads."""
    with ThreadPoolExecutor(racers) as pool:
        calls = [
            pool.submit(place, gateways[n % len(gateways)], lines, customer, token)
            for n in range(racers)
        ]
        return [call.result() for call in calls]


def accepted(payloads):
    return [p for p in payloads if p["receipt"] is not None]


def refused_codes(payloads):
    return {e["code"] for p in payloads if p["receipt"] is None for e in p["userErrors"]}


def commercial_customer(odoo, *, offset=0):
    """A company (or a person without one) that has no credit limit."""
    domain = [["customer_rank", ">", 0], ["parent_id", "=", False]]
    domain += [["use_partner_credit_limit", "=", False]]
    options = {"fields": ["id"], "limit": 1, "offset": offset, "order": "id"}
    [row] = odoo_rpc(odoo, "res.partner", "search_read", [domain], options)
    return row["id"]


def stocked_product(gateway):
    """A product sold by the unit with at least 20 available: (sku, id, available)."""
    query = """{ products(first: 100) { nodes { id sku salesUnit
                                                stock { available { value } } } } }"""
    nodes = data_of(graphql(gateway, query, token=STAFF))["products"]["nodes"]
    for node in nodes:
        stock = node["stock"]  # null for a product without stock, such as a service
        if stock and node["salesUnit"] == "C62":
            available = Decimal(stock["available"]["value"])
            if available >= 20:
                return node["sku"], node["id"], available
    raise AssertionError("the seeded world has stocked products")


def ordered_in_erp(odoo, sku, command_ids):
    """How much of `sku` the ERP holds in confirmed orders of these commands."""
    refs = [f"EGW-{command_id}" for command_id in command_ids]
    orders = odoo_rpc(
        odoo,
        "sale.order",
        "search_read",
        [[["client_order_ref", "in", refs], ["state", "=", "sale"]]],
        {"fields": ["id"]},
    )
    lines = odoo_rpc(
        odoo,
        "sale.order.line",
        "search_read",
        [[["order_id", "in", [o["id"] for o in orders]], ["product_id.default_code", "=", sku]]],
        {"fields": ["product_uom_qty"]},
    )
    return sum((Decimal(str(line["product_uom_qty"])) for line in lines), Decimal(0))


def a_share_of(total: Decimal) -> Decimal:
    """More than a third of `total` and at most two fifths: exactly two fit."""
    return (total * Decimal("0.4")).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def test_twenty_concurrent_orders_take_only_the_stock_there_is(gateway, odoo):
    # given a product with `available` in stock and a customer without a credit limit
    sku, _, available = stocked_product(gateway)
    customer = encode_id("Customer", str(commercial_customer(odoo)))
    share = a_share_of(available)

    # when twenty orders of two fifths of it race
    payloads = race([gateway], [{"sku": sku, "quantity": str(share)}], customer)

    # then two are accepted, the others refused for stock, and the ERP holds two
    taken = accepted(payloads)
    assert len(taken) == 2, payloads
    assert {p["receipt"]["status"] for p in taken} == {"CONFIRMED"}
    assert refused_codes(payloads) == {"INSUFFICIENT_STOCK"}
    assert ordered_in_erp(odoo, sku, [p["receipt"]["commandId"] for p in taken]) == 2 * share


def test_a_figure_the_caller_may_not_read_is_not_in_the_user_error(gateway, odoo, catalogue):
    sku = catalogue["products"][0]["sku"]
    customer = catalogue["customers"][0]["id"]
    orders_only = customer_token(customer, scopes=frozenset({"orders:write", "products:read"}))
    lines = [{"sku": sku, "quantity": "1000000"}]

    [blind] = place(gateway, lines, None, token=orders_only)["userErrors"]
    [told] = place(gateway, lines, customer)["userErrors"]

    assert blind["code"] == told["code"] == "INSUFFICIENT_STOCK"
    assert "available" not in blind["message"]
    assert "available" in told["message"]


def credit_left(gateway, customer, sku) -> Decimal:
    """What staff (who may read invoices) are told is left of the customer's credit."""
    [error] = place(gateway, [{"sku": sku, "quantity": "1000"}] * 50, customer)["userErrors"]
    assert error["code"] == "CREDIT_LIMIT_EXCEEDED", error
    return Decimal(error["message"].rsplit("(", 1)[1].rstrip(")"))


def a_service(gateway) -> tuple[str, Decimal]:
    """A product without stock (credit is all an order of it holds): its SKU and price."""
    query = """{ products(first: 100) { nodes { sku listPrice { amount }
                                                stock { available { value } } } } }"""
    products = data_of(graphql(gateway, query, token=STAFF))["products"]["nodes"]
    service = next(p for p in products if p["stock"] is None)
    return service["sku"], Decimal(service["listPrice"]["amount"])


def with_credit_left(gateway, odoo, service, price, nth=0) -> tuple[str, Decimal]:
    """The `nth` customer with a credit limit and at least 20 prices of credit left: its
    id, and the credit left."""
    domain = [
        ["customer_rank", ">", 0],
        ["parent_id", "=", False],
        ["use_partner_credit_limit", "=", True],
        ["credit_limit", ">", 0],
    ]
    options = {"fields": ["id"], "order": "id"}
    found = 0
    for row in odoo_rpc(odoo, "res.partner", "search_read", [domain], options):
        customer = encode_id("Customer", str(row["id"]))
        left = credit_left(gateway, customer, service)
        if left >= 20 * price:
            if found == nth:
                return customer, left
            found += 1
    raise AssertionError("the seeded world has customers with credit left")


def test_twenty_concurrent_orders_never_overspend_a_credit_limit(gateway, odoo):
    untracked, price = a_service(gateway)
    customer, left = with_credit_left(gateway, odoo, untracked, price)
    quantity = (a_share_of(left) / price).quantize(Decimal(1), rounding=ROUND_DOWN)

    payloads = race([gateway], [{"sku": untracked, "quantity": str(quantity)}], customer)

    assert len(accepted(payloads)) == 2, payloads
    assert refused_codes(payloads) == {"CREDIT_LIMIT_EXCEEDED"}


# --- Two gateway processes, one Redis -------------------------------------------------


@pytest.fixture(scope="module")
def two_gateways(tmp_path_factory, odoo, redis_url):
    """Two `serve` processes in front of the Odoo emulator, sharing a Redis database of
    their own (emptied: no other test's snapshots or commands) for queue and ledger."""
    shared = f"{redis_url.rsplit('/', 1)[0]}/7"
    redis = Redis.from_url(shared)
    redis.flushdb()
    folder = tmp_path_factory.mktemp("two-gateways")
    config = folder / "gateway.toml"
    config.write_text(f"""
[backends.erp]
kind = "odoo"
url = "{odoo}"
database = "demo"
credentials_env = "ODOO_API_KEY"
[auth]
store = "sqlite:///{folder}/auth.sqlite3"
[queue]
url = "{shared}"
sync_wait_ms = {SYNC_WAIT_MS}
""")
    first, one = serve_gateway_process(config, folder / "one.log")
    try:
        second, two = serve_gateway_process(config, folder / "two.log")
        try:
            yield [one, two]
        finally:
            second.terminate()
            second.wait(30)
    finally:
        first.terminate()
        first.wait(30)
        redis.flushdb()
        redis.close()


def test_two_gateway_processes_sharing_redis_never_oversell(two_gateways, odoo):
    sku, _, available = stocked_product(two_gateways[0])
    customer = encode_id("Customer", str(commercial_customer(odoo, offset=1)))
    share = a_share_of(available)

    payloads = race(two_gateways, [{"sku": sku, "quantity": str(share)}], customer)

    taken = accepted(payloads)
    assert len(taken) == 2, payloads
    assert refused_codes(payloads) == {"INSUFFICIENT_STOCK"}
    assert ordered_in_erp(odoo, sku, [p["receipt"]["commandId"] for p in taken]) == 2 * share


def test_two_gateway_processes_sharing_redis_never_overspend_credit(two_gateways, odoo):
    untracked, price = a_service(two_gateways[0])
    customer, left = with_credit_left(two_gateways[1], odoo, untracked, price, nth=1)
    quantity = (a_share_of(left) / price).quantize(Decimal(1), rounding=ROUND_DOWN)

    payloads = race(two_gateways, [{"sku": untracked, "quantity": str(quantity)}], customer)

    assert len(accepted(payloads)) == 2, payloads
    assert refused_codes(payloads) == {"CREDIT_LIMIT_EXCEEDED"}


def test_a_snapshot_is_read_once_for_a_burst_not_once_per_order(odoo, catalogue):
    """Acceptance spends no ERP call per order: with the catalogue and customers in the
    cache, and stock and credit in the ledger's snapshots, a burst costs nothing."""
    settings = replace(
        odoo_settings(odoo), cache=CacheSettings(), queue=own_queue(sync_wait_ms=0, worker=False)
    )
    customer = encode_id("Customer", str(commercial_customer(odoo)))
    most = max(catalogue["products"], key=lambda p: Decimal(p["stock"]["available"]["value"]))
    sku = most["sku"]
    with serve_gateway(settings) as gateway:
        place(gateway, [{"sku": sku, "quantity": "1"}], customer)  # warms the catalogue
        httpx.delete(f"{odoo}/_emulator/calls")
        payloads = race([gateway], [{"sku": sku, "quantity": "1"}], customer, racers=40)
        calls = httpx.get(f"{odoo}/_emulator/calls").json()
    assert len(accepted(payloads)) == 40, refused_codes(payloads)
    assert calls["total"] == 0, calls
