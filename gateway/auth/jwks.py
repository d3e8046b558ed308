"""Signing keys of an identity provider, from its JWKS URL.

Keys are cached. A token naming a key id (`kid`) we do not know makes us refetch, since
providers rotate keys by publishing a new one, but at most once per
`min_refresh_s`: otherwise a stream of tokens with made-up kids would turn the gateway
into a tool for hammering the identity provider.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from gateway.auth.errors import AuthUnavailable, InvalidToken

log = logging.getLogger("erp_gateway.auth")

# The key type each algorithm family must use: an RS256 token is never checked against
# an EC key, nor an ES256 token against an RSA key.
KEY_TYPES = {"RS": "RSA", "ES": "EC"}


class JwksKeys:
    def __init__(
        self,
        url: str,
        http: httpx.AsyncClient,
        *,
        min_refresh_s: float = 30.0,
        max_age_s: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self._http = http
        self._min_refresh_s = min_refresh_s
        self._max_age_s = max_age_s
        self._clock = clock
        self._keys: dict[str | None, Mapping[str, Any]] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0
        self._failures = 0  # fetches that failed while no keys were cached

    async def key_for(self, kid: str | None, algorithm: str) -> Mapping[str, Any]:
        """The JWK that checks a token with this `kid` and algorithm."""
        if self._is_stale() or (kid not in self._keys and self._may_refresh()):
            await self._refresh()
        key = self._keys.get(kid)
        if key is None and kid is None and len(self._keys) == 1:
            key = next(iter(self._keys.values()))  # a provider with one key may omit kids
        if key is None:
            raise InvalidToken("the token's signing key (kid) is unknown")
        expected_type = KEY_TYPES[algorithm[:2]]
        if key.get("kty") != expected_type or key.get("alg", algorithm) != algorithm:
            raise InvalidToken(f"the token's signing key is not a key for {algorithm}")
        return key

    def _is_stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at > self._max_age_s

    def _may_refresh(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._min_refresh_s

    async def _refresh(self) -> None:
        failures = self._failures
        async with self._lock:
            if self._failures != failures and not self._keys:
                # Another request tried while this one waited, and failed: trying again at
                # once would queue one fetch (and its timeout) per waiting request.
                raise AuthUnavailable("the identity provider's signing keys are unavailable")
            if self._fetched_at is not None and self._clock() - self._fetched_at < min(
                self._min_refresh_s, self._max_age_s
            ):
                return  # another request refreshed while this one waited
            try:
                keys = await self._fetch()
            except (httpx.HTTPError, ValueError) as exc:
                if not self._keys:
                    self._failures += 1
                    raise AuthUnavailable(
                        "the identity provider's signing keys are unavailable"
                    ) from None
                # Keep the keys we have: a flaky provider must not log everyone out.
                log.warning("JWKS refresh from %s failed, keeping cached keys: %s", self.url, exc)
                self._fetched_at = self._clock()
                return
            self._keys = keys
            self._fetched_at = self._clock()

    async def _fetch(self) -> dict[str | None, Mapping[str, Any]]:
        self.fetches += 1
        response = await self._http.get(self.url)
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise ValueError("the JWKS document has no keys list")
        keys: dict[str | None, Mapping[str, Any]] = {}
        for key in document["keys"]:
            # Encryption keys and keys of other types are no use for checking signatures.
            if isinstance(key, dict) and key.get("use", "sig") == "sig" and key.get("kty"):
                keys[key.get("kid")] = key
        return keys
