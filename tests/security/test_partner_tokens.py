"""Partner API tokens over HTTP: both headers, revocation at once in every gateway
process, rotation with a grace period, and tokens bound to one customer."""

import asyncio
from contextlib import ExitStack
from dataclasses import replace
from datetime import timedelta

import pytest

from gateway.auth.token_store import open_token_store
from gateway.config import AuthSettings
from tests.harness import (
    TEST_SECRET,
    bearer,
    error_codes,
    graphql,
    odoo_settings,
    running_gateway,
    send,
)

STOCK = "{ products(first: 1) { nodes { sku stock { available { value } } } } }"


def in_store(store_url, action):
    async def run():
        store = open_token_store(store_url)
        try:
            return await action(store)
        finally:
            await store.close()

    return asyncio.run(run())


def create(store_url, scopes=("products:read", "stock:read"), customers=()):
    return in_store(store_url, lambda s: s.create("acme", frozenset(scopes), customers, None))


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.slow)])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/tokens.sqlite3"
    return request.getfixturevalue("redis_url")


@pytest.fixture
def two_gateways(odoo_emulator_url, store_url):
    """Two gateway processes' worth of apps sharing one token store."""
    settings = replace(
        odoo_settings(odoo_emulator_url), auth=AuthSettings(secret=TEST_SECRET, store=store_url)
    )
    with ExitStack() as stack:
        yield [stack.enter_context(running_gateway(settings)) for _ in range(2)]


def test_a_partner_token_works_in_either_header(two_gateways, store_url):
    _, presented = create(store_url)
    for headers in (bearer(presented), {"X-API-Key": presented}):
        answer = graphql(
            two_gateways[0], "{ viewer { subject kind scopes } } ", token=None, headers=headers
        )
        assert answer["data"]["viewer"] == {
            "subject": "partner:acme",
            "kind": "partner",
            "scopes": ["products:read", "stock:read"],
        }
    assert "errors" not in graphql(two_gateways[1], STOCK, token=presented)


def test_a_revoked_token_fails_on_the_next_request_in_every_gateway(two_gateways, store_url):
    token, presented = create(store_url)
    for gateway in two_gateways:
        assert "errors" not in graphql(gateway, STOCK, token=presented)
    in_store(store_url, lambda s: s.revoke(token.id))
    for gateway in two_gateways:
        response = send(
            gateway, "POST", "/graphql", json={"query": STOCK}, headers=bearer(presented)
        )
        assert response.status_code == 401
        assert "revoked" in response.json()["errors"][0]["message"]


def test_a_rotated_token_keeps_the_old_secret_for_the_grace_period(two_gateways, store_url):
    token, old = create(store_url)
    _, new = in_store(store_url, lambda s: s.rotate(token.id, timedelta(hours=1)))
    assert "errors" not in graphql(two_gateways[0], STOCK, token=old)
    assert "errors" not in graphql(two_gateways[1], STOCK, token=new)
    _, newest = in_store(store_url, lambda s: s.rotate(token.id, timedelta(seconds=0)))
    response = send(two_gateways[0], "POST", "/graphql", json={"query": STOCK}, headers=bearer(old))
    assert response.status_code == 401
    assert "errors" not in graphql(two_gateways[0], STOCK, token=newest)


def test_a_token_bound_to_a_customer_sees_only_that_customer(gateway, accounts):
    from tests.harness import TEST_STORE

    mine, theirs = accounts
    _, presented = create(TEST_STORE, ("orders:read",), customers=[mine.customer_id])
    query = "query($id: ID!) { order(id: $id) { number } }"
    assert graphql(gateway, query, {"id": mine.order_id}, token=presented)["data"] == {
        "order": {"number": mine.order_number}
    }
    assert error_codes(graphql(gateway, query, {"id": theirs.order_id}, token=presented)) == [
        "NOT_FOUND"
    ]
