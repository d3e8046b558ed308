"""Token hygiene over real HTTP: a JWT may not live longer than `[auth]
max_token_lifetime_s` (86400 by default), may not be issued in the future, must carry
its times as JSON numbers, and no credential header may exceed 8 KiB. Each refusal is a
401 with a GraphQL error whose code is UNAUTHENTICATED and whose message names the
reason; tokens the gateway mints itself by default still pass."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from jose import jwt

from gateway.auth.authenticate import MAX_CREDENTIAL_HEADER_BYTES
from gateway.config import AuthSettings
from tests.harness import TEST_SECRET, bearer, send, token_for

QUERY = {"query": "{ viewer { subject } }"}
MAX_LIFETIME_S = int(AuthSettings().max_token_lifetime_s)
LEEWAY_S = int(AuthSettings().leeway_s)


def signed(**changes: Any) -> str:
    """An HS256 token the test gateway would accept, but for `changes`; a change of
    None drops that claim. The times are whole seconds from now."""
    now = int(time.time())
    claims: dict[str, Any] = {"sub": "tess", "kind": "staff", "scope": "customers:read"}
    claims.update(iss="erp-gateway", aud="erp-gateway", iat=now, exp=now + 600)
    claims.update(changes)
    present = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(present, TEST_SECRET.reveal(), algorithm="HS256")


def post(gateway: str, headers: dict[str, str]) -> httpx.Response:
    return send(gateway, "POST", "/graphql", json=QUERY, headers=headers, timeout=30)


def assert_refused(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert reason in error["message"]


def assert_accepted(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert response.json()["data"]["viewer"]["subject"] in ("tess", "tester")


def test_a_lifetime_over_the_maximum_is_refused(gateway):
    now = int(time.time())
    token = signed(iat=now, exp=now + MAX_LIFETIME_S + 1)
    assert_refused(post(gateway, bearer(token)), "lifetime (exp - iat) is longer than the 86400")


def test_a_long_lifetime_is_refused_even_when_iat_is_old(gateway):
    # Issued two days ago, still a few minutes to run: it was a 2-day token all along.
    now = int(time.time())
    token = signed(iat=now - 2 * MAX_LIFETIME_S, exp=now + 300)
    assert_refused(post(gateway, bearer(token)), "lifetime (exp - iat) is longer")


def test_without_iat_a_token_expiring_beyond_the_maximum_is_refused(gateway):
    token = signed(iat=None, exp=int(time.time()) + MAX_LIFETIME_S + 60)
    assert_refused(post(gateway, bearer(token)), "has no iat and expires more than 86400 s")


def test_a_token_at_exactly_the_maximum_lifetime_is_accepted(gateway):
    now = int(time.time())
    assert_accepted(post(gateway, bearer(signed(iat=now, exp=now + MAX_LIFETIME_S))))


def test_without_iat_a_token_expiring_at_the_maximum_is_accepted(gateway):
    # exp - now only shrinks while the request travels.
    token = signed(iat=None, exp=int(time.time()) + MAX_LIFETIME_S)
    assert_accepted(post(gateway, bearer(token)))


def test_an_iat_in_the_future_beyond_the_leeway_is_refused(gateway):
    now = int(time.time())
    token = signed(iat=now + 3600, exp=now + 7200)
    assert_refused(post(gateway, bearer(token)), "iat claim is in the future")


def test_an_iat_a_little_in_the_future_within_the_leeway_is_accepted(gateway):
    # Another server's clock a few seconds ahead of ours.
    now = int(time.time())
    token = signed(iat=now + LEEWAY_S // 3, exp=now + 600)
    assert_accepted(post(gateway, bearer(token)))


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
@pytest.mark.parametrize("kind", ["string", "bool"])
def test_a_time_claim_that_is_not_a_number_is_refused(gateway, claim, kind):
    # python-jose itself would take "1700000000" or true (as 1) without a word.
    now = int(time.time())
    value = str(now + 60) if kind == "string" else True
    token = signed(**{claim: value})
    assert_refused(post(gateway, bearer(token)), f"the token's {claim} claim is not a number")


@pytest.mark.parametrize("value", [None, [0]], ids=["null", "list"])
def test_an_exp_python_jose_would_crash_on_is_refused_not_a_500(gateway, value):
    now = int(time.time())
    claims = {"sub": "tess", "kind": "staff", "iss": "erp-gateway", "aud": "erp-gateway"}
    token = jwt.encode({**claims, "iat": now, "exp": value}, TEST_SECRET.reveal())
    assert_refused(post(gateway, bearer(token)), "the token's exp claim is not a number")


def test_an_authorization_header_over_8_kib_is_refused(gateway):
    header = "Bearer " + "a" * (MAX_CREDENTIAL_HEADER_BYTES + 1 - len("Bearer "))
    assert len(header.encode()) == 8193
    response = post(gateway, {"Authorization": header})
    assert_refused(response, "the Authorization header is longer than 8192 bytes")
    assert "a" * 100 not in response.text


def test_an_x_api_key_header_over_8_kib_is_refused(gateway):
    response = post(gateway, {"X-API-Key": "egw_" + "a" * MAX_CREDENTIAL_HEADER_BYTES})
    assert_refused(response, "the X-API-Key header is longer than 8192 bytes")


def test_a_valid_token_in_a_header_of_exactly_8_kib_is_accepted(gateway):
    # Spaces after "Bearer" pad a real token to the limit: the cap counts the header,
    # and one byte more is refused before the token is even read.
    token = token_for()
    padding = MAX_CREDENTIAL_HEADER_BYTES - len("Bearer") - len(token)
    assert_accepted(post(gateway, {"Authorization": "Bearer" + " " * padding + token}))
    too_long = "Bearer" + " " * (padding + 1) + token
    assert_refused(post(gateway, {"Authorization": too_long}), "longer than 8192 bytes")


def test_tokens_the_gateway_mints_by_default_are_accepted(gateway):
    # mint_token (behind token_for, `demo` and scripts) issues 12-hour tokens with iat.
    assert_accepted(post(gateway, bearer(token_for())))


def test_a_minted_token_longer_than_the_maximum_is_refused(gateway):
    token = token_for(lifetime_s=MAX_LIFETIME_S + 3600)
    assert_refused(post(gateway, bearer(token)), "lifetime (exp - iat) is longer")
