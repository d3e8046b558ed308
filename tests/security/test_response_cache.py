"""The response cache, attacked: a repeated query is answered whole from the cache, but
never across principals who may see different things, never for a mutation, an
impersonated or anonymous request, an answer with errors or one naming the subject, and
never after the records it holds were invalidated."""

from pathlib import Path

from gateway.auth.principal import PrincipalKind
from gateway.auth.scopes import CUSTOMERS_IMPERSONATE
from tests.harness import READ_SCOPES, bearer, data_of, error_codes, token_for
from tests.security.conftest import WRITE_SCOPES

PRODUCTS = "{ products(first: 5) { nodes { sku name stock { available { value } } } } }"
MY_ORDERS = "{ viewer { customer { id orders(first: 50) { totalCount nodes { id } } } } }"


def post(gateway, query, token, variables=None, headers=None):
    """The whole HTTP answer: its X-Cache header says where it came from."""
    sent = {**(bearer(token) if token else {}), **(headers or {})}
    body = {"query": query, "variables": variables or {}}
    return gateway.post("/graphql", json=body, headers=sent)


def test_a_repeated_query_is_answered_whole_from_the_cache(gateway):
    staff = token_for(PrincipalKind.STAFF, subject="staff-a")
    first = post(gateway, PRODUCTS, staff)
    again = post(gateway, PRODUCTS, staff)
    assert (first.headers["x-cache"], again.headers["x-cache"]) in {("MISS", "HIT"), ("HIT", "HIT")}
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["cache-control"] == "no-store"  # a browser or proxy keeps nothing
    # Another staff member with the same scopes sees the same things: the same entry.
    colleague = token_for(PrincipalKind.STAFF, subject="staff-b")
    assert post(gateway, PRODUCTS, colleague).headers["x-cache"] == "HIT"


def test_customers_never_get_each_others_cached_answers(gateway, accounts):
    mine, theirs = accounts
    for _ in range(2):  # the second round is answered from the cache
        for account in (mine, theirs):
            answer = post(gateway, MY_ORDERS, account.token())
            customer = data_of(answer.json())["viewer"]["customer"]
            assert customer["id"] == account.customer_id
            assert account.order_id in {node["id"] for node in customer["orders"]["nodes"]}
    assert answer.headers["x-cache"] == "HIT"


def test_a_principal_with_fewer_scopes_never_gets_a_fuller_answer(gateway):
    full = post(gateway, PRODUCTS, token_for(PrincipalKind.STAFF))
    assert data_of(full.json())
    fewer = token_for(PrincipalKind.STAFF, scopes={"products:read"}, subject="staff-a")
    for _ in range(2):
        answer = post(gateway, PRODUCTS, fewer)
        assert "FORBIDDEN" in error_codes(answer.json())  # stock needs stock:read
        assert answer.headers["x-cache"] == "MISS"  # an answer with errors is not kept


def test_an_answer_naming_the_subject_is_never_kept(gateway, accounts):
    """Two users of one customer account share its visibility, not their names."""
    mine = accounts[0]
    for subject in ("alice", "bob", "alice"):
        token = token_for(
            PrincipalKind.CUSTOMER,
            scopes=READ_SCOPES,
            customer_id=mine.customer_id,
            subject=subject,
        )
        answer = post(gateway, "{ viewer { subject customer { id } } }", token)
        assert data_of(answer.json())["viewer"]["subject"] == subject
        assert answer.headers["x-cache"] == "MISS"


def test_impersonated_and_anonymous_requests_bypass_the_cache(gateway, accounts):
    mine = accounts[0]
    helper = token_for(
        PrincipalKind.STAFF, scopes=READ_SCOPES | {CUSTOMERS_IMPERSONATE}, subject="staff-h"
    )
    for _ in range(2):  # each impersonated request is audited, so each one runs
        answer = post(gateway, MY_ORDERS, helper, headers={"X-Act-As-Customer": mine.customer_id})
        assert data_of(answer.json())["viewer"]["customer"]["id"] == mine.customer_id
        assert answer.headers["x-cache"] == "BYPASS"
        assert post(gateway, "{ __typename }", None).headers["x-cache"] == "BYPASS"


def test_a_client_may_refresh_or_skip_the_cache(gateway):
    staff = token_for(PrincipalKind.STAFF)
    post(gateway, PRODUCTS, staff)
    refreshed = post(gateway, PRODUCTS, staff, headers={"Cache-Control": "no-cache"})
    assert refreshed.headers["x-cache"] == "MISS"
    assert post(gateway, PRODUCTS, staff).headers["x-cache"] == "HIT"
    skipped = post(gateway, PRODUCTS, staff, headers={"Cache-Control": "no-store"})
    assert skipped.headers["x-cache"] == "BYPASS"


def test_unknown_ids_are_asked_again(gateway):
    missing = '{ order(id: "T3JkZXI6OTk5OTk5") { id } }'
    for _ in range(2):
        answer = post(gateway, missing, token_for(PrincipalKind.STAFF))
        assert error_codes(answer.json()) == ["NOT_FOUND"]
        assert answer.headers["x-cache"] == "MISS"


PLACE = """
mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) { receipt { status order { id } } userErrors { code } }
}
"""


def test_a_mutation_is_never_replayed_and_evicts_what_it_changed(writing_gateway, accounts):
    mine = accounts[0]
    customer = token_for(
        PrincipalKind.CUSTOMER, scopes=WRITE_SCOPES, customer_id=mine.customer_id, subject="buyer"
    )
    before = post(writing_gateway, MY_ORDERS, customer)
    assert post(writing_gateway, MY_ORDERS, customer).headers["x-cache"] == "HIT"
    count = data_of(before.json())["viewer"]["customer"]["orders"]["totalCount"]
    sku = next(
        node["sku"]
        for node in data_of(post(writing_gateway, PRODUCTS, customer).json())["products"]["nodes"]
        if float(node["stock"]["available"]["value"]) > 5
    )
    order = {"input": {"lines": [{"sku": sku, "quantity": "1"}]}}
    for _ in range(2):  # the same body twice: two orders, neither answered from the cache
        placed = post(writing_gateway, PLACE, customer, order)
        assert data_of(placed.json())["placeOrder"]["receipt"]["status"] == "CONFIRMED"
        assert placed.headers["x-cache"] == "MISS"
    # A replay of an idempotent order answers from the queue and changes nothing: it
    # still runs every time, as the queue (not the cache) answers for it.
    keyed = {"input": {**order["input"], "idempotencyKey": "cache-test"}}
    for _ in range(3):
        placed = post(writing_gateway, PLACE, customer, keyed)
        assert data_of(placed.json())["placeOrder"]["receipt"]["order"]
        assert placed.headers["x-cache"] == "MISS"
    # The worker invalidated the customer's orders: the cached list is gone with them.
    after = post(writing_gateway, MY_ORDERS, customer)
    assert after.headers["x-cache"] == "MISS"
    assert data_of(after.json())["viewer"]["customer"]["orders"]["totalCount"] == count + 3


def test_the_mobile_examples_answer_alike_from_the_cache(gateway, accounts):
    mine = accounts[0]
    operations = Path(__file__).parents[2] / "mobile_examples" / "operations"
    sku = data_of(post(gateway, PRODUCTS, mine.token()).json())["products"]["nodes"][0]["sku"]
    runs = {
        "MyOrders": {"first": 5},
        "OrderDetail": {"id": mine.order_id},
        "ProductWithStock": {"sku": sku},
    }
    for name, variables in runs.items():
        operation = (operations / f"{name}.graphql").read_text()
        first = post(gateway, operation, mine.token(), variables)
        data_of(first.json())
        again = post(gateway, operation, mine.token(), variables)
        assert again.headers["x-cache"] == "HIT", name
        assert again.json() == first.json()
