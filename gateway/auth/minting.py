"""Signing HS256 tokens with the gateway's own secret: for `demo`, scripts and tests.

Production tokens come from the company's identity provider; these are for a gateway
that is its own issuer (development, demos, internal services).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from jose import jwt

from gateway.auth.principal import PrincipalKind
from gateway.secrets import Secret


def mint_token(
    secret: Secret,
    *,
    subject: str,
    kind: PrincipalKind,
    scopes: Iterable[str],
    customer_id: str | list[str] | None = None,  # a partner's may be a list
    issuer: str = "erp-gateway",
    audience: str = "erp-gateway",
    lifetime_s: int = 12 * 3600,  # within [auth] max_token_lifetime_s (24 h by default)
) -> str:
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": subject,
        "kind": kind.value,
        "scope": " ".join(sorted(scopes)),
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "exp": now + lifetime_s,
    }
    if customer_id is not None:
        claims["customer_id"] = customer_id
    return jwt.encode(claims, secret.reveal(), algorithm="HS256")
