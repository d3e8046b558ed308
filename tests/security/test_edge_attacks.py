"""The GraphQL edge under attack, over HTTP, as an anonymous caller would try it.

Each attack is refused with a JSON GraphQL error and a 4xx status, costs the gateway
little, never reaches a backend, logs no traceback, and leaves the event loop free to
answer /healthz.
"""

import logging
import threading
import time
from types import SimpleNamespace

import httpx
import pytest

from tests.harness import EmulatorCalls, error_codes, odoo_settings, running_gateway, send
from tests.security.attacks import (
    BAD_VARIABLES,
    GRAPHQL_RESPONSE_JSON,
    MALFORMED_BODIES,
    NESTED_CONNECTIONS,
    REPEATED_FIELDS,
    body,
    fragment_fan_out,
    raw_exchange,
)
from tests.security.conftest import socket_gateway

JSON = {"content-type": "application/json"}

gateway = pytest.fixture(scope="module", name="gateway")(socket_gateway)


def post(url, content: bytes, headers=None, timeout=30.0) -> httpx.Response:
    return send(
        url,
        "POST",
        "/graphql",
        content=content,
        # As a GraphQL-over-HTTP client: refusals come as 4xx (application/json: 200).
        headers={**JSON, "Accept": GRAPHQL_RESPONSE_JSON, **(headers or {})},
        timeout=timeout,
    )


def wait_until(condition, timeout_s=30.0):
    """Waits for `condition`; the deadline only bounds a failure."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.005)


@pytest.fixture
def calls(odoo_emulator_url):
    calls = EmulatorCalls(odoo_emulator_url)
    calls.reset()
    return calls


@pytest.fixture
def no_tracebacks(caplog):
    """Fails the test if anything logged at ERROR or with a traceback."""
    caplog.set_level(logging.INFO)
    yield
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not bad, [r.getMessage() for r in bad]


# 2^29 fields in 30 fragments: refused by its cost; 2^30 in 31: by the fragment count.
@pytest.mark.parametrize(
    ("levels", "code"), [(29, "COST_LIMIT_EXCEEDED"), (30, "GRAPHQL_VALIDATION_FAILED")]
)
def test_a_fragment_fan_out_is_refused_in_linear_time_while_health_answers(
    gateway, calls, no_tracebacks, levels, code
):
    # Given a 1 KB document that describes 2^levels fields, sent while /healthz is polled
    health: list[int] = []
    stop = threading.Event()

    def probe():
        with httpx.Client(timeout=30) as client:
            while not stop.is_set():
                health.append(client.get(f"{gateway}/healthz").status_code)

    prober = threading.Thread(target=probe)
    prober.start()
    wait_until(lambda: len(health) >= 1)
    cpu_before = time.process_time()
    try:
        # When it is posted
        answer = post(gateway, body(fragment_fan_out(levels)))
        cpu = time.process_time() - cpu_before
        answered_before = len(health)
        wait_until(lambda: len(health) > answered_before)  # the prober got through after it
    finally:
        stop.set()
        prober.join()

    # Then it is refused for well under a second of CPU (the whole test process: client,
    # prober and gateway), and /healthz kept answering
    assert answer.status_code == 400
    assert answer.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert error_codes(answer.json()) == [code]
    assert cpu < 1.0
    assert set(health) == {200}
    assert calls.total() == 0


def test_nested_connections_within_depth_are_refused_by_their_cost(gateway, calls):
    answer = post(gateway, body(NESTED_CONNECTIONS))

    assert answer.status_code == 400
    assert "data" not in answer.json()
    [error] = answer.json()["errors"]
    assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert error["extensions"]["maxCost"] == 250_000
    assert error["extensions"]["cost"] > 1_000_000
    assert "first" in error["message"]
    assert calls.total() == 0


def test_a_client_asking_for_application_json_gets_a_request_error_with_200(gateway):
    # The GraphQL-over-HTTP spec: application/json clients expect 200 for GraphQL errors.
    answer = post(gateway, body(NESTED_CONNECTIONS), headers={"Accept": "application/json"})

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert error_codes(answer.json()) == ["COST_LIMIT_EXCEEDED"]


def test_fields_repeated_a_thousand_times_are_refused_before_validation(gateway, no_tracebacks):
    answer = post(gateway, body(REPEATED_FIELDS))

    assert answer.status_code == 400
    assert error_codes(answer.json()) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "select each field once" in answer.json()["errors"][0]["message"]


@pytest.mark.parametrize("problem", MALFORMED_BODIES)
def test_a_malformed_body_is_a_json_bad_request(gateway, problem, no_tracebacks):
    answer = post(gateway, MALFORMED_BODIES[problem])

    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] in (GRAPHQL_RESPONSE_JSON, "application/json")
    assert error_codes(answer.json()) == ["BAD_REQUEST"]


@pytest.mark.parametrize("problem", BAD_VARIABLES)
def test_a_variable_its_type_refuses_is_bad_user_input(gateway, problem, calls, no_tracebacks):
    query, variables = BAD_VARIABLES[problem]

    answer = post(gateway, body(query, variables))

    assert answer.status_code == 400, answer.text
    assert "data" not in answer.json()
    assert error_codes(answer.json()) == ["BAD_USER_INPUT"]
    assert calls.total() == 0


def test_the_decimal_scalar_still_takes_plain_numbers(gateway):
    # Anonymous: the field refuses for want of a scope, after the variable was coerced.
    for quantity in ("2.5", "12", 3, 2.5):
        answer = post(gateway, body(BAD_VARIABLES["a Decimal 2,5"][0], {"quantity": quantity}))
        assert error_codes(answer.json()) == ["UNAUTHENTICATED"], (quantity, answer.text)


def test_a_body_over_the_limit_is_413_whether_declared_or_streamed(gateway):
    two_mib = b" " * (2 * 1024 * 1024)
    declared = post(gateway, two_mib)

    def chunks():
        for _ in range(32):
            yield b" " * 65536

    streamed = send(gateway, "POST", "/graphql", content=chunks(), headers=JSON, timeout=30)

    for answer in (declared, streamed):
        assert answer.status_code == 413
        assert error_codes(answer.json()) == ["BAD_REQUEST"]
        assert "1048576 bytes" in answer.json()["errors"][0]["message"]


def test_headers_over_the_limit_are_431(gateway):
    answer = send(
        gateway,
        "POST",
        "/graphql",
        content=body("{ __typename }"),
        headers={**JSON, "X-Padding": "a" * 20_000},
        timeout=30,
    )

    assert answer.status_code == 431
    assert error_codes(answer.json()) == ["BAD_REQUEST"]


def test_a_request_that_is_not_http_gets_json(gateway):
    answer = raw_exchange(gateway, b"NOT HTTP AT ALL\r\n\r\n")

    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b'"code": "BAD_REQUEST"' in answer


def test_without_an_operation_name_the_operation_measured_is_the_one_that_runs(gateway, calls):
    # strawberry runs the first operation; the costly second one never runs, uncounted.
    two = "query Small { __typename }\nquery Large " + NESTED_CONNECTIONS.strip()

    answer = post(gateway, body(two), headers={"X-Query-Cost": "1"})

    assert answer.json() == {"data": {"__typename": "Query"}, "extensions": {"cost": 1}}
    assert calls.total() == 0


def test_other_paths_and_methods_answer_json(gateway):
    missing = send(gateway, "GET", "/nope")
    wrong_method = send(gateway, "PUT", "/graphql", json={"query": "{ __typename }"})

    assert (missing.status_code, error_codes(missing.json())) == (404, ["NOT_FOUND"])
    assert (wrong_method.status_code, error_codes(wrong_method.json())) == (405, ["BAD_REQUEST"])
    assert wrong_method.headers["allow"] == "GET, POST"


def test_a_bug_is_a_json_500_with_the_request_id_and_a_logged_traceback(odoo_emulator_url, caplog):
    # Backends without an ERP: building the request's context fails, as a bug would.
    broken = SimpleNamespace(erp_writer=None, erp_live=None, cache=None)
    with running_gateway(odoo_settings(odoo_emulator_url), backends=broken) as url:
        answer = post(url, body("{ __typename }"), headers={"X-Request-ID": "bug-1"})

    assert answer.status_code == 500
    assert answer.json() == {
        "errors": [
            {"message": "Internal server error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
        ]
    }
    assert answer.headers["x-request-id"] == "bug-1"
    [logged] = [r for r in caplog.records if r.exc_info]
    assert "bug-1" in logged.getMessage()
