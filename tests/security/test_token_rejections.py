"""Every way a token is refused, through the HTTP endpoint: status 401, an RFC 6750
`WWW-Authenticate` header, a GraphQL error with code UNAUTHENTICATED whose message names
the reason and never echoes the token."""

import asyncio
import base64
import json
import logging
import time

import pytest
from jose import jwt

from gateway.auth.token_store import open_token_store
from gateway.secrets import Secret
from resolvers.node import encode_id
from tests.harness import TEST_SECRET, TEST_STORE, bearer, send, token_for

QUERY = {"query": "{ viewer { subject } }"}


def b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims(**overrides):
    now = int(time.time())
    return {
        "sub": "mallory",
        "kind": "staff",
        "scope": "customers:read",
        "iss": "erp-gateway",
        "aud": "erp-gateway",
        "exp": now + 600,
        **overrides,
    }


def signed(**overrides) -> str:
    return jwt.encode(claims(**overrides), TEST_SECRET.reveal(), algorithm="HS256")


def revoked_api_token() -> str:
    async def make():
        store = open_token_store(TEST_STORE)
        token, presented = await store.create(
            "revoked-partner", frozenset({"stock:read"}), (), None
        )
        await store.revoke(token.id)
        await store.close()
        return presented

    return asyncio.run(make())


def tampered_token() -> str:
    """A signed token with its payload swapped for one that asks for more."""
    header, payload = token_for().split(".")[0], b64(claims(scope="customers:impersonate"))
    return ".".join([header, payload, token_for().split(".")[2]])


REJECTIONS = {
    "alg none": (lambda: f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims())}.", "alg none"),
    "alg none, capitalised": (lambda: f"{b64({'alg': 'None'})}.{b64(claims())}.", "alg none"),
    "expired": (lambda: signed(exp=int(time.time()) - 3600), "expired"),
    "not yet valid": (lambda: signed(nbf=int(time.time()) + 3600), "not valid yet"),
    "wrong issuer": (lambda: token_for(issuer="https://evil.example"), "untrusted issuer"),
    "wrong audience": (lambda: token_for(audience="another-api"), "another audience"),
    "no exp": (
        lambda: jwt.encode({k: v for k, v in claims().items() if k != "exp"}, TEST_SECRET.reveal()),
        "no exp claim",
    ),
    "bad signature": (
        lambda: token_for(secret=Secret("another-secret-" + "x" * 32)),
        "signature is invalid",
    ),
    "tampered payload": (tampered_token, "signature is invalid"),
    "HS512 not in the allow-list": (
        lambda: jwt.encode(claims(), TEST_SECRET.reveal(), algorithm="HS512"),
        "HS512",
    ),
    "malformed": (lambda: "not-a-token", "malformed"),
    "three garbage parts": (lambda: "abc.def.ghi", "malformed"),
    "unknown kind": (lambda: signed(kind="root"), "kind claim"),
    "customer without customer id": (lambda: signed(kind="customer"), "customer_id"),
    "customer id of an order": (
        lambda: signed(kind="customer", customer_id=encode_id("Order", "1")),
        "not the id",
    ),
    "malformed API token": (lambda: "egw_nothex_short", "malformed API token"),
    "unknown API token": (lambda: "egw_0123456789ab_" + "A" * 43, "unknown API token"),
    "revoked API token": (revoked_api_token, "revoked"),
}


@pytest.mark.parametrize("case", REJECTIONS, ids=list(REJECTIONS))
@pytest.mark.parametrize("header", ["Authorization", "X-API-Key"])
def test_each_bad_token_is_refused_with_401_and_its_reason(gateway, case, header):
    make, reason = REJECTIONS[case]
    token = make()
    headers = bearer(token) if header == "Authorization" else {"X-API-Key": token}
    response = send(gateway, "POST", "/graphql", json=QUERY, headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert reason in error["message"]
    assert token not in response.text
    assert token not in response.headers["www-authenticate"]


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Authorization": "Basic dXNlcjpwdw=="}, "must be 'Bearer <token>'"),
        ({"Authorization": "Bearer"}, "must be 'Bearer <token>'"),
        ({"X-API-Key": ""}, "X-API-Key header is empty"),
        ({"Authorization": "Bearer x", "X-API-Key": "y"}, "not both"),
    ],
)
def test_malformed_credential_headers_are_refused(gateway, headers, reason):
    response = send(gateway, "POST", "/graphql", json=QUERY, headers=headers)
    assert response.status_code == 401
    assert reason in response.json()["errors"][0]["message"]


def test_a_token_within_the_leeway_is_still_accepted(gateway):
    response = send(
        gateway, "POST", "/graphql", json=QUERY, headers=bearer(signed(exp=int(time.time()) - 5))
    )
    assert response.status_code == 200
    assert response.json()["data"]["viewer"]["subject"] == "mallory"


def test_no_credentials_is_anonymous_and_reads_nothing(gateway, accounts):
    response = send(
        gateway,
        "POST",
        "/graphql",
        json={
            "query": "query($id: ID!) { viewer { kind } order(id: $id) { number } }",
            "variables": {"id": accounts[0].order_id},
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"viewer": {"kind": "anonymous"}, "order": None}
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "orders:read" in error["message"]
    assert accounts[0].order_number not in response.text


def test_tokens_never_reach_the_logs(gateway, accounts, caplog):
    caplog.set_level(logging.DEBUG)
    good, revoked = token_for(), revoked_api_token()
    bad = [make() for make, _ in REJECTIONS.values() if make is not revoked_api_token]
    for token in [good, revoked, *bad]:
        send(gateway, "POST", "/graphql", json=QUERY, headers=bearer(token))
    send(
        gateway,
        "POST",
        "/graphql",
        json=QUERY,
        headers={**bearer(good), "X-Act-As-Customer": accounts[0].customer_id},
    )
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "refused credentials" in logged  # the refusals were logged, without the tokens
    for token in [good, revoked, *bad]:
        if len(token) > 12:
            assert token not in logged
    assert TEST_SECRET.reveal() not in logged
