"""CORS: which browser origins may call the API, per the Fetch standard.

Off unless `[http] cors_origins` names origins: a gateway that answers every origin
would let any web page a signed-in user visits read that user's data with a token the
page can get hold of. The gateway authenticates with headers (`Authorization`,
`X-API-Key`), never with cookies, so credentialed requests are not allowed, and `*`
(for development) is therefore valid as well. A preflight names the request headers
the API reads, since a wildcard does not cover `Authorization` (Fetch, "CORS-safelisted
request-header"); browsers keep the answer for `PREFLIGHT_MAX_AGE_S`. An answer exposes
the headers a client may want to read: the request id, the cache outcome, its rate limit.

Starlette's `CORSMiddleware` does the protocol (preflights answered before routing and
authentication, `Vary: Origin`, refusals of other origins and headers); this module
holds what the gateway allows (`gateway/config.py` checks the configured origins).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

# What a browser app sends: credentials, the body's type, and the gateway's own headers.
ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    "X-API-Key",
    "X-Act-As-Customer",
    "Idempotency-Key",
    "X-Query-Cost",
    "X-Request-ID",
)
EXPOSED_HEADERS = (
    "X-Request-ID",
    "X-Cache",
    # The client's rate limit (gateway/edge/rate_limit.py): not CORS-safelisted, so a
    # browser app could not read them, nor back off, unless they are named here.
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Retry-After",
)
PREFLIGHT_MAX_AGE_S = 600  # browsers cap it anyway (Chromium: 2 hours, Firefox: 1 day)


def cors_middleware(origins: Sequence[str]) -> list[Middleware]:
    """The middleware for these origins (as `[http] cors_origins` checked them); none
    when there are none."""
    if not origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(origins),
            allow_methods=["GET", "POST"],
            allow_headers=list(ALLOWED_HEADERS),
            allow_credentials=False,
            expose_headers=list(EXPOSED_HEADERS),
            max_age=PREFLIGHT_MAX_AGE_S,
        )
    ]
