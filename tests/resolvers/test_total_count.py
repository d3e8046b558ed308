"""`totalCount` costs a backend call of its own on Odoo (`search_count`): a list asks for
it only when the query selects it, and still knows whether a next page exists."""

from tests.harness import data_of, graphql

PAGE = """query($first: Int!, $after: String) {
  products(first: $first, after: $after) { nodes { sku } pageInfo { hasNextPage endCursor } }
}"""
COUNTED = "query { products(first: 5) { totalCount nodes { sku } } }"
IN_A_FRAGMENT = """query($with: Boolean!) { products(first: 5) { nodes { sku } ...Counted } }
fragment Counted on ProductConnection { ... @include(if: $with) { totalCount } }"""


def test_a_list_without_total_count_reads_its_page_in_one_call(gateway, emulator_calls):
    graphql(gateway, COUNTED)  # warm: logged in, field names known
    emulator_calls.reset()
    page = data_of(graphql(gateway, PAGE, {"first": 5}))["products"]
    calls = emulator_calls.snapshot()["calls"]
    assert calls == {"product.product.search_read": 1}
    assert len(page["nodes"]) == 5
    assert page["pageInfo"]["hasNextPage"] is True


def test_selected_total_count_is_counted_also_inside_fragments(gateway, emulator_calls):
    graphql(gateway, COUNTED)
    for query, variables in ((COUNTED, None), (IN_A_FRAGMENT, {"with": True})):
        emulator_calls.reset()
        products = data_of(graphql(gateway, query, variables))["products"]
        assert emulator_calls.snapshot()["calls"]["product.product.search_count"] == 1
        assert products["totalCount"] >= 500
    # Left out by its directive: counted all the same (a directive can only drop it).
    products = data_of(graphql(gateway, IN_A_FRAGMENT, {"with": False}))["products"]
    assert "totalCount" not in products


def test_paging_without_total_count_ends_on_the_last_item(gateway):
    total = data_of(graphql(gateway, COUNTED))["products"]["totalCount"]
    seen, after, pages = [], None, 0
    while True:
        page = data_of(graphql(gateway, PAGE, {"first": 100, "after": after}))["products"]
        seen += [node["sku"] for node in page["nodes"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == total
    assert pages == -(-total // 100)  # no empty page at the end


CUSTOMER_ORDERS = """query($id: ID!) { customer(id: $id) {
  orders(first: 3) { nodes { number } pageInfo { hasNextPage } } } }"""
CUSTOMER_ORDERS_COUNTED = """query($id: ID!) { customer(id: $id) {
  orders(first: 3) { totalCount nodes { number } } } }"""


def test_a_customers_orders_are_counted_only_when_total_count_is_selected(gateway, emulator_calls):
    customers = data_of(graphql(gateway, "{ customers(first: 50) { nodes { id } } }"))
    ids = [node["id"] for node in customers["customers"]["nodes"]]
    counted = {}
    for customer in ids:  # the first with more than one page of orders
        counted = data_of(graphql(gateway, CUSTOMER_ORDERS_COUNTED, {"id": customer}))
        if counted["customer"]["orders"]["totalCount"] > 3:
            break
    emulator_calls.reset()
    orders = data_of(graphql(gateway, CUSTOMER_ORDERS, {"id": customer}))["customer"]["orders"]
    calls = emulator_calls.snapshot()["calls"]
    assert "sale.order.search_count" not in calls
    assert orders["pageInfo"]["hasNextPage"] is True
    assert [n["number"] for n in orders["nodes"]] == [
        n["number"] for n in counted["customer"]["orders"]["nodes"]
    ]
    emulator_calls.reset()
    graphql(gateway, CUSTOMER_ORDERS_COUNTED, {"id": customer})
    assert emulator_calls.snapshot()["calls"]["sale.order.search_count"] == 1
