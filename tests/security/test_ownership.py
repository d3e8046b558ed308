"""A customer sees its own objects only: another customer's order, invoice or payment
answers exactly like an id that does not exist, by id, through `node` and through lists,
even with the cache warm from the other customer's requests."""

import base64
from pathlib import Path

import pytest

from tests.harness import bearer, data_of, error_codes, graphql, send

BY_ID = {
    "order": ("query($id: ID!) { order(id: $id) { number } }", "order_id", "order_number"),
    "invoice": ("query($id: ID!) { invoice(id: $id) { number } }", "invoice_id", "invoice_number"),
    "customer": ("query($id: ID!) { customer(id: $id) { name } }", "customer_id", None),
    "node of an order": ("query($id: ID!) { node(id: $id) { id } }", "order_id", "order_number"),
    "node of an invoice": ("query($id: ID!) { node(id: $id) { id } }", "invoice_id", None),
    "node of a payment": (
        "query($id: ID!) { node(id: $id) { ... on Payment { number } } }",
        "payment_id",
        "payment_number",
    ),
    "node of a customer": ("query($id: ID!) { node(id: $id) { id } }", "customer_id", None),
}

EVERYTHING_OF = """
query($customer: ID!, $order: ID!, $invoice: ID!, $payment: ID!) {
  customer(id: $customer) {
    name orders(first: 5) { nodes { number } } invoices(first: 5) { nodes { number } }
    payments(first: 5) { nodes { number } }
  }
  order(id: $order) { number lines { description } invoices { number } }
  invoice(id: $invoice) { number payments { number } }
  payment: node(id: $payment) { ... on Payment { number invoices { number } } }
}
"""


def unknown_twin(global_id: str) -> str:
    """An id of the same type that no record has."""
    type_name = base64.urlsafe_b64decode(global_id).decode().split(":")[0]
    return base64.urlsafe_b64encode(f"{type_name}:987654321".encode()).decode()


def warm_the_cache_as(gateway, account):
    variables = {
        "customer": account.customer_id,
        "order": account.order_id,
        "invoice": account.invoice_id,
        "payment": account.payment_id,
    }
    answer = data_of(graphql(gateway, EVERYTHING_OF, variables, token=account.token()))
    assert answer["order"]["number"] == account.order_number  # the owner does see it
    return variables


@pytest.mark.parametrize("case", BY_ID, ids=list(BY_ID))
def test_another_customers_object_is_not_found_like_an_unknown_id(gateway, accounts, case):
    mine, theirs = accounts
    query, id_field, secret_field = BY_ID[case]
    warm_the_cache_as(gateway, theirs)
    their_id = getattr(theirs, id_field)

    body = {"query": query, "variables": {"id": their_id}}
    response = send(gateway, "POST", "/graphql", json=body, headers=bearer(mine.token()))
    unknown = graphql(gateway, query, {"id": unknown_twin(their_id)}, token=mine.token())

    answer = response.json()
    assert error_codes(answer) == error_codes(unknown) == ["NOT_FOUND"]
    assert answer["data"] == unknown["data"]
    shown = answer["errors"][0]["message"].replace(their_id, "<id>")
    assert shown == unknown["errors"][0]["message"].replace(unknown_twin(their_id), "<id>")
    if secret_field:
        assert getattr(theirs, secret_field) not in response.text


def test_lists_and_nested_objects_show_only_the_customers_own(gateway, accounts):
    mine, theirs = accounts
    variables = warm_the_cache_as(gateway, theirs)  # their objects are in the cache now
    answer = graphql(gateway, EVERYTHING_OF, variables, token=mine.token())
    assert answer["data"] == {"customer": None, "order": None, "invoice": None, "payment": None}
    assert set(error_codes(answer)) == {"NOT_FOUND"}
    for number in (theirs.order_number, theirs.invoice_number, theirs.payment_number):
        assert number not in str(answer)


def test_viewer_is_the_customers_entry_point(gateway, accounts):
    mine, theirs = accounts
    warm_the_cache_as(gateway, theirs)
    query = """{ viewer { kind customer { id orders(first: 50) { nodes { number customer { id } } }
                 invoices(first: 50) { nodes { number payments { number } } } } } }"""
    viewer = data_of(graphql(gateway, query, token=mine.token()))["viewer"]
    customer = viewer["customer"]
    assert viewer["kind"] == "customer"
    assert customer["id"] == mine.customer_id
    orders = customer["orders"]["nodes"]
    assert orders
    assert {o["customer"]["id"] for o in orders} == {mine.customer_id}
    assert theirs.order_number not in str(viewer)
    assert theirs.invoice_number not in str(viewer)


def test_a_customer_cannot_list_customers(gateway, accounts):
    answer = graphql(gateway, "{ customers(first: 5) { nodes { id } } }", token=accounts[0].token())
    assert error_codes(answer) == ["FORBIDDEN"]
    assert "viewer" in answer["errors"][0]["message"]


def test_staff_see_every_customer(gateway, accounts):
    for account in accounts:
        order = data_of(graphql(gateway, BY_ID["order"][0], {"id": account.order_id}))["order"]
        assert order == {"number": account.order_number}


def test_the_mobile_my_orders_operation_runs_with_a_customer_token(gateway, accounts):
    root = Path(__file__).parents[2]
    operation = (root / "mobile_examples/operations/MyOrders.graphql").read_text()
    mine = accounts[0]
    customer = data_of(graphql(gateway, operation, {"first": 5}, token=mine.token()))["viewer"][
        "customer"
    ]
    assert customer["id"] == mine.customer_id
    assert customer["orders"]["totalCount"] >= 1
