"""Persisted operations over HTTP: Apollo's automatic persisted queries, and trusted
documents that customers and partners are limited to, attacked as a client would."""

import hashlib
import json
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from gateway.auth.principal import PrincipalKind
from gateway.config import AuthSettings, GraphQLSettings
from gateway.persisted_documents import operations_manifest
from tests.harness import (
    STAFF_TOKEN,
    TEST_SECRET,
    EmulatorCalls,
    bearer,
    data_of,
    error_codes,
    odoo_settings,
    own_queue,
    send,
    token_for,
)
from tests.inprocess import in_process_gateway, serve_in_process
from tests.security.conftest import WRITE_SCOPES

OPERATIONS = Path(__file__).parents[2] / "mobile_examples/operations"
MANIFEST = operations_manifest(OPERATIONS)
BY_NAME = {document.split("(")[0].split()[1]: h for h, document in MANIFEST.items()}
PRODUCTS = "query Products { products(first: 2) { nodes { sku } } }"
TYPENAME = "query Anonymous { __typename }"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(sha: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha}}


# A client of the GraphQL-over-HTTP spec names its media type (one sending */* or no
# Accept gets application/json); these tests speak both, this one unless they say.
GRAPHQL_RESPONSE = "application/graphql-response+json"


def post(target, body, *, token=STAFF_TOKEN, accept=GRAPHQL_RESPONSE):
    headers = {**(bearer(token) if token else {}), **({"Accept": accept} if accept else {})}
    return send(target, "POST", "/graphql", json=body, headers=headers, timeout=30)


def get(target, params, *, token=STAFF_TOKEN, accept=GRAPHQL_RESPONSE):
    headers = {**(bearer(token) if token else {}), **({"Accept": accept} if accept else {})}
    return send(target, "GET", "/graphql", params=params, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def trusted_gateway(own_odoo, auth_store):
    """Customers and partners limited to the mobile examples' manifest; it writes (into
    the module's own Odoo emulator), so PlaceOrder runs as well."""
    graphql = GraphQLSettings(
        persisted_documents=MANIFEST, persisted_only_for=frozenset({"customer", "partner"})
    )
    settings = replace(
        odoo_settings("http://erp.in-process"),
        graphql=graphql,
        auth=AuthSettings(secret=TEST_SECRET, store=auth_store),
        queue=own_queue(sync_wait_ms=20_000),
    )
    with in_process_gateway(settings, {"erp": own_odoo}) as client:
        yield client


@pytest.fixture(scope="module")
def emulator_calls(own_odoo):
    with serve_in_process(own_odoo) as client:
        yield EmulatorCalls(client)


@pytest.fixture(scope="module")
def emulator_calls_shared(odoo_emulator):
    """The calls of the session's emulator, behind the module's `gateway`."""
    return EmulatorCalls(odoo_emulator)


# --- Automatic persisted queries -----------------------------------------------------


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, "application/json"])
def test_an_unknown_hash_answers_persisted_query_not_found_as_apollo_expects(gateway, accept):
    sha = sha256(f"{{ a{accept} }}")
    response = post(gateway, {"extensions": persisted(sha)}, accept=accept, token=None)

    assert response.status_code == 200  # under either media type: Apollo's link retries
    # No shared cache keeps the miss: the client registers the document next. (With
    # credentials the edge's `no-store` says as much.)
    assert response.headers["cache-control"] == "private, no-cache, must-revalidate"
    answer = response.json()
    assert answer == {
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
    }


def test_a_query_sent_with_its_hash_is_registered_and_runs_by_hash_after(gateway):
    query = "query Registered { products(first: 3) { nodes { sku } } }"
    sha = sha256(query)
    assert error_codes(post(gateway, {"extensions": persisted(sha)}).json()) == [
        "PERSISTED_QUERY_NOT_FOUND"
    ]

    registered = post(gateway, {"query": query, "extensions": persisted(sha)})
    by_hash = post(gateway, {"extensions": persisted(sha.upper())})

    assert registered.status_code == by_hash.status_code == 200
    assert data_of(by_hash.json()) == data_of(registered.json())
    assert len(data_of(by_hash.json())["products"]["nodes"]) == 3


def test_a_persisted_query_runs_by_get_with_its_variables(gateway):
    query = "query BySku($first: Int!) { products(first: $first) { nodes { sku } } }"
    sha = sha256(query)
    params = {"extensions": json.dumps(persisted(sha)), "variables": json.dumps({"first": 2})}

    # A browser-like Accept would get GraphiQL for a GET without `query`; not this one.
    missed = get(gateway, params, accept="text/html,*/*")
    post(gateway, {"query": query, "variables": {"first": 1}, "extensions": persisted(sha)})
    found = get(gateway, params)

    assert missed.status_code == 200
    assert error_codes(missed.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert len(data_of(found.json())["products"]["nodes"]) == 2


def test_a_registered_mutation_is_not_run_by_get(gateway, emulator_calls_shared):
    """GET is for queries (a link, a prefetch, a CDN may send it again): a mutation
    named by its hash is refused there as it is in full."""
    query = 'mutation Cancel { cancelOrder(input: {orderId: "T3JkZXI6MQ=="}) { __typename } }'
    sha = sha256(query)
    post(gateway, {"query": query, "extensions": persisted(sha)}, token=None)  # registers it
    emulator_calls_shared.reset()

    response = get(gateway, {"extensions": json.dumps(persisted(sha))})

    assert response.status_code == 400
    assert "data" not in response.json()
    assert response.json()["errors"][0]["message"] == "mutations are not allowed when using GET"
    assert emulator_calls_shared.total() == 0


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, "application/json"])
def test_a_hash_that_is_not_the_querys_is_refused_and_registers_nothing(gateway, accept):
    query = "query Mismatch { products(first: 1) { nodes { sku } } }"
    claimed = sha256("query Other { __typename }")

    response = post(gateway, {"query": query, "extensions": persisted(claimed)}, accept=accept)
    later = post(gateway, {"extensions": persisted(claimed)})

    assert response.status_code == (400 if accept == GRAPHQL_RESPONSE else 200)  # request error
    answer = response.json()
    assert "data" not in answer
    assert error_codes(answer) == ["PERSISTED_QUERY_HASH_MISMATCH"]
    assert answer["errors"][0]["message"].startswith("provided sha does not match query")
    assert error_codes(later.json()) == ["PERSISTED_QUERY_NOT_FOUND"]


@pytest.mark.parametrize(
    "query",
    [
        "{ produts { id } }",
        "{ products(first: 1) { nodes { sku } ",
        "{ " + " ".join(f"a{n}: __typename" for n in range(40)) + " }",
    ],
    ids=["invalid", "unparsable", "over-a-limit"],
)
def test_a_document_that_fails_parsing_validation_or_limits_is_not_registered(gateway, query):
    sha = sha256(query)

    refused = post(gateway, {"query": query, "extensions": persisted(sha)}, token=None)
    later = post(gateway, {"extensions": persisted(sha)}, token=None)

    assert "data" not in refused.json()
    assert error_codes(later.json()) == ["PERSISTED_QUERY_NOT_FOUND"]


@pytest.mark.parametrize(
    ("persisted_query", "says"),
    [
        ({"version": 1, "sha256Hash": "abc123"}, "sha256Hash: expected a SHA-256 hash"),
        ({"version": 1, "sha256Hash": "z" * 64}, "sha256Hash: expected a SHA-256 hash"),
        ({"version": 1, "sha256Hash": "a" * 65}, "sha256Hash: expected a SHA-256 hash"),
        ({"version": 1, "sha256Hash": 12}, "sha256Hash: expected a SHA-256 hash, 64 hex"),
        ({"version": 1}, "sha256Hash: expected a SHA-256 hash"),
        ({"version": 2, "sha256Hash": "a" * 64}, "only version 1 is supported, got 2"),
        ({"version": True, "sha256Hash": "a" * 64}, "only version 1 is supported, got True"),
        ("a" * 64, 'extensions.persistedQuery: expected {"version": 1'),
    ],
)
def test_a_malformed_persisted_query_is_a_bad_request_naming_it(gateway, persisted_query, says):
    response = post(gateway, {"extensions": {"persistedQuery": persisted_query}}, token=None)

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_REQUEST"}
    assert says in error["message"]


def test_registered_documents_are_bounded_least_recently_used_first(odoo_emulator_app):
    """An anonymous caller registering document after document pushes out only the
    oldest: the store never holds more than `apq_max_documents`."""
    graphql = GraphQLSettings(apq_max_documents=3)
    settings = replace(odoo_settings("http://erp.in-process"), graphql=graphql)
    queries = [f"query Q{n} {{ __typename }}" for n in range(6)]
    with in_process_gateway(settings, {"erp": odoo_emulator_app}) as client:
        for query in queries:
            sent = {"query": query, "extensions": persisted(sha256(query))}
            assert data_of(post(client, sent, token=None).json())
        found = [
            error_codes(post(client, {"extensions": persisted(sha256(q))}, token=None).json())
            for q in queries
        ]

    assert found == [["PERSISTED_QUERY_NOT_FOUND"]] * 3 + [[]] * 3


def test_with_apq_off_a_hash_alone_is_not_supported(odoo_emulator_app):
    settings = replace(odoo_settings("http://erp.in-process"), graphql=GraphQLSettings(apq=False))
    with in_process_gateway(settings, {"erp": odoo_emulator_app}) as client:
        with_query = post(client, {"query": TYPENAME, "extensions": persisted(sha256(TYPENAME))})
        alone = post(client, {"extensions": persisted(sha256(TYPENAME))})

    assert data_of(with_query.json()) == {"__typename": "Query"}
    assert alone.status_code == 200
    assert error_codes(alone.json()) == ["PERSISTED_QUERY_NOT_SUPPORTED"]


# --- Trusted documents ---------------------------------------------------------------


@pytest.fixture(scope="module")
def customer(accounts):
    return accounts[0]


def test_a_customer_may_not_run_a_free_form_query(trusted_gateway, customer, emulator_calls):
    emulator_calls.reset()
    response = post(trusted_gateway, {"query": PRODUCTS}, token=customer.token())

    assert response.status_code == 400
    answer = response.json()
    assert "data" not in answer
    assert error_codes(answer) == ["PERSISTED_QUERY_REQUIRED"]
    assert "trusted documents" in answer["errors"][0]["message"]
    assert emulator_calls.total() == 0  # nothing ran


def test_a_customer_runs_a_manifest_operation_by_hash(trusted_gateway, customer):
    sha = BY_NAME["MyOrders"]
    sent = {"extensions": persisted(sha), "variables": {"first": 2}}

    answer = post(trusted_gateway, sent, token=customer.token()).json()

    assert data_of(answer)["viewer"]["customer"]["id"] == customer.customer_id


def test_a_customer_runs_a_manifest_operation_sent_in_full(trusted_gateway, customer):
    text = MANIFEST[BY_NAME["MyOrders"]]

    alone = post(trusted_gateway, {"query": text}, token=customer.token()).json()
    with_hash = post(
        trusted_gateway,
        {"query": text, "extensions": persisted(sha256(text))},
        token=customer.token(),
    ).json()

    assert data_of(alone)["viewer"]["customer"]["id"] == customer.customer_id
    assert data_of(with_hash) == data_of(alone)


def test_the_text_must_be_the_manifests_exactly(trusted_gateway, customer):
    """The file as written (comments, layout) has another hash than the printed
    document the manifest holds."""
    file_text = (OPERATIONS / "MyOrders.graphql").read_text()

    answer = post(trusted_gateway, {"query": file_text}, token=customer.token()).json()

    assert error_codes(answer) == ["PERSISTED_QUERY_REQUIRED"]


def test_a_customer_cannot_run_or_register_a_document_another_client_registered(
    trusted_gateway, customer
):
    sha = sha256(PRODUCTS)
    registered = post(trusted_gateway, {"query": PRODUCTS, "extensions": persisted(sha)})
    assert data_of(registered.json())  # staff registered it

    by_hash = post(trusted_gateway, {"extensions": persisted(sha)}, token=customer.token())
    in_full = post(
        trusted_gateway, {"query": PRODUCTS, "extensions": persisted(sha)}, token=customer.token()
    )

    # The same answer as for an unknown hash: Apollo's link then sends the text, refused.
    assert by_hash.status_code == 200
    assert error_codes(by_hash.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert error_codes(in_full.json()) == ["PERSISTED_QUERY_REQUIRED"]


def test_a_manifest_operation_still_answers_only_the_customers_own_objects(
    trusted_gateway, accounts
):
    mine, theirs = accounts
    sent = {"extensions": persisted(BY_NAME["OrderDetail"]), "variables": {"id": theirs.order_id}}

    answer = post(trusted_gateway, sent, token=mine.token()).json()

    assert error_codes(answer) == ["NOT_FOUND"]
    assert answer["data"] == {"order": None}


def test_a_partner_is_limited_to_the_manifest_too(trusted_gateway, customer):
    token = token_for(
        PrincipalKind.PARTNER, subject="partner:acme", customer_id=customer.customer_id
    )

    free_form = post(trusted_gateway, {"query": PRODUCTS}, token=token).json()

    assert error_codes(free_form) == ["PERSISTED_QUERY_REQUIRED"]


def test_staff_and_strangers_keep_free_form_queries(trusted_gateway):
    as_staff = post(trusted_gateway, {"query": PRODUCTS}).json()
    anonymous = post(trusted_gateway, {"query": TYPENAME}, token=None).json()

    assert len(data_of(as_staff)["products"]["nodes"]) == 2
    assert data_of(anonymous) == {"__typename": "Query"}


def test_every_mobile_example_runs_by_hash_for_its_customer(trusted_gateway, customer):
    token = customer.token(scopes=WRITE_SCOPES)

    def run(name, variables):
        sent = {"extensions": persisted(BY_NAME[name]), "variables": variables}
        return data_of(post(trusted_gateway, sent, token=token).json())

    orders = run("MyOrders", {"first": 1})["viewer"]["customer"]["orders"]["nodes"]
    order = run("OrderDetail", {"id": orders[0]["id"]})["order"]
    sku = order["lines"][0]["product"]["sku"]
    product = run("ProductWithStock", {"sku": sku})["product"]
    line = {"sku": sku, "quantity": "1"}
    placed = run("PlaceOrder", {"lines": [line], "idempotencyKey": uuid.uuid4().hex})

    assert order["id"] == orders[0]["id"]
    assert product["sku"] == sku
    assert placed["placeOrder"]["userErrors"] == []
    assert placed["placeOrder"]["receipt"]["status"] == "CONFIRMED"
