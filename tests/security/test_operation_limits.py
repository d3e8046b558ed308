"""Limits on what one operation may ask for and answer, and what production mode shows
a stranger, over HTTP."""

from dataclasses import replace

import pytest

from gateway.config import GraphQLSettings
from tests.harness import error_codes, graphql, odoo_settings, running_gateway

ORDERS_WITH_LINES = """
{ viewer { customer { orders(first: 100) { nodes { id lines { description } } } } } }
"""
PRODUCTS = "{ products(first: 100) { nodes { id sku name salesUnit } } }"


@pytest.fixture(scope="module")
def production_gateway(odoo_emulator_url):
    """Production defaults for the schema (no introspection, no suggestions), and a
    smaller cost limit for customers."""
    limits = GraphQLSettings(
        graphiql=False, introspection=False, suggestions=False, max_cost_by_kind={"customer": 1000}
    )
    with running_gateway(replace(odoo_settings(odoo_emulator_url), graphql=limits)) as url:
        yield url


@pytest.fixture(scope="module")
def customer_token(accounts):
    return accounts[0].token()


def test_a_kind_of_principal_may_have_its_own_cost_limit(production_gateway, customer_token):
    as_customer = graphql(production_gateway, ORDERS_WITH_LINES, token=customer_token)
    as_staff = graphql(production_gateway, ORDERS_WITH_LINES)

    [error] = as_customer["errors"]
    assert error["extensions"] == {"code": "COST_LIMIT_EXCEEDED", "cost": 1204, "maxCost": 1000}
    assert "errors" not in as_staff


def test_a_measure_kept_from_staff_still_meets_a_customers_own_limit(
    production_gateway, customer_token
):
    """The document's measure is kept after the staff's request (a text of its own,
    not the one above); the customer's request takes it and is refused by its own
    limit all the same."""
    query = ORDERS_WITH_LINES.replace("{ id ", "{ id  ")
    as_staff = graphql(production_gateway, query)
    as_customer = graphql(production_gateway, query, token=customer_token)

    assert "errors" not in as_staff
    [error] = as_customer["errors"]
    assert error["extensions"] == {"code": "COST_LIMIT_EXCEEDED", "cost": 1204, "maxCost": 1000}


def test_the_cost_of_an_answer_is_shown_on_request(production_gateway):
    asked = graphql(production_gateway, ORDERS_WITH_LINES, headers={"X-Query-Cost": "1"})
    not_asked = graphql(production_gateway, ORDERS_WITH_LINES)

    assert asked["extensions"]["cost"] == 1204
    assert "cost" not in not_asked.get("extensions", {})


@pytest.mark.parametrize(
    "query",
    [
        "{ produts(first: 1) { totalCount } }",  # a field
        "{ products(frist: 1) { totalCount } }",  # an argument
        "{ products(first: 1) { nodes { ... on Produc { id } } } }",  # a type
        "query($s: OrderStatu) { __typename }",  # a variable's type
        '{ node(id: "x") { ... on Order { status(x: 1) } } }',  # an argument of a field
    ],
)
def test_production_mode_suggests_nothing(production_gateway, query):
    answer = graphql(production_gateway, query, token=None)

    assert error_codes(answer) == ["GRAPHQL_VALIDATION_FAILED"] * len(answer["errors"])
    assert all("Did you mean" not in e["message"] for e in answer["errors"]), answer


def test_development_mode_keeps_suggestions(gateway):
    answer = graphql(gateway, "{ produts(first: 1) { totalCount } }", token=None)

    assert "Did you mean 'products'" in answer["errors"][0]["message"]


def test_production_mode_refuses_introspection(production_gateway):
    answer = graphql(production_gateway, "{ __schema { types { name } } }", token=None)

    assert set(error_codes(answer)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "introspection" in answer["errors"][0]["message"].lower()


def test_an_answer_past_the_response_budget_is_refused_whole(odoo_emulator_url):
    budget = GraphQLSettings(max_response_bytes=4000)
    with running_gateway(replace(odoo_settings(odoo_emulator_url), graphql=budget)) as url:
        answer = graphql(url, PRODUCTS)
        small = graphql(url, "{ products(first: 2) { nodes { sku } } }")

    assert answer["data"] is None
    [error] = answer["errors"]
    assert error["extensions"] == {"code": "RESPONSE_TOO_LARGE", "maxResponseBytes": 4000}
    assert "errors" not in small


TWENTY_ALIASES = " ".join(f"a{i}: __typename" for i in range(20))
ALIASES_IN_FRAGMENTS = f"""
query {{ viewer {{ ...Twenty }} me: viewer {{ ...Twenty }} }}
fragment Twenty on Viewer {{ {TWENTY_ALIASES} }}
"""

DEEP_THROUGH_FRAGMENTS = """
query { order(id: "x") { ...A } }
fragment A on Order { customer { orders { nodes { ...B } } } }
fragment B on Order { customer { orders { nodes { ...C } } } }
fragment C on Order { customer { orders { nodes { ...D } } } }
fragment D on Order { customer { orders { nodes { ...E } } } }
fragment E on Order { customer { orders { nodes { id } } } }
"""

CYCLE = """
query { viewer { ...A } }
fragment A on Viewer { ...B }
fragment B on Viewer { ...A }
"""


@pytest.mark.parametrize(
    ("query", "says"),
    [
        (ALIASES_IN_FRAGMENTS, "41 aliases; at most 30"),
        (DEEP_THROUGH_FRAGMENTS, "exceeds maximum operation depth of 15"),
        (CYCLE, "Cannot spread fragment"),
    ],
    ids=["aliases", "depth", "cycle"],
)
def test_limits_count_what_fragments_spread(gateway, query, says):
    answer = graphql(gateway, query, token=None)

    assert error_codes(answer) == ["GRAPHQL_VALIDATION_FAILED"]
    assert says in answer["errors"][0]["message"]
