"""The gateway's Prometheus metrics, in a registry of the app's own.

Counted as things happen (a few dict lookups and additions each): requests, backend
calls, rate-limit refusals. Read only when scraped, so they cost the requests nothing:
the cache's hit, miss and stale counts (`CacheStats`), each backend's circuit state,
the command queue's depth by status. Every label has a bounded set of values: backend
roles, HTTP methods, principal kinds, outcomes the code names, and operation names
bounded by `OperationNames`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from erp_backends.http import CircuitBreaker
from gateway.auth.principal import PrincipalKind
from gateway.cache.caching import CacheStats
from gateway.commands.model import CommandStatus
from gateway.observability.operations import OperationNames

log = logging.getLogger("erp_gateway.metrics")

# Seconds: a cached answer takes a few ms, a federated query a few hundred.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
BACKEND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
PRINCIPAL_KINDS = frozenset(kind.value for kind in PrincipalKind)
CIRCUIT_STATES = ("closed", "open", "half-open")
QUEUE_READ_TIMEOUT_S = 2.0  # a scrape waits this long for the queue's counts, then skips them

QueueCounts = Callable[[], Awaitable[Mapping[CommandStatus, int]]]


class GatewayMetrics:
    """Every metric of one gateway app, and what to record them with."""

    def __init__(self, operations: OperationNames | None = None) -> None:
        self.registry = CollectorRegistry()
        self.operations = operations or OperationNames()
        self.requests = Counter(
            "erp_gateway_requests",
            "GraphQL requests by operation name and outcome",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "erp_gateway_request_duration_seconds",
            "Time from a GraphQL request's arrival to the end of its answer",
            ["operation"],
            buckets=REQUEST_BUCKETS,
            registry=self.registry,
        )
        self.backend_calls = Counter(
            "erp_gateway_backend_calls",
            "Requests sent to a backend, by backend role, HTTP method and outcome",
            ["backend", "method", "outcome"],
            registry=self.registry,
        )
        self.backend_seconds = Histogram(
            "erp_gateway_backend_call_duration_seconds",
            "Time a backend took to answer one request",
            ["backend", "method"],
            buckets=BACKEND_BUCKETS,
            registry=self.registry,
        )
        self.rate_limit_refusals = Counter(
            "erp_gateway_rate_limit_refusals",
            "Requests refused by the per-client rate limit, by principal kind",
            ["kind"],
            registry=self.registry,
        )
        # Each label set's samples, found without `labels()` (its checks and lock take
        # twice as long as the count itself). Bounded as the labels are.
        self._request_children: dict[tuple[str, str], tuple[Counter, Histogram]] = {}
        self._call_children: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}
        self.scraped = ScrapedState()
        self.registry.register(self.scraped)
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)

    def request(self, operation: str, outcome: str, seconds: float) -> None:
        """One GraphQL request; `operation` is already a bounded label."""
        key = (operation, outcome)
        children = self._request_children.get(key)
        if children is None:
            children = (self.requests.labels(*key), self.request_seconds.labels(operation))
            self._request_children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def backend_call(self, backend: str, method: str, outcome: str, seconds: float) -> None:
        key = (backend, method, outcome)
        children = self._call_children.get(key)
        if children is None:
            verb = method if method in HTTP_METHODS else "OTHER"
            children = (
                self.backend_calls.labels(backend, verb, outcome),
                self.backend_seconds.labels(backend, verb),
            )
            self._call_children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def rate_limit_refusal(self, kind: str) -> None:
        """One request refused by the per-client rate limit, for a principal of `kind`
        (a `PrincipalKind` or its value)."""
        value = str(kind)
        self.rate_limit_refusals.labels(value if value in PRINCIPAL_KINDS else "other").inc()

    async def exposition(self) -> bytes:
        """The metrics in Prometheus's text format, the queue's depth read first."""
        await self.scraped.read_queue()
        return generate_latest(self.registry)


class ScrapedState(Collector):
    """What is read from the gateway's own state when scraped, not counted per request."""

    def __init__(self) -> None:
        self.cache: CacheStats | None = None
        self.breakers: dict[str, CircuitBreaker] = {}
        self.queue: QueueCounts | None = None
        self._queue_counts: Mapping[CommandStatus, int] | None = None

    async def read_queue(self) -> None:
        self._queue_counts = None
        if self.queue is None:
            return
        try:
            self._queue_counts = await asyncio.wait_for(self.queue(), QUEUE_READ_TIMEOUT_S)
        except Exception as exc:  # a scrape goes on without the queue: its gauges are absent
            log.warning("metrics: cannot count the command queue: %s", type(exc).__name__)

    def collect(self) -> Iterator[Metric]:
        yield from self._cache_lookups()
        yield from self._circuits()
        yield from self._queue_depth()

    def _cache_lookups(self) -> Iterator[Metric]:
        if self.cache is None:
            return
        family = CounterMetricFamily(
            "erp_gateway_cache_lookups",
            "Record cache lookups by entity and outcome (hit, miss, stale served)",
            labels=["entity", "outcome"],
        )
        for (entity, outcome), count in sorted(self.cache.counts.items()):
            family.add_metric([entity.value, outcome], count)
        yield family

    def _circuits(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "erp_gateway_circuit_breaker_state",
            "1 for the state each backend's circuit breaker is in, 0 for the others",
            labels=["backend", "state"],
        )
        for backend, breaker in sorted(self.breakers.items()):
            current = breaker.state
            for state in CIRCUIT_STATES:
                family.add_metric([backend, state], 1.0 if state == current else 0.0)
        yield family

    def _queue_depth(self) -> Iterator[Metric]:
        counts = self._queue_counts
        if counts is None:
            return
        depth = GaugeMetricFamily(
            "erp_gateway_commands",
            "Commands in the durable queue by status",
            labels=["status"],
        )
        dead = 0
        for status, count in sorted(counts.items()):
            depth.add_metric([status.value], count)
            if status is CommandStatus.DEAD:
                dead = count
        yield depth
        yield GaugeMetricFamily(
            "erp_gateway_dead_letters",
            "Commands in the dead-letter list, waiting for `erp-gateway dlq replay`",
            value=dead,
        )
