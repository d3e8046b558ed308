"""Sampling: a caller's traceparent is followed, but cannot force what the ratio drops."""

from __future__ import annotations

from opentelemetry.sdk.trace.sampling import Decision
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags, set_span_in_context

from gateway.observability.tracing import sampler

TRACE_ID = int("4bf92f3577b34da6a3ce929d0e0e4736", 16)  # above half the id space


def remote_parent(sampled: bool):
    flags = TraceFlags(TraceFlags.SAMPLED if sampled else TraceFlags.DEFAULT)
    span = SpanContext(TRACE_ID, 0x00F067AA0BA902B7, is_remote=True, trace_flags=flags)
    return set_span_in_context(NonRecordingSpan(span))


def decision(ratio: float, parent) -> Decision:
    return sampler(ratio).should_sample(parent, TRACE_ID, "POST /graphql").decision


def test_a_sampled_caller_is_followed_at_the_full_ratio():
    assert decision(1.0, remote_parent(sampled=True)) is Decision.RECORD_AND_SAMPLE


def test_a_sampled_flag_does_not_force_a_trace_the_ratio_drops():
    assert decision(0.01, remote_parent(sampled=True)) is Decision.DROP


def test_a_caller_that_does_not_sample_is_obeyed():
    assert decision(1.0, remote_parent(sampled=False)) is Decision.DROP
