"""Request ids and the headers every answer carries."""

import re

import pytest

from tests.harness import STAFF_TOKEN, bearer, send
from tests.security.conftest import socket_gateway

QUERY = {"query": "{ __typename }"}

gateway = pytest.fixture(scope="module", name="gateway")(socket_gateway)
HEX_ID = re.compile(r"[0-9a-f]{32}")


def test_a_well_formed_request_id_is_kept_and_returned(gateway):
    answer = send(gateway, "POST", "/graphql", json=QUERY, headers={"X-Request-ID": "app-7:a.b_c"})

    assert answer.headers["x-request-id"] == "app-7:a.b_c"


@pytest.mark.parametrize(
    "given",
    ["", "has space", "x" * 129, "line\u2028break", "<script>", "a/b", "%0d%0a"],
    ids=["empty", "space", "too long", "unicode", "markup", "slash", "encoded newline"],
)
def test_any_other_request_id_is_replaced_by_a_new_one(gateway, given):
    answer = send(
        gateway, "POST", "/graphql", json=QUERY, headers={"X-Request-ID": given.encode("utf-8")}
    )

    assert HEX_ID.fullmatch(answer.headers["x-request-id"])


def test_every_answer_has_an_id_even_a_refusal(gateway):
    refused = send(gateway, "POST", "/graphql", json=QUERY, headers=bearer("not-a-token"))
    health = send(gateway, "GET", "/healthz")

    assert refused.status_code == 401
    assert HEX_ID.fullmatch(refused.headers["x-request-id"])
    assert HEX_ID.fullmatch(health.headers["x-request-id"])
    assert refused.headers["x-request-id"] != health.headers["x-request-id"]


def test_answers_are_never_sniffed_and_private_ones_never_stored(gateway):
    anonymous = send(gateway, "POST", "/graphql", json=QUERY)
    signed_in = send(gateway, "POST", "/graphql", json=QUERY, headers=bearer(STAFF_TOKEN))
    refused = send(gateway, "POST", "/graphql", json=QUERY, headers=bearer("not-a-token"))

    for answer in (anonymous, signed_in, refused):
        assert answer.headers["x-content-type-options"] == "nosniff"
    assert signed_in.headers["cache-control"] == "no-store"
    assert refused.headers["cache-control"] == "no-store"
    assert "cache-control" not in anonymous.headers


def test_graphiql_may_not_be_framed(gateway):
    page = send(gateway, "GET", "/graphql", headers={"Accept": "text/html"})

    assert page.status_code == 200
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"].split("; ")
    assert page.headers["x-content-type-options"] == "nosniff"
