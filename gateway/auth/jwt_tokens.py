"""Checking a JWT: algorithm from the allow-list, key by algorithm family, then the
claims the gateway requires (`exp`, `iss`, `aud`, with a little leeway).

The key is chosen by the configured algorithm, never by anything else in the token: an
HS256 token is checked with the HMAC secret only, so a token "signed" with the RSA
public key (the key-confusion attack) fails as a bad signature, and `alg: none` is never
in the allow-list.

The time claims (`exp`, `nbf`, `iat`) are checked here, not by python-jose: jose turns
them into numbers with `int()`, so it accepts `"exp": "1700000000"` or `"iat": true`,
and fails with a TypeError (a 500) on `null` or a list; it also reads the wall clock.
Here they must be JSON numbers, read against an injected clock, and a token may not
live longer than `max_token_lifetime_s`: a stolen JWT cannot be revoked, only outlived.

A mobile app sends the same token with every request, and checking its signature (with
jose) took 6 % of a request's CPU. An HMAC-signed token that passed the signature, `iss`
and `aud` checks is kept for `VERIFIED_TTL_S` by its SHA-256, `VERIFIED_MAX` tokens at
most; the time claims are checked again on every use. Tokens signed with a JWKS key are
checked in full every time: the provider may withdraw that key at its next refresh.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from jose import jwt
from jose.exceptions import JWTClaimsError, JWTError

from gateway.auth.errors import InvalidToken
from gateway.auth.jwks import JwksKeys
from gateway.config import HMAC_ALGORITHMS, AuthSettings

TIME_CLAIMS = ("exp", "nbf", "iat")
VERIFIED_TTL_S = 60.0
VERIFIED_MAX = 10_000
JOSE_REQUIRED_CLAIMS = ("iss", "aud")  # exp too, but `_check_times` requires that one


class JwtVerifier:
    def __init__(
        self,
        settings: AuthSettings,
        jwks: JwksKeys | None,
        *,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._jwks = jwks
        self._now = now  # seconds since the epoch; tests pass a fixed clock
        # Token digest -> (claims, when verified), the most recently used last.
        self._verified: OrderedDict[bytes, tuple[Mapping[str, Any], float]] = OrderedDict()

    async def claims_of(self, token: str) -> Mapping[str, Any]:
        """The token's claims once it has passed every check; InvalidToken otherwise."""
        digest = hashlib.sha256(token.encode()).digest()
        claims = self._recently_verified(digest)
        if claims is None:
            claims, algorithm = await self._verified_claims(token)
            if algorithm in HMAC_ALGORITHMS:  # a shared secret, not a withdrawable key
                self._verified[digest] = (claims, self._now())
                if len(self._verified) > VERIFIED_MAX:
                    self._verified.popitem(last=False)
        self._check_times(claims)
        return claims

    def _recently_verified(self, digest: bytes) -> Mapping[str, Any] | None:
        found = self._verified.get(digest)
        if found is None:
            return None
        claims, verified_at = found
        if not 0 <= self._now() - verified_at < VERIFIED_TTL_S:
            del self._verified[digest]
            return None
        self._verified.move_to_end(digest)
        return claims

    async def _verified_claims(self, token: str) -> tuple[Mapping[str, Any], str]:
        """The claims once the algorithm, the signature, `iss` and `aud` are right, and
        the algorithm."""
        algorithm, kid = _header_of(token)
        if algorithm.lower() == "none":
            raise InvalidToken("unsigned tokens (alg none) are not accepted")
        if algorithm not in self._settings.algorithms:
            raise InvalidToken(f"tokens signed with {_shown(algorithm)} are not accepted")
        key = await self._key_for(algorithm, kid)
        # Read-only: the same claims serve every request that presents the token.
        return MappingProxyType(dict(self._signed_claims(token, key, algorithm))), algorithm

    def _signed_claims(self, token: str, key: Any, algorithm: str) -> Mapping[str, Any]:
        """The claims once the signature, `iss` and `aud` are right; jose leaves the
        time claims to `_check_times`."""
        options: dict[str, Any] = {"verify_at_hash": False}
        options.update({f"verify_{claim}": False for claim in TIME_CLAIMS})
        options.update({f"require_{claim}": True for claim in JOSE_REQUIRED_CLAIMS})
        try:
            claims: Mapping[str, Any] = jwt.decode(
                token,
                key,  # a secret, or a JWK mapping that jose also accepts
                algorithms=[algorithm],
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                options=options,
            )
        except JWTClaimsError as exc:
            raise InvalidToken(_claims_problem(str(exc))) from None
        except JWTError as exc:
            raise InvalidToken(_token_problem(str(exc))) from None
        return claims

    def _check_times(self, claims: Mapping[str, Any]) -> None:
        now, leeway = self._now(), self._settings.leeway_s
        times = {claim: _time_of(claims, claim) for claim in TIME_CLAIMS}
        exp, nbf, iat = times["exp"], times["nbf"], times["iat"]
        if exp is None:
            raise InvalidToken("the token has no exp claim")
        if exp < now - leeway:
            raise InvalidToken("the token has expired")
        if nbf is not None and nbf > now + leeway:
            raise InvalidToken("the token is not valid yet")
        if iat is not None and iat > now + leeway:
            raise InvalidToken("the token's iat claim is in the future")
        _check_lifetime(exp, iat, now, self._settings.max_token_lifetime_s)

    async def _key_for(self, algorithm: str, kid: str | None) -> Any:
        if algorithm in HMAC_ALGORITHMS:
            assert self._settings.secret is not None, "config requires a secret for HS*"
            return self._settings.secret.reveal()
        assert self._jwks is not None, "config requires a jwks_url for RS*/ES*"
        return dict(await self._jwks.key_for(kid, algorithm))


def _header_of(token: str) -> tuple[str, str | None]:
    try:
        header = jwt.get_unverified_header(token)
    except JWTError:
        raise InvalidToken("the token is malformed") from None
    algorithm, kid = header.get("alg"), header.get("kid")
    if not isinstance(algorithm, str):
        raise InvalidToken("the token's header names no algorithm")
    return algorithm, kid if isinstance(kid, str) else None


def _time_of(claims: Mapping[str, Any], claim: str) -> float | None:
    """A time claim as seconds since the epoch, or None when it is absent. A NumericDate
    is a JSON number (RFC 7519 2): a string or a boolean (an int to Python) is refused,
    and so are NaN and Infinity (which Python's json reads) and ints too large for a
    float, which would slip through or break the comparisons below."""
    if claim not in claims:
        return None
    value = claims[claim]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken(f"the token's {claim} claim is not a number")
    try:
        seconds = float(value)
    except OverflowError:  # an int of hundreds of digits
        seconds = math.inf
    if not math.isfinite(seconds):
        raise InvalidToken(f"the token's {claim} claim is out of range")
    return seconds


def _check_lifetime(exp: float, iat: float | None, now: float, max_lifetime_s: float) -> None:
    """Without `iat`, how long the token has left is all that can be told."""
    limit = float(max_lifetime_s)
    allowed = f"{limit:.0f}" if limit.is_integer() else f"{limit}"
    if iat is not None and exp - iat > limit:
        raise InvalidToken(
            f"the token's lifetime (exp - iat) is longer than the {allowed} s allowed"
        )
    if iat is None and exp - now > limit:
        raise InvalidToken(f"the token has no iat and expires more than {allowed} s from now")


def _claims_problem(message: str) -> str:
    if "audience" in message:
        return "the token is for another audience"
    if "issuer" in message:
        return "the token is from an untrusted issuer"
    return "the token's claims are invalid"


def _token_problem(message: str) -> str:
    if "Signature verification failed" in message:
        return "the token's signature is invalid"
    for claim in JOSE_REQUIRED_CLAIMS:
        if f'"{claim}"' in message:
            return f"the token has no {claim} claim"
    return "the token is malformed"


def _shown(algorithm: str) -> str:
    """An algorithm name from a token header, safe to put in a message."""
    return repr(algorithm[:16]) if algorithm.isascii() and algorithm.isprintable() else "'?'"
