"""How the gateway writes GraphQL answers: orjson, and the standard library for what
orjson refuses, so an odd value from a backend is never a 500."""

import json

import pytest

from gateway.wiring.graphql_http import GatewayGraphQL


@pytest.mark.parametrize(
    "value",
    [
        {"data": {"name": "café, Zürich", "amount": "12.50", "n": 3, "ok": True, "x": None}},
        {"data": {"name": "half a pair: \ud800"}},  # a lone surrogate, as json.loads gives
        {"data": {"big": 2**70}},  # beyond 64 bits
    ],
)
def test_every_answer_is_json_that_reads_back_as_it_was(value):
    encoded = GatewayGraphQL.encode_json(object.__new__(GatewayGraphQL), value)
    assert isinstance(encoded, bytes)
    assert json.loads(encoded) == value
