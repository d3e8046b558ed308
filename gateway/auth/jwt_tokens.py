"""Checking a JWT: algorithm from the allow-list, key by algorithm family, then the
claims the gateway requires (`exp`, `iss`, `aud`, with a little leeway).

The key is chosen by the configured algorithm, never by anything else in the token: an
HS256 token is checked with the HMAC secret only, so a token "signed" with the RSA
public key (the key-confusion attack) fails as a bad signature, and `alg: none` is never
in the allow-list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jose import jwt
from jose.exceptions import ExpiredSignatureError, JWTClaimsError, JWTError

from gateway.auth.errors import InvalidToken
from gateway.auth.jwks import JwksKeys
from gateway.config import HMAC_ALGORITHMS, AuthSettings

REQUIRED_CLAIMS = ("exp", "iss", "aud")


class JwtVerifier:
    def __init__(self, settings: AuthSettings, jwks: JwksKeys | None) -> None:
        self._settings = settings
        self._jwks = jwks

    async def claims_of(self, token: str) -> Mapping[str, Any]:
        """The token's claims once it has passed every check; InvalidToken otherwise."""
        algorithm, kid = _header_of(token)
        if algorithm.lower() == "none":
            raise InvalidToken("unsigned tokens (alg none) are not accepted")
        if algorithm not in self._settings.algorithms:
            raise InvalidToken(f"tokens signed with {_shown(algorithm)} are not accepted")
        key = await self._key_for(algorithm, kid)
        options = {"leeway": self._settings.leeway_s, "verify_at_hash": False}
        options.update({f"require_{claim}": True for claim in REQUIRED_CLAIMS})
        try:
            claims = jwt.decode(
                token,
                key,  # a secret, or a JWK mapping that jose also accepts
                algorithms=[algorithm],
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                options=options,
            )
        except ExpiredSignatureError:
            raise InvalidToken("the token has expired") from None
        except JWTClaimsError as exc:
            raise InvalidToken(_claims_problem(str(exc))) from None
        except JWTError as exc:
            raise InvalidToken(_token_problem(str(exc))) from None
        return claims

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


def _claims_problem(message: str) -> str:
    if "audience" in message:
        return "the token is for another audience"
    if "issuer" in message:
        return "the token is from an untrusted issuer"
    if "not yet valid" in message:
        return "the token is not valid yet"
    return "the token's claims are invalid"


def _token_problem(message: str) -> str:
    if "Signature verification failed" in message:
        return "the token's signature is invalid"
    for claim in REQUIRED_CLAIMS:
        if f'"{claim}"' in message:
            return f"the token has no {claim} claim"
    return "the token is malformed"


def _shown(algorithm: str) -> str:
    """An algorithm name from a token header, safe to put in a message."""
    return repr(algorithm[:16]) if algorithm.isascii() and algorithm.isprintable() else "'?'"
