"""Scopes guard fields: a missing scope fails that field only, with FORBIDDEN naming the
scope; the schema shows frontend teams which scopes each field needs."""

from dataclasses import replace
from pathlib import Path

import pytest
from graphql import GraphQLNamedType, GraphQLObjectType, build_schema, get_named_type

from gateway.auth.principal import PrincipalKind
from gateway.config import GraphQLSettings
from tests.harness import error_codes, graphql, odoo_settings, running_gateway, send, token_for

ROOT = Path(__file__).parents[2]
# The types that hold business data: every field leading to one needs a scope.
GUARDED_TYPES = set(
    "Customer Order Product Stock Invoice Payment CrmProfile ShopAccount ShopOrder"
    " OrderConnection InvoiceConnection PaymentConnection CustomerConnection ProductConnection"
    " ShopOrderConnection".split()
)
# Checked at run time, by the type of the object the id names.
GUARDED_IN_CODE = {("Query", "node")}


def test_every_field_leading_to_business_data_declares_its_scopes():
    schema = build_schema((ROOT / "schema.graphql").read_text())
    unguarded = []
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        if type_.name.endswith(("Connection", "Edge")):
            continue  # reached only through a guarded field
        for name, field in type_.fields.items():
            target: GraphQLNamedType = get_named_type(field.type)
            directives = [d.name.value for d in field.ast_node.directives or ()]
            guarded = "requiresScopes" in directives or (type_.name, name) in GUARDED_IN_CODE
            if target.name in GUARDED_TYPES and not guarded:
                unguarded.append(f"{type_.name}.{name}")
    assert unguarded == []


def test_a_missing_scope_fails_only_its_field_and_names_the_scope(gateway, accounts):
    reader = token_for(PrincipalKind.STAFF, scopes={"orders:read"})
    query = "query($id: ID!) { order(id: $id) { number invoices { number } } }"
    answer = graphql(gateway, query, {"id": accounts[0].order_id}, token=reader)
    assert answer["data"]["order"]["number"] == accounts[0].order_number
    assert error_codes(answer) == ["FORBIDDEN"]
    assert answer["errors"][0]["message"] == "invoices needs the invoices:read scope"
    assert answer["errors"][0]["extensions"]["requiredScope"] == "invoices:read"
    assert answer["errors"][0]["path"] == ["order", "invoices"]


def test_node_needs_the_scope_of_the_type_it_finds(gateway, accounts):
    reader = token_for(PrincipalKind.STAFF, scopes={"orders:read"})
    query = "query($id: ID!) { node(id: $id) { id } }"
    assert "errors" not in graphql(gateway, query, {"id": accounts[0].order_id}, token=reader)
    answer = graphql(gateway, query, {"id": accounts[0].invoice_id}, token=reader)
    assert error_codes(answer) == ["FORBIDDEN"]
    assert "invoices:read" in answer["errors"][0]["message"]


def test_stock_needs_its_own_scope(gateway):
    catalogue = token_for(PrincipalKind.PARTNER, scopes={"products:read"})
    query = "{ products(first: 2) { nodes { sku stock { available { value } } } } }"
    answer = graphql(gateway, query, token=catalogue)
    assert all(node["sku"] for node in answer["data"]["products"]["nodes"])
    assert set(error_codes(answer)) == {"FORBIDDEN"}
    assert "stock:read" in answer["errors"][0]["message"]


INTROSPECT = {"query": "{ __schema { queryType { name } } }"}


def test_introspection_is_open_in_development(gateway):
    response = send(gateway, "POST", "/graphql", json=INTROSPECT)
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


@pytest.fixture(scope="module")
def production_gateway(odoo_emulator_url):
    settings = odoo_settings(odoo_emulator_url)
    production = GraphQLSettings(graphiql=False, introspection=False)
    with running_gateway(replace(settings, graphql=production)) as url:
        yield url


def test_production_mode_hides_the_schema_and_graphiql(production_gateway):
    answer = send(production_gateway, "POST", "/graphql", json=INTROSPECT).json()
    assert answer.get("data") is None
    assert set(error_codes(answer)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "introspection" in answer["errors"][0]["message"].lower()
    page = send(production_gateway, "GET", "/graphql", headers={"Accept": "text/html"})
    assert "graphiql" not in page.text.lower()
