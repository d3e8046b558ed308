"""The time claims of a JWT (`exp`, `nbf`, `iat`) and `max_token_lifetime_s`, checked by
`JwtVerifier` against an injected clock, so no test races the wall clock."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from jose import jwt

from gateway.auth import jwt_tokens
from gateway.auth.errors import InvalidToken
from gateway.auth.jwt_tokens import JwtVerifier
from gateway.config import AuthSettings
from gateway.secrets import Secret

SECRET = "jwt-times-tests-hs256-secret-0123456789"
NOW = 1_700_000_000.0
LEEWAY_S = 30.0
MAX_LIFETIME_S = 3600.0


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def verifier(clock: Clock | None = None) -> JwtVerifier:
    settings = AuthSettings(
        secret=Secret(SECRET), leeway_s=LEEWAY_S, max_token_lifetime_s=MAX_LIFETIME_S
    )
    return JwtVerifier(settings, None, now=clock or Clock())


def claims(**changes: Any) -> dict[str, Any]:
    """Issued now, for ten minutes; a change of None drops that claim."""
    body: dict[str, Any] = {"sub": "alice", "iss": "erp-gateway", "aud": "erp-gateway"}
    body.update(iat=int(NOW), exp=int(NOW) + 600)
    body.update(changes)
    return {name: value for name, value in body.items() if value is not None}


def token(secret: str = SECRET, **changes: Any) -> str:
    return jwt.encode(claims(**changes), secret, algorithm="HS256")


def raw_token(payload: str) -> str:
    """An HS256 token over any payload text, e.g. JSON with NaN or a JSON null."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = f"{b64(json.dumps({'alg': 'HS256'}).encode())}.{b64(payload.encode())}"
    signature = hmac.new(SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


async def refusal(presented: str, clock: Clock | None = None) -> str:
    with pytest.raises(InvalidToken) as refused:
        await verifier(clock).claims_of(presented)
    return refused.value.reason


@pytest.mark.parametrize(
    "changes",
    [
        {"exp": int(NOW + MAX_LIFETIME_S)},  # exactly the maximum lifetime
        {"iat": None, "exp": int(NOW + MAX_LIFETIME_S)},  # without iat, exactly what is left
        {"iat": int(NOW) + 30, "exp": int(NOW) + 600},  # issued in the future, within leeway
        {"exp": int(NOW) - 30},  # expired, within leeway
        {"nbf": int(NOW) + 30},  # not valid yet, within leeway
        {"iat": NOW - 0.5, "exp": NOW + 599.5, "nbf": NOW - 0.5},  # fractions are numbers too
    ],
)
async def test_tokens_within_the_limits_are_accepted(changes):
    accepted = await verifier().claims_of(token(**changes))
    assert accepted["sub"] == "alice"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"exp": int(NOW + MAX_LIFETIME_S) + 1},
            "the token's lifetime (exp - iat) is longer than the 3600 s allowed",
        ),
        (
            {"iat": int(NOW) - 600, "exp": int(NOW + MAX_LIFETIME_S)},
            "the token's lifetime (exp - iat) is longer than the 3600 s allowed",
        ),
        (
            {"iat": None, "exp": int(NOW + MAX_LIFETIME_S) + 1},
            "the token has no iat and expires more than 3600 s from now",
        ),
        ({"iat": int(NOW) + 31}, "the token's iat claim is in the future"),
        ({"exp": int(NOW) - 31}, "the token has expired"),
        ({"nbf": int(NOW) + 31}, "the token is not valid yet"),
        ({"exp": None}, "the token has no exp claim"),
    ],
)
async def test_tokens_outside_the_limits_are_refused_with_the_reason(changes, reason):
    assert await refusal(token(**changes)) == reason


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
@pytest.mark.parametrize(
    "value", [str(int(NOW)), True, False, None, [int(NOW)], {"t": int(NOW)}], ids=repr
)
async def test_a_time_claim_that_is_not_a_json_number_is_refused(claim, value):
    # python-jose would accept a numeric string or a boolean and crash on null or a list.
    presented = raw_token(json.dumps({**claims(), claim: value}))
    assert await refusal(presented) == f"the token's {claim} claim is not a number"


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1" + "0" * 400])
async def test_a_time_claim_out_of_a_floats_range_is_refused(claim, value):
    # Python's json reads NaN and Infinity; NaN would pass every comparison.
    body = json.dumps(claims(**{claim: 0})).replace(f'"{claim}": 0', f'"{claim}": {value}')
    assert await refusal(raw_token(body)) == f"the token's {claim} claim is out of range"


async def test_the_signature_is_checked_before_the_claims():
    forged = token(secret="another-secret-" + "x" * 32, exp="soon", iat=int(NOW) + 3600)
    assert await refusal(forged) == "the token's signature is invalid"


async def test_the_injected_clock_decides_expiry_and_lifetime():
    clock = Clock()
    presented = token(iat=None, exp=int(NOW) + 600)
    assert (await verifier(clock).claims_of(presented))["sub"] == "alice"
    clock.now = NOW + 631
    assert await refusal(presented, clock) == "the token has expired"
    clock.now = NOW - MAX_LIFETIME_S  # exp is now more than the maximum away
    assert await refusal(presented, clock) == (
        "the token has no iat and expires more than 3600 s from now"
    )


async def test_a_token_seen_again_skips_its_signature_but_never_its_times(monkeypatch):
    checked = []
    decode = jwt.decode

    def counting_decode(*args: Any, **kwargs: Any) -> Any:
        checked.append(args[0])
        return decode(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting_decode)  # the module the verifier calls
    clock = Clock()
    check = verifier(clock)
    presented = token()

    assert (await check.claims_of(presented))["sub"] == "alice"
    assert (await check.claims_of(presented))["sub"] == "alice"
    assert len(checked) == 1  # the signature once

    clock.now += jwt_tokens.VERIFIED_TTL_S  # kept no longer than this
    await check.claims_of(presented)
    assert len(checked) == 2

    clock.now = NOW + 600 + LEEWAY_S + 1  # expired since: the kept claims do not help
    with pytest.raises(InvalidToken, match="expired"):
        await check.claims_of(presented)

    forged = presented[:-4] + ("AAAA" if not presented.endswith("AAAA") else "BBBB")
    with pytest.raises(InvalidToken):
        await verifier().claims_of(forged)
