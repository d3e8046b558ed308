"""One query across the ERP, the CRM and the shop: the three emulators over HTTP."""

from decimal import Decimal

import pytest

from tests.harness import EmulatorCalls, data_of, graphql
from tests.resolvers.queries import FEDERATED_360

CUSTOMERS_WITH_LINKS = """
query Links {
  customers(first: 100) {
    nodes { id email crm { contactId } shop { id orders(first: 1) { totalCount } } }
  }
}
"""


@pytest.fixture(scope="module")
def linked_customers(federated_gateway):
    return data_of(graphql(federated_gateway, CUSTOMERS_WITH_LINKS))["customers"]["nodes"]


@pytest.fixture(scope="module")
def shop_customer_id(linked_customers):
    """A customer known to all three systems, with orders in the shop."""
    return next(
        c["id"]
        for c in linked_customers
        if c["crm"] and c["shop"] and c["shop"]["orders"]["totalCount"] >= 3
    )


@pytest.fixture(scope="module")
def customer_360(federated_gateway, shop_customer_id):
    answer = graphql(federated_gateway, FEDERATED_360, {"id": shop_customer_id, "first": 50})
    return data_of(answer)["customer"]


def test_the_crm_profile_comes_with_the_erp_customer(customer_360):
    crm = customer_360["crm"]
    assert crm["contactId"]
    assert crm["accountManager"]["name"]
    assert crm["lifecycleStage"] is not None
    for deal in crm["openDeals"]:
        assert deal["stage"] not in {"closedwon", "closedlost"}


def test_the_shop_account_is_the_same_person(customer_360):
    assert customer_360["shop"]["email"].lower() == customer_360["email"].lower()


def test_shop_orders_link_to_the_erp_orders_of_the_same_customer(customer_360):
    shop_orders = customer_360["shop"]["orders"]["nodes"]
    synced = [o for o in shop_orders if o["erpOrder"]]
    assert synced, "the seeded customer has shop orders that the ERP has too"
    for order in synced:
        assert order["erpOrder"]["customer"]["id"] == customer_360["id"]


def test_erp_orders_from_the_shop_show_the_shops_number_and_status(customer_360):
    from_shop = [o for o in customer_360["orders"]["nodes"] if o["channel"] == "SHOP"]
    assert from_shop
    for order in from_shop:
        assert order["customerReference"] == f"SHOP-{order['shopOrder']['number']}"
        assert order["shopOrder"]["total"] == order["total"]
    others = [o for o in customer_360["orders"]["nodes"] if o["channel"] == "ERP"]
    assert all(o["shopOrder"] is None for o in others)


def test_listings_say_whether_the_shop_shows_the_erps_stock(customer_360):
    listings = [
        (line["product"]["stock"], line["product"]["shopListing"])
        for order in customer_360["orders"]["nodes"]
        for line in order["lines"]
        if line["product"] and line["product"]["shopListing"]
    ]
    compared = [(s, lst) for s, lst in listings if s and lst["listedStock"] is not None]
    assert compared
    for stock, listing in compared:
        expected = Decimal(listing["listedStock"]) == Decimal(stock["available"]["value"])
        assert listing["inSync"] is expected


def test_customers_without_a_crm_or_shop_record_get_null_without_error(linked_customers):
    assert any(c["crm"] is None for c in linked_customers)
    assert any(c["shop"] is None for c in linked_customers)


def test_calls_to_every_backend_stay_batched(
    federated_gateway, shop_customer_id, odoo_emulator, hubspot_emulator, woocommerce_emulator
):
    systems = {
        "erp": EmulatorCalls(odoo_emulator),
        "crm": EmulatorCalls(hubspot_emulator),
        "shop": EmulatorCalls(woocommerce_emulator),
    }
    graphql(federated_gateway, FEDERATED_360, {"id": shop_customer_id, "first": 50})
    counts = {}
    for first in (5, 50):
        for calls in systems.values():
            calls.reset()
        data_of(graphql(federated_gateway, FEDERATED_360, {"id": shop_customer_id, "first": first}))
        counts[first] = {role: calls.total() for role, calls in systems.items()}
    # A short list may simply not need a call a longer one needs (no order from the shop
    # among the first 5, so no lookup of shop orders by number); beyond that, 50 orders
    # cost what 5 do. CRM: contacts, 2 associations, companies, deals (owners cached).
    # Shop: the account, its orders, shop orders by number, listings by SKU.
    assert all(counts[5][role] <= counts[50][role] for role in systems), counts
    assert counts[50]["erp"] <= 10, counts
    assert counts[50]["crm"] <= 5, counts
    assert counts[50]["shop"] <= 5, counts
