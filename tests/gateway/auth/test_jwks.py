"""RS256/ES256 tokens checked with an identity provider's JWKS, served over real HTTP by
a tiny Starlette app whose keys a test changes and which counts the fetches it answers.

Through `JwksKeys` + `JwtVerifier` with a fake clock, then end to end through a
running gateway.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import functools
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwk, jwt
from jose.backends.base import Key
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.auth.errors import AuthUnavailable, InvalidToken
from gateway.auth.jwks import JwksKeys
from gateway.auth.jwt_tokens import JwtVerifier
from gateway.config import AuthSettings
from gateway.secrets import Secret
from tests.harness import FakeClock, bearer, odoo_settings, running_gateway
from tests.servers import bind_free_socket, serve_in_thread

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_NEXT_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # rotated in
ATTACKER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # never published
EC_KEY = ec.generate_private_key(ec.SECP256R1())
HMAC_SECRET = "jwks-tests-hs256-secret-0123456789abcdef"
MIN_REFRESH_S = 30.0
MAX_AGE_S = 600.0


def private_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_pem(key: PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def jwk_of(key: PrivateKey, algorithm: str, kid: str, **extra: Any) -> dict[str, Any]:
    """The public half of `key` as a JWK, as an identity provider publishes it."""
    return {**jwk.construct(public_pem(key), algorithm).to_dict(), "kid": kid, **extra}


RSA_JWK = jwk_of(RSA_KEY, "RS256", "rsa-1", use="sig")
RSA_NEXT_JWK = jwk_of(RSA_NEXT_KEY, "RS256", "rsa-2", use="sig")
EC_JWK = jwk_of(EC_KEY, "ES256", "ec-1", use="sig")


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    body: dict[str, Any] = {
        "sub": "alice",
        "kind": "staff",
        "scope": "orders:read",
        "iss": "erp-gateway",
        "aud": "erp-gateway",
        "iat": now,
        "exp": now + 600,
    }
    body.update(changes)
    return body


@functools.cache
def signing_key(key: PrivateKey, algorithm: str) -> Key:
    return jwk.construct(private_pem(key), algorithm)  # loading a PEM is slow: once per key


def signed(key: PrivateKey, algorithm: str, kid: str | None, **changes: Any) -> str:
    headers = {} if kid is None else {"kid": kid}
    return jwt.encode(claims(**changes), signing_key(key, algorithm), algorithm, headers=headers)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_by_hand(key: bytes, body: dict[str, Any], kid: str | None = None) -> str:
    """An HS256 JWT with any bytes as its HMAC key: python-jose refuses PEM keys."""
    header: dict[str, Any] = {"alg": "HS256", "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(body).encode())}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def random_kid() -> str:
    return uuid.uuid4().hex


class JwksServer:
    """An identity provider's JWKS endpoint: `keys` and `failing` may change at any time."""

    def __init__(self, *keys: dict[str, Any]) -> None:
        self.keys = list(keys)
        self.failing = False
        self.fetches = 0  # requests answered, failed ones included
        self.url = ""

    async def _jwks(self, _: Request) -> Response:
        self.fetches += 1
        if self.failing:
            return JSONResponse({"error": "maintenance"}, status_code=503)
        return JSONResponse({"keys": self.keys})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/.well-known/jwks.json", self._jwks)])


@pytest.fixture(scope="module")
def jwks_server() -> Iterator[JwksServer]:
    server = JwksServer()
    with serve_in_thread(server.app()) as base:
        server.url = f"{base}/.well-known/jwks.json"
        yield server


@pytest.fixture
def idp(jwks_server: JwksServer) -> JwksServer:
    """The module's JWKS server, publishing the RSA and the EC key, no fetch counted yet."""
    jwks_server.keys = [RSA_JWK, EC_JWK]
    jwks_server.failing = False
    jwks_server.fetches = 0
    return jwks_server


@pytest.fixture
async def http():
    async with httpx.AsyncClient(timeout=5.0) as client:
        yield client


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def verifier(
    url: str,
    http: httpx.AsyncClient,
    clock: FakeClock,
    *,
    algorithms: tuple[str, ...] = ("RS256", "ES256"),
    secret: str | None = None,
    max_age_s: float = MAX_AGE_S,
) -> tuple[JwksKeys, JwtVerifier]:
    settings = AuthSettings(
        algorithms=algorithms,
        secret=None if secret is None else Secret(secret),
        jwks_url=url,
        jwks_min_refresh_s=MIN_REFRESH_S,
        jwks_max_age_s=max_age_s,
    )
    keys = JwksKeys(url, http, min_refresh_s=MIN_REFRESH_S, max_age_s=max_age_s, clock=clock)
    return keys, JwtVerifier(settings, keys)


# --- JwksKeys + JwtVerifier ----------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "algorithm", "kid"), [(RSA_KEY, "RS256", "rsa-1"), (EC_KEY, "ES256", "ec-1")]
)
async def test_rs256_and_es256_tokens_are_accepted_with_one_fetch(
    idp, http, clock, key, algorithm, kid
):
    _, check = verifier(idp.url, http, clock)

    first = await check.claims_of(signed(key, algorithm, kid, sub="alice"))
    second = await check.claims_of(signed(key, algorithm, kid, sub="bob"))

    assert (first["sub"], second["sub"]) == ("alice", "bob")
    assert idp.fetches == 1  # the second token used the cached key


async def test_a_token_signed_by_another_key_under_a_known_kid_is_refused(idp, http, clock):
    _, check = verifier(idp.url, http, clock)

    with pytest.raises(InvalidToken, match=r"^the token's signature is invalid$"):
        await check.claims_of(signed(ATTACKER_KEY, "RS256", "rsa-1"))


async def test_a_rotated_in_key_is_fetched_once_on_its_first_token(idp, http, clock):
    _, check = verifier(idp.url, http, clock)
    await check.claims_of(signed(RSA_KEY, "RS256", "rsa-1"))
    assert idp.fetches == 1

    idp.keys.append(RSA_NEXT_JWK)  # the provider publishes its next key...
    clock.advance(MIN_REFRESH_S)  # ...and a token signed with it comes a while later
    rotated = await check.claims_of(signed(RSA_NEXT_KEY, "RS256", "rsa-2", sub="carol"))
    again = await check.claims_of(signed(RSA_NEXT_KEY, "RS256", "rsa-2", sub="dave"))
    old = await check.claims_of(signed(RSA_KEY, "RS256", "rsa-1", sub="erin"))

    assert (rotated["sub"], again["sub"], old["sub"]) == ("carol", "dave", "erin")
    assert idp.fetches == 2


async def test_unknown_kids_refetch_at_most_once_per_min_refresh(idp, http, clock):
    _, check = verifier(idp.url, http, clock)
    await check.claims_of(signed(RSA_KEY, "RS256", "rsa-1"))

    async def burst() -> list[BaseException | Mapping[str, Any]]:
        tokens = [signed(RSA_KEY, "RS256", random_kid()) for _ in range(20)]
        return list(
            await asyncio.gather(*(check.claims_of(t) for t in tokens), return_exceptions=True)
        )

    def all_unknown(results: list[BaseException | Mapping[str, Any]]) -> bool:
        return all(
            isinstance(r, InvalidToken) and r.reason == "the token's signing key (kid) is unknown"
            for r in results
        )

    assert all_unknown(await burst())  # right after a fetch: none
    assert idp.fetches == 1

    clock.advance(MIN_REFRESH_S - 1)
    assert all_unknown(await burst())
    assert idp.fetches == 1

    clock.advance(1)
    assert all_unknown(await burst())  # min_refresh_s has passed: one refetch for 20 tokens
    assert idp.fetches == 2
    assert all_unknown(await burst())
    assert idp.fetches == 2


@pytest.mark.slow
@pytest.mark.parametrize("failure", ["refused", "http error", "not json", "no keys list"])
async def test_no_keys_ever_fetched_is_auth_unavailable(http, clock, failure):
    answers = {
        "http error": JSONResponse({"error": "down"}, status_code=500),
        "not json": Response("<html>maintenance</html>", media_type="text/html"),
        "no keys list": JSONResponse({"keys": "rsa-1"}),
    }

    async def broken(_: Request) -> Response:
        return answers[failure]

    if failure == "refused":
        with bind_free_socket() as sock:  # bound but not listening: connections are refused
            host, port = sock.getsockname()
            _, check = verifier(f"http://{host}:{port}/jwks.json", http, clock)
            with pytest.raises(AuthUnavailable, match="signing keys are unavailable"):
                await check.claims_of(signed(RSA_KEY, "RS256", "rsa-1"))
        return
    with serve_in_thread(Starlette(routes=[Route("/jwks.json", broken)])) as base:
        _, check = verifier(f"{base}/jwks.json", http, clock)
        with pytest.raises(AuthUnavailable, match="signing keys are unavailable"):
            await check.claims_of(signed(RSA_KEY, "RS256", "rsa-1"))


async def test_a_burst_while_the_jwks_was_never_reachable_fetches_once(idp, http, clock):
    idp.failing = True
    _, check = verifier(idp.url, http, clock)
    tokens = [signed(RSA_KEY, "RS256", "rsa-1") for _ in range(20)]

    results = await asyncio.gather(*(check.claims_of(t) for t in tokens), return_exceptions=True)

    assert all(isinstance(r, AuthUnavailable) for r in results)
    # Requests that waited for the failing fetch do not each fetch (and time out) again.
    assert idp.fetches == 1

    idp.failing = False  # back: the next token fetches at once
    assert (await check.claims_of(tokens[0]))["sub"] == "alice"
    assert idp.fetches == 2


async def test_cached_keys_still_work_while_the_jwks_is_down(idp, http, clock):
    keys, check = verifier(idp.url, http, clock)
    await check.claims_of(signed(RSA_KEY, "RS256", "rsa-1"))

    idp.failing = True
    clock.advance(MAX_AGE_S + 1)  # stale: the refresh is tried, fails, the keys stay
    accepted = await check.claims_of(signed(RSA_KEY, "RS256", "rsa-1", sub="frank"))
    clock.advance(MIN_REFRESH_S)
    with pytest.raises(InvalidToken, match=r"kid\) is unknown"):  # 401, not 503
        await check.claims_of(signed(RSA_KEY, "RS256", random_kid()))
    es = await check.claims_of(signed(EC_KEY, "ES256", "ec-1", sub="grace"))

    assert (accepted["sub"], es["sub"]) == ("frank", "grace")
    assert idp.fetches == keys.fetches == 3  # both refreshes were tried

    idp.failing = False  # the provider is back, with a rotated key
    idp.keys.append(RSA_NEXT_JWK)
    clock.advance(MIN_REFRESH_S)
    assert (await check.claims_of(signed(RSA_NEXT_KEY, "RS256", "rsa-2")))["sub"] == "alice"


@pytest.mark.parametrize(
    ("key", "algorithm", "kid", "keys"),
    [
        (RSA_KEY, "RS256", "ec-1", [RSA_JWK, EC_JWK]),
        (EC_KEY, "ES256", "rsa-1", [RSA_JWK, EC_JWK]),
        # The family is checked from kty alone when the JWK names no alg:
        (RSA_KEY, "RS256", "ec-1", [{k: v for k, v in EC_JWK.items() if k != "alg"}]),
        # A JWK's alg binds it to that algorithm, even within the family:
        (RSA_KEY, "RS256", "rsa-1", [{**RSA_JWK, "alg": "RS512"}]),
    ],
    ids=["rs256-naming-ec-key", "es256-naming-rsa-key", "ec-key-without-alg", "jwk-for-rs512"],
)
async def test_a_token_naming_a_key_of_another_algorithm_is_refused(
    idp, http, clock, key, algorithm, kid, keys
):
    idp.keys = keys
    _, check = verifier(idp.url, http, clock, algorithms=("RS256", "RS512", "ES256"))

    with pytest.raises(
        InvalidToken, match=rf"^the token's signing key is not a key for {algorithm}$"
    ):
        await check.claims_of(signed(key, algorithm, kid))


async def test_encryption_keys_in_the_jwks_are_not_used(idp, http, clock):
    idp.keys = [{**RSA_JWK, "use": "enc"}]
    _, check = verifier(idp.url, http, clock)

    with pytest.raises(InvalidToken, match=r"kid\) is unknown"):
        await check.claims_of(signed(RSA_KEY, "RS256", "rsa-1"))


async def test_a_token_without_kid_uses_the_only_key(idp, http, clock):
    _, check = verifier(idp.url, http, clock)
    idp.keys = [RSA_JWK]
    assert (await check.claims_of(signed(RSA_KEY, "RS256", None)))["sub"] == "alice"

    idp.keys = [RSA_JWK, RSA_NEXT_JWK]  # with two, a token must say which
    clock.advance(MAX_AGE_S + 1)
    with pytest.raises(InvalidToken, match=r"kid\) is unknown"):
        await check.claims_of(signed(RSA_KEY, "RS256", None))


@pytest.mark.parametrize(
    "pem",
    [
        public_pem(RSA_KEY),
        RSA_KEY.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
        ),
    ],
    ids=["spki-pem", "pkcs1-pem"],
)
async def test_hs256_signed_with_the_rsa_public_key_is_refused(idp, http, clock, pem):
    _, check = verifier(idp.url, http, clock, algorithms=("HS256", "RS256"), secret=HMAC_SECRET)
    # The hand-made signer makes tokens the gateway accepts when keyed right...
    honest = hs256_by_hand(HMAC_SECRET.encode(), claims(sub="honest"), kid="rsa-1")
    assert (await check.claims_of(honest))["sub"] == "honest"

    # ...but the RSA public key, which anyone can fetch, is no HMAC key.
    forged = hs256_by_hand(pem, claims(sub="mallory", kind="staff"), kid="rsa-1")
    with pytest.raises(InvalidToken, match=r"^the token's signature is invalid$"):
        await check.claims_of(forged)


async def test_keys_are_refetched_after_max_age(idp, http, clock):
    _, check = verifier(idp.url, http, clock)
    await check.claims_of(signed(RSA_KEY, "RS256", "rsa-1"))

    idp.keys = [RSA_NEXT_JWK, EC_JWK]  # the provider withdraws rsa-1
    clock.advance(MAX_AGE_S - 1)
    assert (await check.claims_of(signed(RSA_KEY, "RS256", "rsa-1")))["sub"] == "alice"
    assert idp.fetches == 1  # still fresh: a known kid fetches nothing

    clock.advance(2)
    with pytest.raises(InvalidToken, match=r"kid\) is unknown"):
        await check.claims_of(signed(RSA_KEY, "RS256", "rsa-1"))
    assert idp.fetches == 2
    assert (await check.claims_of(signed(RSA_NEXT_KEY, "RS256", "rsa-2")))["sub"] == "alice"
    assert idp.fetches == 2


# --- through a running gateway -------------------------------------------------------

VIEWER = "{ viewer { subject kind } }"


def jwks_gateway_settings(odoo_url: str, jwks_url: str, tmp_path, min_refresh_s: float):
    auth = AuthSettings(
        algorithms=("RS256", "ES256"),
        jwks_url=jwks_url,
        jwks_min_refresh_s=min_refresh_s,
        store=f"sqlite:///{tmp_path}/auth.sqlite3",
    )
    return dataclasses.replace(odoo_settings(odoo_url), auth=auth)


def post(url: str, token: str | None, query: str = VIEWER) -> httpx.Response:
    headers = {} if token is None else bearer(token)
    return httpx.post(f"{url}/graphql", json={"query": query}, headers=headers, timeout=10)


def code_of(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


def test_the_gateway_accepts_rs256_and_es256_and_refuses_bad_tokens(
    idp, odoo_emulator_url, tmp_path
):
    settings = jwks_gateway_settings(odoo_emulator_url, idp.url, tmp_path, min_refresh_s=60)
    with running_gateway(settings) as url:
        rs = post(url, signed(RSA_KEY, "RS256", "rsa-1", sub="rs-user"))
        es = post(url, signed(EC_KEY, "ES256", "ec-1", sub="es-user", kind="service"))
        forged = post(url, signed(ATTACKER_KEY, "RS256", "rsa-1"))
        hs = post(url, hs256_by_hand(HMAC_SECRET.encode(), claims()))
        fetches = idp.fetches
        unknown = [post(url, signed(RSA_KEY, "RS256", random_kid())) for _ in range(20)]

    assert (rs.status_code, rs.json()) == (
        200,
        {"data": {"viewer": {"subject": "rs-user", "kind": "staff"}}},
    )
    assert (es.status_code, es.json()) == (
        200,
        {"data": {"viewer": {"subject": "es-user", "kind": "service"}}},
    )
    assert (forged.status_code, code_of(forged)) == (401, "UNAUTHENTICATED")
    assert forged.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert (hs.status_code, code_of(hs)) == (401, "UNAUTHENTICATED")  # HS256 not configured
    assert "HS256" in hs.json()["errors"][0]["message"]
    assert {(r.status_code, code_of(r)) for r in unknown} == {(401, "UNAUTHENTICATED")}
    assert fetches == 1
    assert idp.fetches - fetches <= 1  # 20 made-up kids: at most one refetch


def test_the_gateway_answers_503_while_the_jwks_was_never_reachable(odoo_emulator_url, tmp_path):
    with bind_free_socket() as sock:  # bound but not listening: connections are refused
        host, port = sock.getsockname()
        jwks_url = f"http://{host}:{port}/.well-known/jwks.json"
        settings = jwks_gateway_settings(odoo_emulator_url, jwks_url, tmp_path, min_refresh_s=60)
        with running_gateway(settings) as url:
            refused = post(url, signed(RSA_KEY, "RS256", "rsa-1"))
            anonymous = post(url, None)

    assert refused.status_code == 503
    assert code_of(refused) == "AUTH_UNAVAILABLE"
    assert refused.headers["retry-after"] == "5"
    # Requests without credentials need no keys.
    assert anonymous.json() == {"data": {"viewer": {"subject": "anonymous", "kind": "anonymous"}}}


def test_the_gateway_keeps_cached_keys_when_the_jwks_goes_down(odoo_emulator_url, tmp_path):
    server = JwksServer(RSA_JWK, EC_JWK)
    with contextlib.ExitStack() as jwks_running:
        base = jwks_running.enter_context(serve_in_thread(server.app()))
        jwks_url = f"{base}/.well-known/jwks.json"
        # min_refresh_s=0: every unknown kid refetches, so the outage is really met
        settings = jwks_gateway_settings(odoo_emulator_url, jwks_url, tmp_path, min_refresh_s=0)
        with running_gateway(settings) as url:
            before = post(url, signed(RSA_KEY, "RS256", "rsa-1", sub="before"))
            jwks_running.close()  # the identity provider goes away
            with pytest.raises(httpx.ConnectError):
                httpx.get(jwks_url, timeout=5)
            unknown = post(url, signed(RSA_KEY, "RS256", random_kid()))
            cached = post(url, signed(EC_KEY, "ES256", "ec-1", sub="after"))
            cached_rs = post(url, signed(RSA_KEY, "RS256", "rsa-1", sub="again"))

    assert before.json()["data"]["viewer"]["subject"] == "before"
    assert server.fetches == 1
    # The refetch for the unknown kid failed, but with keys in hand that is a bad token
    # (401), not an outage (503):
    assert (unknown.status_code, code_of(unknown)) == (401, "UNAUTHENTICATED")
    assert (cached.status_code, cached.json()["data"]["viewer"]["subject"]) == (200, "after")
    assert (cached_rs.status_code, cached_rs.json()["data"]["viewer"]["subject"]) == (200, "again")
