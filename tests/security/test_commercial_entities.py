"""A customer is a commercial entity: a company's contact or address is no customer on
any path (a customer JWT, X-Act-As-Customer, placeOrder's customerId), so nothing is
ordered through it around the company's credit limit; and what a contact ordered in the
ERP is the company's."""

from dataclasses import dataclass

import pytest

from gateway.auth.principal import PrincipalKind
from gateway.auth.scopes import CUSTOMERS_IMPERSONATE
from resolvers.node import encode_id
from tests.harness import bearer, data_of, error_codes, graphql, odoo_rpc, token_for
from tests.inprocess import serve_in_process
from tests.security.conftest import WRITE_SCOPES

STAFF = token_for(PrincipalKind.STAFF, scopes=WRITE_SCOPES, subject="staff-carol")
HELPER = token_for(
    PrincipalKind.STAFF, scopes=WRITE_SCOPES | {CUSTOMERS_IMPERSONATE}, subject="staff-alice"
)
PLACE = """
mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    receipt { status }
    userErrors { field code message }
  }
}
"""
VIEWER_AND_ORDER = """
query($order: ID!) {
  viewer { customer { id } }
  order(id: $order) { number customer { id } }
}
"""
PRODUCTS = "{ products(first: 100) { nodes { sku salesUnit stock { available { value } } } } }"


@dataclass(frozen=True)
class Company:
    id: str  # the customer's global id
    key: int
    contact_id: str  # the global id of one of its contacts or addresses
    contact_key: int
    order_id: str  # one of its orders


@pytest.fixture(scope="module")
def company(own_odoo) -> Company:
    """A company with a credit limit, an order and a child address or contact."""
    partners = own_odoo.state.database.table("res.partner").records
    orders = own_odoo.state.database.table("sale.order").records.values()
    children = {p["parent_id"]: p["id"] for p in partners.values() if p["parent_id"]}
    ordered = {o["partner_id"]: o["id"] for o in orders}
    key = min(
        p["id"]
        for p in partners.values()
        if p["customer_rank"] > 0
        and p["use_partner_credit_limit"]
        and p["id"] in children
        and p["id"] in ordered
    )
    contact = children[key]
    assert partners[contact]["commercial_partner_id"] == key
    return Company(
        id=encode_id("Customer", str(key)),
        key=key,
        contact_id=encode_id("Customer", str(contact)),
        contact_key=contact,
        order_id=encode_id("Order", str(ordered[key])),
    )


@pytest.fixture(scope="module")
def sku(writing_gateway) -> str:
    nodes = data_of(graphql(writing_gateway, PRODUCTS, token=STAFF))["products"]["nodes"]
    return next(
        p["sku"]
        for p in nodes
        if p["salesUnit"] == "C62" and p["stock"] and float(p["stock"]["available"]["value"]) > 5
    )


def erp_orders(own_odoo) -> int:
    return len(own_odoo.state.database.table("sale.order").records)


def place(gateway, sku, *, token, customer_id=None, headers=None):
    order = {"lines": [{"sku": sku, "quantity": "1"}]}
    if customer_id is not None:
        order["customerId"] = customer_id
    sent = {**bearer(token), **(headers or {})}
    answer = graphql(gateway, PLACE, {"input": order}, token=None, headers=sent)
    return data_of(answer)["placeOrder"]


def not_found_on_customer(payload, customer_id):
    assert payload["receipt"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("NOT_FOUND", ["customerId"])
    ]
    assert payload["userErrors"][0]["message"] == f"No customer with id {customer_id!r}"


def test_a_contact_is_no_customer_to_read(writing_gateway, company):
    for query in ("customer(id: $id) { id }", "node(id: $id) { id }"):
        answer = graphql(
            writing_gateway, f"query($id: ID!) {{ {query} }}", {"id": company.contact_id}
        )
        assert error_codes(answer) == ["NOT_FOUND"]
    found = graphql(
        writing_gateway, "query($id: ID!) { customer(id: $id) { id } }", {"id": company.id}
    )
    assert data_of(found)["customer"] == {"id": company.id}


def test_a_customer_token_for_a_contact_acts_for_nobody(writing_gateway, own_odoo, company, sku):
    as_contact = token_for(
        PrincipalKind.CUSTOMER, scopes=WRITE_SCOPES, customer_id=company.contact_id
    )
    before = erp_orders(own_odoo)

    answer = graphql(
        writing_gateway, VIEWER_AND_ORDER, {"order": company.order_id}, token=as_contact
    )
    placed = place(writing_gateway, sku, token=as_contact)

    assert answer["data"] == {"viewer": {"customer": None}, "order": None}
    assert sorted(error_codes(answer)) == ["NOT_FOUND", "NOT_FOUND"]
    not_found_on_customer(placed, company.contact_id)
    assert erp_orders(own_odoo) == before


def test_acting_as_a_contact_acts_for_nobody(writing_gateway, own_odoo, company, sku):
    acting = {"X-Act-As-Customer": company.contact_id}
    before = erp_orders(own_odoo)

    answer = graphql(
        writing_gateway,
        VIEWER_AND_ORDER,
        {"order": company.order_id},
        token=None,
        headers={**bearer(HELPER), **acting},
    )
    placed = place(writing_gateway, sku, token=HELPER, headers=acting)

    assert answer["data"] == {"viewer": {"customer": None}, "order": None}
    not_found_on_customer(placed, company.contact_id)
    assert erp_orders(own_odoo) == before


def test_naming_a_contact_in_place_order_is_not_found(writing_gateway, own_odoo, company, sku):
    before = erp_orders(own_odoo)

    placed = place(writing_gateway, sku, token=STAFF, customer_id=company.contact_id)

    not_found_on_customer(placed, company.contact_id)
    assert erp_orders(own_odoo) == before


def test_a_company_without_credit_left_orders_nothing_through_its_contacts(
    writing_gateway, own_odoo, company, sku
):
    # Given the company has used its whole credit limit
    database = own_odoo.state.database
    limit = database.table("res.partner").records[company.key]["credit_limit"]
    database.update("res.partner", company.key, {"credit": limit})
    before = erp_orders(own_odoo)
    as_contact = token_for(
        PrincipalKind.CUSTOMER, scopes=WRITE_SCOPES, customer_id=company.contact_id
    )
    as_company = token_for(PrincipalKind.CUSTOMER, scopes=WRITE_SCOPES, customer_id=company.id)

    # When an order is placed for it, and through its contact on every path
    for_company = place(writing_gateway, sku, token=as_company)
    through_contact = [
        place(writing_gateway, sku, token=as_contact),
        place(
            writing_gateway, sku, token=HELPER, headers={"X-Act-As-Customer": company.contact_id}
        ),
        place(writing_gateway, sku, token=STAFF, customer_id=company.contact_id),
    ]

    # Then the company's credit refuses the one, and the contact is no customer
    assert [e["code"] for e in for_company["userErrors"]] == ["CREDIT_LIMIT_EXCEEDED"]
    for placed in through_contact:
        not_found_on_customer(placed, company.contact_id)
    assert erp_orders(own_odoo) == before


def test_an_order_a_contact_placed_in_the_erp_is_the_companys(writing_gateway, own_odoo, company):
    with serve_in_process(own_odoo) as odoo:
        created = odoo_rpc(odoo, "sale.order", "create", [{"partner_id": company.contact_key}])
    order_id = encode_id("Order", str(created))
    as_company = token_for(PrincipalKind.CUSTOMER, customer_id=company.id)
    as_contact = token_for(PrincipalKind.CUSTOMER, customer_id=company.contact_id)

    mine = graphql(writing_gateway, VIEWER_AND_ORDER, {"order": order_id}, token=as_company)
    theirs = graphql(writing_gateway, VIEWER_AND_ORDER, {"order": order_id}, token=as_contact)

    assert data_of(mine)["order"]["customer"] == {"id": company.id}
    assert data_of(mine)["viewer"] == {"customer": {"id": company.id}}
    assert theirs["data"]["order"] is None
