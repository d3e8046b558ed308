"""/metrics over the seed-1 emulators, in-process: names, labels, values that move after
real requests, the bound on operation names, and who may read it."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest
from prometheus_client import generate_latest

from erp_backends.emulation.faults import FaultOptions
from erp_backends.hubspot import emulator as hubspot
from gateway.auth.principal import PrincipalKind
from gateway.commands.queue import open_command_queue
from gateway.config import CacheSettings, Settings, TelemetrySettings
from gateway.limits.settings import DEFAULT_REQUESTS_PER_MINUTE, LimitsSettings
from gateway.observability.metrics import GatewayMetrics
from gateway.secrets import Secret
from tests.gateway.commands.queues import LEASE_S, T0, command
from tests.gateway.observability.metrics_reading import (
    METRICS_TOKEN,
    label_values,
    value,
)
from tests.harness import (
    STAFF_TOKEN,
    bearer,
    data_of,
    federated_settings,
    graphql,
    odoo_settings,
    own_queue,
)
from tests.inprocess import in_process_gateway

ERP, CRM = "http://erp.in-process", "http://crm.in-process"
METRICS = TelemetrySettings(metrics=True, metrics_token=Secret(METRICS_TOKEN))

PRODUCTS = "query Products { products(first: 3) { nodes { sku name } } }"
NAMED = "query {name} {{ products(first: 1) {{ nodes {{ sku }} }} }}"
INVALID = "query {name} {{ noSuchField }}"
CUSTOMERS_WITH_CRM = """
query CustomersWithCrm { customers(first: 2) { nodes { name crm { companyName } } } }
"""


def with_metrics(settings: Settings, **telemetry: Any) -> Settings:
    return replace(settings, telemetry=replace(METRICS, **telemetry))


def scrape(client) -> str:
    response = client.get("/metrics", headers=bearer(METRICS_TOKEN))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return response.text


@pytest.fixture(scope="module")
def gateway(odoo_emulator_app):
    """Metrics on, the record cache on (in memory), over the Odoo emulator."""
    settings = replace(with_metrics(odoo_settings(ERP)), cache=CacheSettings())
    with in_process_gateway(settings, {"erp": odoo_emulator_app}) as client:
        yield client


def test_requests_are_counted_by_operation_and_outcome_and_timed(gateway):
    # Given the counts before
    before = scrape(gateway)
    # When a named query runs
    data_of(graphql(gateway, PRODUCTS))
    # Then its count and its latency histogram moved by one
    after = scrape(gateway)
    counted = "erp_gateway_requests_total"
    assert value(after, counted, operation="Products", outcome="ok") == (
        value(before, counted, operation="Products", outcome="ok") + 1
    )
    timed = "erp_gateway_request_duration_seconds_count"
    assert (
        value(after, timed, operation="Products") == value(before, timed, operation="Products") + 1
    )
    assert (
        value(after, "erp_gateway_request_duration_seconds_bucket", operation="Products", le="+Inf")
        >= 1
    )


def test_refusals_before_graphql_are_counted_under_operation_none(gateway):
    before = scrape(gateway)
    response = gateway.post("/graphql", json={"query": PRODUCTS}, headers=bearer("not-a-jwt"))
    assert response.status_code == 401
    after = scrape(gateway)
    name = "erp_gateway_requests_total"
    labels = {"operation": "none", "outcome": "unauthenticated"}
    assert value(after, name, **labels) == value(before, name, **labels) + 1


def test_request_errors_are_rejected_and_partial_answers_are_partial(gateway):
    before = scrape(gateway)
    graphql(gateway, "query Broken { products(first: 1) { nodes { nope } } }")
    graphql(gateway, '{ order(id: "not-an-id") { number } }')  # data, and an error in a field
    after = scrape(gateway)
    name = "erp_gateway_requests_total"
    # A name that only failed validation takes no place among the labels: "other".
    rejected = {"operation": "other", "outcome": "rejected"}
    assert value(after, name, **rejected) == value(before, name, **rejected) + 1
    partial = {"operation": "anonymous", "outcome": "partial"}
    assert value(after, name, **partial) == value(before, name, **partial) + 1


def test_backend_calls_are_counted_and_timed_by_backend_and_method(gateway):
    before = scrape(gateway)
    data_of(graphql(gateway, '{ products(first: 2, search: "metrics-backend") { totalCount } }'))
    after = scrape(gateway)
    calls = "erp_gateway_backend_calls_total"
    labels = {"backend": "erp", "method": "POST", "outcome": "ok"}
    assert value(after, calls, **labels) > value(before, calls, **labels)
    timed = "erp_gateway_backend_call_duration_seconds_count"
    assert value(after, timed, backend="erp", method="POST") > value(
        before, timed, backend="erp", method="POST"
    )


def test_cache_lookups_show_hits_and_misses_by_entity(gateway):
    query = '{ products(first: 2, search: "metrics-cache") { nodes { sku } } }'
    before = scrape(gateway)
    data_of(graphql(gateway, query, headers={"Cache-Control": "no-store"}))  # a miss
    data_of(graphql(gateway, query, headers={"Cache-Control": "no-store"}))  # then a hit
    after = scrape(gateway)
    lookups = "erp_gateway_cache_lookups_total"
    entities = label_values(after, lookups, "entity")
    moved = {
        outcome
        for entity in entities
        for outcome in ("hit", "miss")
        if value(after, lookups, entity=entity, outcome=outcome)
        > value(before, lookups, entity=entity, outcome=outcome)
    }
    assert moved == {"hit", "miss"}


def test_circuit_state_and_queue_depth_are_shown(gateway):
    text = scrape(gateway)
    state = "erp_gateway_circuit_breaker_state"
    assert value(text, state, backend="erp", state="closed") == 1
    assert value(text, state, backend="erp", state="open") == 0
    assert label_values(text, "erp_gateway_commands", "status") >= {"queued", "running", "dead"}
    assert value(text, "erp_gateway_dead_letters") == 0


def test_queue_depth_and_dead_letters_follow_the_queue(odoo_emulator_app):
    # Given a gateway whose queue no worker drains
    settings = replace(with_metrics(odoo_settings(ERP)), queue=own_queue(worker=False))
    with in_process_gateway(settings, {"erp": odoo_emulator_app}) as client:
        before = scrape(client)
        # When two commands arrive and one of them goes to the dead-letter list
        asyncio.run(_two_commands_one_dead(settings.queue.connect_url()))
        after = scrape(client)
    # Then the gauges show it
    assert value(before, "erp_gateway_commands", status="queued") == 0
    assert value(before, "erp_gateway_dead_letters") == 0
    assert value(after, "erp_gateway_commands", status="queued") == 1
    assert value(after, "erp_gateway_commands", status="dead") == 1
    assert value(after, "erp_gateway_dead_letters") == 1


async def _two_commands_one_dead(url: str) -> None:
    queue = open_command_queue(url)
    try:
        first, _ = await queue.submit(command(1))
        await queue.submit(command(2))
        await queue.claim("test-worker", LEASE_S, T0)
        await queue.bury(first.id, "BACKEND_REQUEST_REFUSED")
    finally:
        await queue.close()


def test_backend_errors_and_an_open_circuit_are_shown(odoo_emulator_app):
    # Given a CRM that answers every call with 503, whose circuit opens after 2 failures
    failing = hubspot.create_app(hubspot.EmulatorOptions(seed=1, faults=FaultOptions(fail_rate=1)))
    settings = with_metrics(federated_settings(ERP, CRM, None, circuit_failures=2))
    emulators = {"erp": odoo_emulator_app, "crm": failing}
    with in_process_gateway(settings, emulators) as client:
        # When customers with their CRM profiles are asked for, twice
        for _ in range(2):
            graphql(client, CUSTOMERS_WITH_CRM)
        text = scrape(client)
    # Then the failed calls are counted, and the CRM's circuit is open
    calls = "erp_gateway_backend_calls_total"
    assert value(text, calls, backend="crm", method="POST", outcome="unavailable") == 2
    state = "erp_gateway_circuit_breaker_state"
    assert value(text, state, backend="crm", state="open") == 1
    assert value(text, state, backend="erp", state="closed") == 1
    assert (
        value(text, "erp_gateway_requests_total", operation="CustomersWithCrm", outcome="partial")
        == 2
    )


def test_operation_names_are_bounded(odoo_emulator_app):
    # Given room for two names beyond the (no) trusted documents
    settings = with_metrics(odoo_settings(ERP), max_operation_names=2)
    with in_process_gateway(settings, {"erp": odoo_emulator_app}) as client:
        # When a client sends invalid operations under many names, then valid ones
        for n in range(5):
            graphql(client, INVALID.format(name=f"Probe{n}"))
        for n in range(5):
            data_of(graphql(client, NAMED.format(name=f"Name{n}")))
        text = scrape(client)
    # Then the first two that ran have their own label, and the rest are "other"
    names = label_values(text, "erp_gateway_requests_total", "operation")
    assert names == {"Name0", "Name1", "other"}
    assert value(text, "erp_gateway_requests_total", operation="other", outcome="ok") == 3
    assert value(text, "erp_gateway_requests_total", operation="other", outcome="rejected") == 5


def test_rate_limit_refusals_are_counted_by_principal_kind():
    metrics = GatewayMetrics()
    metrics.rate_limit_refusal(PrincipalKind.PARTNER)
    metrics.rate_limit_refusal("partner")
    metrics.rate_limit_refusal("x" * 500)  # not a kind: never a label of its own
    text = generate_latest(metrics.registry).decode()
    name = "erp_gateway_rate_limit_refusals_total"
    assert value(text, name, kind="partner") == 2
    assert label_values(text, name, "kind") == {"partner", "other"}


def test_a_request_the_rate_limit_refuses_is_counted_by_kind(odoo_emulator_app):
    """The limiter's one refusal point reaches the metrics: a staff member allowed one
    request a minute is refused the second."""
    rates = {**DEFAULT_REQUESTS_PER_MINUTE, "staff": 1}
    settings = replace(
        with_metrics(odoo_settings(ERP)), limits=LimitsSettings(requests_per_minute=rates)
    )
    with in_process_gateway(settings, {"erp": odoo_emulator_app}) as client:
        assert graphql(client, PRODUCTS)["data"]
        refused = client.post("/graphql", json={"query": PRODUCTS}, headers=bearer(STAFF_TOKEN))
        assert refused.status_code == 429
        text = scrape(client)
    assert value(text, "erp_gateway_rate_limit_refusals_total", kind="staff") == 1
    counted = {"operation": "none", "outcome": "rate_limited"}
    assert value(text, "erp_gateway_requests_total", **counted) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        bearer("wrong-token-of-the-same-kind-0123456789ab"),
        {"Authorization": METRICS_TOKEN},  # the token without the scheme
        bearer(METRICS_TOKEN + "x"),
    ],
)
def test_metrics_need_the_bearer_token(gateway, headers):
    response = gateway.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "erp_gateway" not in response.text
    assert response.headers["www-authenticate"] == 'Bearer realm="metrics"'


def test_no_metrics_route_unless_turned_on(odoo_emulator_app):
    with in_process_gateway(odoo_settings(ERP), {"erp": odoo_emulator_app}) as client:
        response = client.get("/metrics", headers=bearer(METRICS_TOKEN))
    assert response.status_code == 404
