"""Traces exported to an OTLP/HTTP collector on loopback: the request's span, a span per
resolver batch and per backend call in one trace, the client's `traceparent` honoured
and the backend's `traceparent` of the same trace."""

from __future__ import annotations

from dataclasses import replace

import pytest

from erp_backends.odoo import emulator as odoo
from gateway.config import Settings, TelemetrySettings
from gateway.observability.telemetry import Telemetry
from tests.gateway.observability.collector import HeaderRecorder, otlp_collector
from tests.harness import data_of, graphql, odoo_settings, running_gateway
from tests.servers import serve_in_thread

pytestmark = pytest.mark.slow  # a collector, an emulator and the gateway on sockets

CUSTOMERS = """
query CustomersAndOrders {
  customers(first: 2) { nodes { name orders(first: 2) { nodes { number } } } }
}
"""
CLIENT_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_SPAN_ID = "00f067aa0ba902b7"
SERVER, CLIENT = 2, 3  # opentelemetry.proto's Span.SpanKind


def traced(settings: Settings, collector: str) -> Settings:
    return replace(settings, telemetry=TelemetrySettings(otlp_endpoint=collector))


def test_one_trace_holds_the_request_its_batches_and_backend_calls():
    recorder = HeaderRecorder(odoo.create_app(odoo.EmulatorOptions(seed=1)))
    with (
        otlp_collector() as (collector, collected),
        serve_in_thread(recorder) as erp,
        running_gateway(traced(odoo_settings(erp), collector)) as gateway,
    ):
        # When a client that traces sends a query with its traceparent
        parent = f"00-{CLIENT_TRACE_ID}-{CLIENT_SPAN_ID}-01"
        data_of(graphql(gateway, CUSTOMERS, headers={"traceparent": parent}))
    # (the gateway's lifespan has ended, and with it the batch of spans: all were sent)
    # Then the collector holds the request's span, a child of the client's span
    trace = [s for s in collected.spans if s.trace_id.hex() == CLIENT_TRACE_ID]
    by_id = {span.span_id: span for span in trace}
    (request,) = [s for s in trace if s.kind == SERVER]
    assert request.parent_span_id.hex() == CLIENT_SPAN_ID
    assert request.name == "query CustomersAndOrders"
    attributes = {a.key: a.value for a in request.attributes}
    assert attributes["graphql.operation.name"].string_value == "CustomersAndOrders"
    assert attributes["erp_gateway.outcome"].string_value == "ok"
    # and a span per resolver batch under it, the customers and then their orders
    batches = [s for s in trace if s.name.startswith("batch ")]
    assert {s.name for s in batches} >= {
        "batch erp.customer_search search_customers",
        "batch erp.orders_by_customer orders_for_customers",
    }
    assert all(by_id[s.parent_span_id].kind == SERVER for s in batches)
    # and a span per backend call under a batch
    calls = [s for s in trace if s.kind == CLIENT]
    assert calls
    assert all(s.name == "POST erp" for s in calls)
    assert all(by_id[s.parent_span_id].name.startswith("batch ") for s in calls)
    # and the emulator received each call's traceparent, of this trace
    call_ids = {s.span_id.hex() for s in calls}
    received = [t for t in recorder.traceparents if t and CLIENT_TRACE_ID in t]
    assert {t.split("-")[2] for t in received} == call_ids
    assert collected.service_names == {"erp-gateway"}


def test_a_request_without_traceparent_starts_a_trace_of_its_own():
    recorder = HeaderRecorder(odoo.create_app(odoo.EmulatorOptions(seed=1)))
    with (
        otlp_collector() as (collector, collected),
        serve_in_thread(recorder) as erp,
        running_gateway(traced(odoo_settings(erp), collector)) as gateway,
    ):
        data_of(graphql(gateway, CUSTOMERS))
    (request,) = [s for s in collected.spans if s.kind == SERVER]
    assert request.parent_span_id == b""
    trace_id = request.trace_id.hex()
    assert all(s.trace_id.hex() == trace_id for s in collected.spans)
    assert recorder.traceparents
    assert all(t is not None and t.split("-")[1] == trace_id for t in recorder.traceparents)


def test_without_an_endpoint_nothing_is_traced():
    # Given no [telemetry] otlp_endpoint
    recorder = HeaderRecorder(odoo.create_app(odoo.EmulatorOptions(seed=1)))
    with serve_in_thread(recorder) as erp:
        settings = odoo_settings(erp)
        assert not Telemetry.from_settings(settings).on
        with running_gateway(settings) as gateway:
            parent = f"00-{CLIENT_TRACE_ID}-{CLIENT_SPAN_ID}-01"
            data_of(graphql(gateway, CUSTOMERS, headers={"traceparent": parent}))
    # Then no backend call carries a traceparent: there is no tracer at all
    assert recorder.traceparents
    assert recorder.traceparents == [None] * len(recorder.traceparents)
