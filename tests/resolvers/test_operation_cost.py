"""The static cost model, in-process against the schema: what the default limit lets
through and what it refuses."""

from pathlib import Path

import pytest
from graphql import get_introspection_query, parse
from graphql.utilities import get_operation_ast

from gateway.config import GraphQLSettings
from resolvers.limits.measure import CostModel, DocumentRefused, measure_document
from resolvers.limits.repetition import check_repetition
from resolvers.schema import build_schema
from tests.resolvers.queries import CUSTOMER_360, FEDERATED_360
from tests.security.attacks import NESTED_CONNECTIONS, REPEATED_FIELDS, fragment_fan_out

ROOT = Path(__file__).parents[2]
SCHEMA = build_schema()._schema
MAX_COST = GraphQLSettings().max_cost


DEFAULT_MODEL = CostModel()


def cost(query: str, variables=None, model=DEFAULT_MODEL) -> int:
    document = parse(query)
    operation = get_operation_ast(document)
    assert operation is not None
    return measure_document(SCHEMA, document, operation, variables, model).cost


@pytest.mark.parametrize(
    "path", sorted((ROOT / "mobile_examples").rglob("*.graphql")), ids=lambda p: p.name
)
def test_every_mobile_example_is_far_below_the_default_limit(path):
    assert cost(path.read_text()) < MAX_COST / 100


def test_the_customer_360_passes_with_room_even_100_orders_deep():
    assert cost(CUSTOMER_360, {"id": "x", "first": 50}) < MAX_COST / 3
    assert cost(CUSTOMER_360, {"id": "x", "first": 100}) < MAX_COST
    assert cost(FEDERATED_360, {"id": "x", "first": 50}) < MAX_COST / 10


def test_three_nested_connections_of_100_are_refused():
    assert cost(NESTED_CONNECTIONS) > 4 * MAX_COST


def test_a_connection_repeats_its_nodes_first_times_and_a_plain_list_the_estimate():
    page = """
    { products(first: 7) { totalCount nodes { sku stock { warehouses { onHand { value } } } } } }
    """
    # products, totalCount, nodes: 3; then 7 x (sku, stock, warehouses: 3; and 10 x
    # a warehouse's onHand and value: 2)
    assert cost(page) == 3 + 7 * (3 + 10 * 2)
    assert cost(page, model=CostModel(list_estimate=3)) == 3 + 7 * (3 + 3 * 2)


def test_first_comes_from_a_variable_its_default_or_the_field_default():
    query = "query($n: Int! = 5) { products(first: $n) { nodes { sku } } }"
    assert cost(query, {"n": 40}) == 2 + 40
    assert cost(query, {}) == 2 + 5
    assert cost("{ products { nodes { sku } } }") == 2 + 20  # the schema's default page


def test_a_fragment_on_a_connection_repeats_with_the_page_it_is_spread_in():
    query = """
    { small: products(first: 2) { ...Skus } large: products(first: 50) { ...Skus } }
    fragment Skus on ProductConnection { nodes { sku } }
    """
    assert cost(query) == (2 + 2) + (2 + 50)


def test_each_mutation_field_carries_its_weight():
    mutation = """
    mutation { cancelOrder(input: {orderId: "x", idempotencyKey: "k"}) { userErrors { code } } }
    """
    light = cost(mutation, model=CostModel(mutation_weight=0))
    assert cost(mutation, model=CostModel(mutation_weight=25)) == light + 25


def test_a_fan_out_of_fragments_is_measured_without_walking_it():
    # 2^29 fields: walking them would take minutes; the memoised pass takes 30 steps.
    assert cost(fragment_fan_out(29)) >= 2**29


def test_repetition_bounds_refuse_what_validation_would_pay_for_quadratically():
    with pytest.raises(DocumentRefused, match="select each field once"):
        check_repetition(parse(REPEATED_FIELDS))
    with pytest.raises(DocumentRefused, match="fragments; at most 30"):
        check_repetition(parse(fragment_fan_out(30)))
    check_repetition(parse(CUSTOMER_360))


def measure(query: str):
    document = parse(query)
    return measure_document(SCHEMA, document, get_operation_ast(document), None, DEFAULT_MODEL)


def test_depth_counts_nested_selection_sets_as_strawberrys_limiter_did():
    assert measure("{ __typename }").deepest == 0
    assert measure("{ viewer { customer { id } } }").deepest == 2


def test_graphiqls_introspection_query_passes_every_default_limit():
    introspection = measure(get_introspection_query(descriptions=True))

    assert introspection.deepest <= GraphQLSettings().max_depth
    assert introspection.cost <= MAX_COST
