"""Clients that trickle their request are cut off, so they cannot hold connections.

The gateway here has one-second head and body timeouts. Each test sends a request
that never completes: however slow the machine, the only way the exchange ends is the
server's refusal, so nothing races the clock.
"""

from dataclasses import replace

import pytest

from gateway.config import HttpSettings
from tests.harness import odoo_settings, running_gateway
from tests.security.attacks import body, raw_exchange

HEAD = b"POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"


@pytest.fixture(scope="module")
def impatient_gateway(odoo_emulator_url):
    http = HttpSettings(header_timeout_s=1.0, body_timeout_s=1.0)
    with running_gateway(replace(odoo_settings(odoo_emulator_url), http=http)) as url:
        yield url


def test_a_head_sent_a_line_at_a_time_is_cut_off_with_408(impatient_gateway):
    lines = [b"X-Slow-%d: 1\r\n" % i for i in range(20)]

    answer = raw_exchange(impatient_gateway, HEAD, *lines, pause_s=0.2)  # never ends the head

    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b'"code": "BAD_REQUEST"' in answer


def test_a_connection_that_sends_nothing_is_closed_with_408(impatient_gateway):
    assert raw_exchange(impatient_gateway).startswith(b"HTTP/1.1 408 ")


def test_a_body_shorter_than_announced_is_cut_off_with_408(impatient_gateway):
    head = HEAD + b"Content-Length: 100\r\n\r\n"

    answer = raw_exchange(impatient_gateway, head, b'{"query": ')

    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"did not arrive within 1 s" in answer


def test_the_next_request_on_a_kept_alive_connection_has_the_same_limit(impatient_gateway):
    query = body("{ __typename }")
    first = HEAD + b"Content-Length: %d\r\n\r\n" % len(query) + query

    answer = raw_exchange(impatient_gateway, first, HEAD)  # the second head never ends

    assert answer.startswith(b"HTTP/1.1 200 ")
    assert b"HTTP/1.1 408 " in answer


def test_a_prompt_request_is_answered(impatient_gateway):
    query = body("{ __typename }")
    request = HEAD + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(query) + query

    answer = raw_exchange(impatient_gateway, request)

    assert answer.startswith(b"HTTP/1.1 200 ")
    assert answer.endswith(b'{"data":{"__typename":"Query"}}')
