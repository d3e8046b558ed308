"""What clients see when something fails: a code, never a stack trace or backend text."""

from contextlib import contextmanager

import pytest

from erp_backends.emulation.faults import FaultOptions
from erp_backends.http import Resilience
from erp_backends.odoo.emulator import EmulatorOptions, create_app
from erp_backends.rate_limit import RateLimit
from gateway.secrets import Secret
from gateway.wiring.backends import Backends
from tests.harness import (
    ODOO_PROTOCOLS,
    STAFF_TOKEN,
    bearer,
    data_of,
    error_codes,
    graphql,
    odoo_settings,
    running_gateway,
)
from tests.resolvers.queries import encode
from tests.servers import bind_free_socket, serve_in_thread

CUSTOMER = "query C($id: ID!) { customer(id: $id) { id name } }"
TWO_FIELDS = """
query Two($known: ID!, $unknown: ID!) {
  known: customer(id: $known) { id name }
  unknown: customer(id: $unknown) { id name }
}
"""


@contextmanager
def emulator_with(**faults):
    app = create_app(EmulatorOptions(faults=FaultOptions(**faults)))
    with serve_in_thread(app) as url:
        yield url


def assert_clean(answer, code):
    """One error with `code`, naming the erp backend, with nothing internal in it."""
    assert answer["data"] == {"customer": None}
    assert error_codes(answer) == [code]
    error = answer["errors"][0]
    assert error["extensions"]["backend"] == "erp"
    assert error["extensions"]["requestId"]
    text = str(answer)
    for leak in ("Traceback", "admin", "jsonrpc", "res.partner", "127.0.0.1"):
        assert leak not in text, f"{leak!r} leaked into {text}"


@pytest.mark.slow
def test_an_unreachable_odoo_is_backend_unavailable():
    closed = bind_free_socket()
    port = closed.getsockname()[1]
    closed.close()
    with running_gateway(odoo_settings(f"http://127.0.0.1:{port}")) as gateway:
        answer = graphql(
            gateway, CUSTOMER, {"id": encode("Customer", 1)}, headers={"X-Request-ID": "trace-42"}
        )
    assert_clean(answer, "BACKEND_UNAVAILABLE")
    assert answer["errors"][0]["message"] == "The erp backend is unavailable"
    assert answer["errors"][0]["extensions"]["requestId"] == "trace-42"  # the client's, as logged


@pytest.mark.slow
def test_a_failing_odoo_is_backend_unavailable():
    with emulator_with(fail_rate=1.0) as odoo, running_gateway(odoo_settings(odoo)) as gateway:
        answer = graphql(gateway, CUSTOMER, {"id": encode("Customer", 1)})
        assert_clean(answer, "BACKEND_UNAVAILABLE")


@pytest.mark.slow
def test_a_slow_odoo_is_backend_timeout():
    # The answer comes long after the 0.1 s timeout: a busy machine can stall the gateway
    # past the timeout, but not for 30 s. (Stopping the emulator cancels the wait.)
    with (
        emulator_with(latency_ms=30_000) as odoo,
        running_gateway(
            odoo_settings(odoo, resilience=Resilience(timeout_s=0.1, retries=0))
        ) as gateway,
    ):
        assert_clean(graphql(gateway, CUSTOMER, {"id": encode("Customer", 1)}), "BACKEND_TIMEOUT")


@pytest.mark.slow
def test_a_throttling_odoo_is_backend_rate_limited_with_its_retry_after():
    with (
        emulator_with(rate_limit=RateLimit(1, 60.0)) as odoo,
        running_gateway(odoo_settings(odoo)) as gateway,
    ):
        answer = graphql(gateway, CUSTOMER, {"id": encode("Customer", 1)})
    assert_clean(answer, "BACKEND_RATE_LIMITED")
    assert answer["errors"][0]["extensions"]["retryAfter"] > 0


@pytest.mark.parametrize("protocol", ODOO_PROTOCOLS)
def test_refused_credentials_are_a_backend_error(odoo_emulator_url, protocol):
    settings = odoo_settings(odoo_emulator_url, protocol=protocol, credentials=Secret("wrong"))
    with running_gateway(settings) as gateway:
        answer = graphql(gateway, CUSTOMER, {"id": encode("Customer", 1)})
    assert_clean(answer, "BACKEND_ERROR")
    assert "wrong" not in str(answer)


def test_one_failing_field_leaves_the_others(gateway, customer_id):
    variables = {"known": customer_id, "unknown": encode("Customer", 999999)}
    answer = graphql(gateway, TWO_FIELDS, variables)
    assert answer["data"]["known"]["id"] == customer_id
    assert answer["data"]["unknown"] is None
    assert error_codes(answer) == ["NOT_FOUND"]
    assert answer["errors"][0]["path"] == ["unknown"]


class ExplodingErp:
    """A backend with a bug: every call raises something unexpected."""

    def __getattr__(self, name):
        async def explode(*args, **kwargs):
            raise RuntimeError("secret internal detail")

        return explode


@pytest.mark.slow
def test_unexpected_errors_are_masked_and_carry_the_request_id():
    settings = odoo_settings("http://127.0.0.1:9")
    with running_gateway(settings, backends=Backends(erp=ExplodingErp())) as gateway:
        variables = {"id": encode("Customer", 1)}
        answer = graphql(gateway, CUSTOMER, variables, headers={"X-Request-ID": "req-42"})
    assert error_codes(answer) == ["INTERNAL_SERVER_ERROR"]
    assert answer["errors"][0]["message"] == "Internal server error"
    assert answer["errors"][0]["extensions"]["requestId"] == "req-42"
    assert "secret internal detail" not in str(answer)


def test_invalid_and_too_deep_queries_are_refused_before_any_backend_call(gateway, emulator_calls):
    emulator_calls.reset()
    syntax = graphql(gateway, "{ customer(id: ")
    unknown_field = graphql(gateway, "{ products(first: 1) { nodes { price } } }")
    levels = 6
    deep = '{ order(id: "x") { ' + "customer { orders { nodes { " * levels + "id"
    too_deep = graphql(gateway, deep + " } } }" * levels + " } }")
    assert error_codes(syntax) == ["GRAPHQL_PARSE_FAILED"]
    assert error_codes(unknown_field) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "GRAPHQL_VALIDATION_FAILED" in error_codes(too_deep)
    assert "exceeds maximum operation depth" in str(too_deep)
    assert emulator_calls.total() == 0


def test_graphiql_is_served_to_browsers_and_health_answers(gateway):
    page = gateway.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert gateway.get("/healthz").json() == {"status": "ok"}


def test_the_root_sends_a_browser_to_graphiql(gateway):
    root = gateway.get("/", headers={"Accept": "text/html"}, follow_redirects=False)
    assert (root.status_code, root.headers["location"]) == (302, "/graphql")
    page = gateway.get("/", headers={"Accept": "text/html"}, follow_redirects=True)
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


def test_a_good_query_has_no_errors(gateway, customer_id):
    assert data_of(graphql(gateway, CUSTOMER, {"id": customer_id}))["customer"]["name"]


@pytest.mark.parametrize(
    ("accept", "media_type", "status"),
    [
        (None, "application/json", 200),
        ("*/*", "application/json", 200),
        ("application/json", "application/json", 200),
        ("application/graphql-response+json", "application/graphql-response+json", 400),
        (
            "application/graphql-response+json, application/json;q=0.9",
            "application/graphql-response+json",
            400,
        ),
        ("application/json, application/graphql-response+json;q=0.5", "application/json", 200),
    ],
)
def test_only_a_client_that_names_graphql_response_json_gets_it(
    gateway, accept, media_type, status
):
    # GraphQL over HTTP: without Accept, or with */*, a server SHOULD answer
    # application/json (where a document that fails validation is still 200).
    request = gateway.build_request(
        "POST", "/graphql", json={"query": "{ nope }"}, headers=bearer(STAFF_TOKEN)
    )
    del request.headers["accept"]
    if accept is not None:
        request.headers["accept"] = accept
    answer = gateway.send(request)
    assert (answer.headers["content-type"], answer.status_code) == (media_type, status)
    assert error_codes(answer.json()) == ["GRAPHQL_VALIDATION_FAILED"]
