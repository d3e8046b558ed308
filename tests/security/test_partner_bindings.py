"""A partner acts only for the customers it is bound to (`token create --customer`,
repeatable; a JWT's customer_id, one or a list), reading and writing alike, unless it
carries customers:any; bound to none, it acts for none. And a user error never tells a
caller what its scopes do not let it read."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from gateway.auth.principal import PrincipalKind
from gateway.auth.scopes import CUSTOMERS_ANY, ORDERS_READ, ORDERS_WRITE
from gateway.auth.token_store import open_token_store
from gateway.global_ids import key_of
from resolvers.node import encode_id
from tests.harness import data_of, error_codes, graphql, token_for
from tests.security.conftest import WRITE_SCOPES

STAFF = token_for(PrincipalKind.STAFF, scopes=WRITE_SCOPES, subject="staff-carol")
BOUND_SCOPES = WRITE_SCOPES - {CUSTOMERS_ANY}
ORDER = "query($id: ID!) { order(id: $id) { number } }"
CUSTOMER = "query($id: ID!) { customer(id: $id) { id } }"
MUTATION = """
mutation($input: %(input)s!) {
  %(name)s(input: $input) { receipt { status order { id } } userErrors { field code message } }
}
"""
PLACE = MUTATION % {"input": "PlaceOrderInput", "name": "placeOrder"}
ON_AN_ORDER = {
    name: MUTATION % {"input": f"{name[0].upper()}{name[1:]}Input", "name": name}
    for name in ("cancelOrder", "reorder", "requestReturn")
}
PAY = MUTATION.replace("order { id }", "commandId") % {
    "input": "PayInvoiceInput",
    "name": "payInvoice",
}
PRODUCTS = "{ products(first: 100) { nodes { sku salesUnit stock { available { value } } } } }"


@dataclass(frozen=True)
class Customer:
    id: str
    key: int
    order_id: str  # an order of its, delivered or invoiced (so not cancellable)
    order_number: str
    invoice_id: str


@pytest.fixture(scope="module")
def customers(own_odoo) -> tuple[Customer, Customer, Customer]:
    """Three companies without a credit limit, each with a delivered order and an invoice."""
    database = own_odoo.state.database
    partners = database.table("res.partner").records.values()
    orders = database.table("sale.order").records
    lines = database.table("sale.order.line").records.values()
    delivered = {line["order_id"] for line in lines if line["qty_delivered"] > 0}
    invoices = database.table("account.move").records.values()
    found = []
    for partner in sorted(partners, key=lambda p: p["id"]):
        if partner["customer_rank"] <= 0 or partner["use_partner_credit_limit"]:
            continue
        theirs = [i for i in sorted(delivered) if orders[i]["partner_id"] == partner["id"]]
        billed = [
            m["id"]
            for m in invoices
            if m["move_type"] == "out_invoice" and m["commercial_partner_id"] == partner["id"]
        ]
        if theirs and billed:
            order = orders[theirs[0]]
            found.append(
                Customer(
                    id=encode_id("Customer", str(partner["id"])),
                    key=partner["id"],
                    order_id=encode_id("Order", str(order["id"])),
                    order_number=order["name"],
                    invoice_id=encode_id("Invoice", str(billed[0])),
                )
            )
        if len(found) == 3:
            return found[0], found[1], found[2]
    raise AssertionError("the seeded world has companies with delivered orders and invoices")


@pytest.fixture(scope="module")
def sku(writing_gateway) -> str:
    nodes = data_of(graphql(writing_gateway, PRODUCTS, token=STAFF))["products"]["nodes"]
    return next(
        p["sku"]
        for p in nodes
        if p["salesUnit"] == "C62" and p["stock"] and float(p["stock"]["available"]["value"]) > 20
    )


@pytest.fixture(scope="module")
def partner(auth_store):
    """An API token in the gateway's store, bound to these customers."""

    def create(*bound: Customer, scopes=BOUND_SCOPES) -> str:
        async def run():
            store = open_token_store(auth_store)
            try:
                ids = [customer.id for customer in bound]
                return await store.create("acme", frozenset(scopes), ids, None)
            finally:
                await store.close()

        return asyncio.run(run())[1]

    return create


def read(gateway, token, query, object_id):
    return graphql(gateway, query, {"id": object_id}, token=token)


def can_read(gateway, token, customer: Customer) -> bool:
    answer = read(gateway, token, ORDER, customer.order_id)
    if error_codes(answer) == ["NOT_FOUND"]:
        assert answer["data"] == {"order": None}
        return False
    assert data_of(answer)["order"] == {"number": customer.order_number}
    return True


def mutate(gateway, token, mutation, **input):
    answer = data_of(graphql(gateway, mutation, {"input": input}, token=token))
    return next(iter(answer.values()))


def place(gateway, token, sku, customer: Customer | None = None):
    order: dict[str, object] = {"lines": [{"sku": sku, "quantity": "1"}]}
    if customer is not None:
        order["customerId"] = customer.id
    return mutate(gateway, token, PLACE, **order)


def codes(payload) -> list[tuple[str, list[str] | None]]:
    return [(error["code"], error["field"]) for error in payload["userErrors"]]


def assert_acts_for_none_of(gateway, token, sku, *others: Customer):
    """Every read and write of these customers' objects answers NOT_FOUND."""
    for other in others:
        assert not can_read(gateway, token, other)
        assert error_codes(read(gateway, token, CUSTOMER, other.id)) == ["NOT_FOUND"]
        for name, mutation in ON_AN_ORDER.items():
            refused = mutate(gateway, token, mutation, orderId=other.order_id)
            assert codes(refused) == [("NOT_FOUND", ["orderId"])], name
        paid = mutate(gateway, token, PAY, invoiceId=other.invoice_id)
        assert codes(paid) == [("NOT_FOUND", ["invoiceId"])]
        assert codes(place(gateway, token, sku, other)) == [("NOT_FOUND", ["customerId"])]


def placed_for(own_odoo, payload) -> int:
    """The ERP customer of the order a placeOrder receipt names."""
    assert payload["userErrors"] == []
    assert payload["receipt"]["status"] == "CONFIRMED"
    key = key_of(payload["receipt"]["order"]["id"], "Order")
    assert key is not None
    return own_odoo.state.database.table("sale.order").records[int(key)]["partner_id"]


def test_a_partner_bound_to_one_customer_acts_for_it_alone(
    writing_gateway, own_odoo, customers, partner, sku
):
    a, b, _ = customers
    token = partner(a)

    viewer = graphql(writing_gateway, "{ viewer { kind customer { id } } }", token=token)
    placed = place(writing_gateway, token, sku)  # for its one customer, unnamed

    assert data_of(viewer)["viewer"] == {"kind": "partner", "customer": {"id": a.id}}
    assert can_read(writing_gateway, token, a)
    assert placed_for(own_odoo, placed) == a.key
    assert_acts_for_none_of(writing_gateway, token, sku, b)
    listed = graphql(writing_gateway, "{ customers(first: 1) { nodes { id } } }", token=token)
    assert error_codes(listed) == ["FORBIDDEN"]


def test_a_partner_bound_to_two_customers_acts_for_both_and_names_one(
    writing_gateway, own_odoo, customers, partner, sku
):
    a, b, c = customers
    token = partner(a, b)

    unnamed = place(writing_gateway, token, sku)
    for_b = place(writing_gateway, token, sku, b)
    cancelled = mutate(
        writing_gateway, token, ON_AN_ORDER["cancelOrder"], orderId=for_b["receipt"]["order"]["id"]
    )

    assert can_read(writing_gateway, token, a)
    assert can_read(writing_gateway, token, b)
    assert codes(unnamed) == [("CUSTOMER_REQUIRED", ["customerId"])]
    assert "several customers" in unnamed["userErrors"][0]["message"]
    assert placed_for(own_odoo, for_b) == b.key
    assert cancelled["userErrors"] == []
    assert cancelled["receipt"]["status"] == "CONFIRMED"
    assert_acts_for_none_of(writing_gateway, token, sku, c)


def test_a_partner_bound_to_no_customer_acts_for_none(writing_gateway, customers, partner, sku):
    token = partner()

    products = graphql(writing_gateway, "{ products(first: 1) { nodes { sku } } }", token=token)
    unnamed = place(writing_gateway, token, sku)

    assert data_of(products)["products"]["nodes"]  # what no customer owns stays readable
    assert codes(unnamed) == [("CUSTOMER_REQUIRED", ["customerId"])]
    assert_acts_for_none_of(writing_gateway, token, sku, *customers)
    listed = graphql(writing_gateway, "{ customers(first: 1) { nodes { id } } }", token=token)
    assert error_codes(listed) == ["FORBIDDEN"]


def test_customers_any_acts_for_every_customer(writing_gateway, own_odoo, customers, partner, sku):
    token = partner(scopes=BOUND_SCOPES | {CUSTOMERS_ANY})
    c = customers[2]

    listed = graphql(writing_gateway, "{ customers(first: 1) { nodes { id } } }", token=token)
    placed = place(writing_gateway, token, sku, c)

    assert all(can_read(writing_gateway, token, customer) for customer in customers)
    assert len(data_of(listed)["customers"]["nodes"]) == 1
    assert placed_for(own_odoo, placed) == c.key


def test_jwt_partners_follow_the_same_rule(writing_gateway, customers):
    a, b, c = customers

    def jwt(customer_ids=None, scopes=BOUND_SCOPES):
        return token_for(PrincipalKind.PARTNER, scopes=scopes, customer_id=customer_ids)

    readable = {
        "bound to a and b": jwt([a.id, b.id]),
        "bound to c": jwt(c.id),
        "bound to none": jwt(),
        "customers:any": jwt(scopes=BOUND_SCOPES | {CUSTOMERS_ANY}),
    }
    assert {
        name: [can_read(writing_gateway, token, customer) for customer in customers]
        for name, token in readable.items()
    } == {
        "bound to a and b": [True, True, False],
        "bound to c": [False, False, True],
        "bound to none": [False, False, False],
        "customers:any": [True, True, True],
    }


def test_concurrent_probes_of_other_customers_orders_are_all_not_found(
    writing_gateway, own_odoo, customers, partner
):
    # Given 20 orders of other customers, in the cache from staff reads
    a = customers[0]
    orders = own_odoo.state.database.table("sale.order").records.values()
    others = [encode_id("Order", str(o["id"])) for o in orders if o["partner_id"] != a.key][:20]
    for order_id in others:
        assert data_of(read(writing_gateway, STAFF, ORDER, order_id))["order"]
    token = partner(a)

    # When a partner bound to another customer probes them all at once
    def probe(order_id: str) -> list:
        answer = read(writing_gateway, token, ORDER, order_id)
        cancelled = mutate(writing_gateway, token, ON_AN_ORDER["cancelOrder"], orderId=order_id)
        return [answer["data"], error_codes(answer), codes(cancelled)]

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(probe, others))

    # Then each is as unknown as an id that never existed
    assert answers == [
        [{"order": None}, ["NOT_FOUND"], [("NOT_FOUND", ["orderId"])]] for _ in others
    ]


def test_cancel_order_tells_why_only_to_a_caller_that_may_read_the_order(
    writing_gateway, customers, partner
):
    a = customers[0]
    blind = partner(a, scopes={ORDERS_WRITE})
    reader = partner(a, scopes={ORDERS_WRITE, ORDERS_READ})

    refused = [
        mutate(writing_gateway, token, ON_AN_ORDER["cancelOrder"], orderId=a.order_id)
        for token in (blind, reader)
    ]

    assert [codes(answer) for answer in refused] == [[("ORDER_NOT_CANCELLABLE", ["orderId"])]] * 2
    assert refused[0]["userErrors"][0]["message"] == "This order cannot be cancelled any more"
    assert refused[1]["userErrors"][0]["message"] in (
        f"{a.order_number} is already delivered",
        f"{a.order_number} is already invoiced",
    )
