"""HTTP to a backend, made resilient once for every system.

`BackendHttp` sends a system client's requests and owns what every backend needs:
the rate limit, the timeout, retries of reads (timeouts, connection failures, HTTP 429
and 502/503/504) with exponential backoff, full jitter and the server's `Retry-After`,
and a circuit breaker that fails fast while a system is down and lets one probe
through now and then. Transport failures come out as `erp_backends.errors`; every
other answer, 4xx and 500 included, goes back to the system client to interpret
(a 500 is usually the system's own error object, which a retry would not change).
A `CallObserver` given by the wiring sees every request sent (metrics, traces).
"""

from __future__ import annotations

import asyncio
import copy
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from erp_backends.errors import (
    BackendDataError,
    BackendError,
    BackendRateLimited,
    BackendTimeout,
    BackendUnavailable,
)
from erp_backends.rate_limit import RateLimiter

RETRIED_STATUSES = frozenset({429, 502, 503, 504})
# An answer bigger than this, once decompressed, is refused: a page of records is far
# smaller, and a few KB of gzip can otherwise inflate to gigabytes in memory.
MAX_ANSWER_BYTES = 32 * 1024 * 1024
# Parsed URLs kept per backend, by path (`BackendHttp._url`).
URLS_KEPT = 256
# What a response streams once its body is read and closed (see `_exchange`).
_READ = httpx.ByteStream(b"")


@dataclass(frozen=True, slots=True)
class Resilience:
    """How hard to try a backend; the defaults suit an interactive API gateway."""

    timeout_s: float = 10.0
    retries: int = 2  # further attempts of a read after the first one fails
    backoff_s: float = 0.2  # the first retry waits up to this; each further one doubles it
    max_backoff_s: float = 5.0  # a longer Retry-After is not waited for: the call fails
    circuit_failures: int = 5  # consecutive failures that open the circuit
    circuit_reset_s: float = 30.0  # how long it stays open before one probe


# Told how a call ended: the answer's status, or the error it raised instead.
CallDone = Callable[[int | None, BaseException | None], None]


class CallObserver(Protocol):
    """Watches every request sent to a backend (metrics, traces). The wiring passes one
    in, as this layer imports nothing above it. `sending` may add headers to the request
    (a trace's `traceparent`) and returns what to tell when the call has ended."""

    def sending(self, backend: str, request: httpx.Request) -> CallDone: ...


class CircuitOpen(BackendUnavailable):
    """The circuit is open: the backend failed repeatedly and is not called for a while."""


class CircuitBreaker:
    """Closed: calls go through. After `failures` consecutive failures it opens: calls
    fail at once. After `reset_s` one call probes (half-open); its outcome closes the
    circuit or opens it again for another `reset_s`."""

    def __init__(
        self, failures: int, reset_s: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._threshold = failures
        self._reset_s = reset_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        return "half-open" if self._probing else "open"

    def retry_in(self) -> float | None:
        """None when a call may go through now, else the seconds until the next probe."""
        if self._opened_at is None:
            return None
        wait = self._opened_at + self._reset_s - self._clock()
        if wait > 0 or self._probing:
            return max(wait, 0.0)
        self._probing = True
        return None

    def succeeded(self) -> None:
        self._failures, self._opened_at, self._probing = 0, None, False

    def failed(self) -> None:
        self._failures += 1
        if self._probing or self._failures >= self._threshold:
            self._opened_at, self._probing = self._clock(), False


class _NoCookies(httpx.Cookies):
    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class StatelessClient(httpx.AsyncClient):
    """An httpx client that keeps no cookies. Backend calls are made for many users
    with the gateway's own credentials: a cookie one answer sets (an Odoo session, a
    load balancer's affinity, a WordPress login) must not ride along on the next call.
    It is also cheaper: httpx builds a urllib request per answer to look for cookies."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._none_kept = _NoCookies()

    @property
    def cookies(self) -> httpx.Cookies:
        return self._none_kept

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        raise TypeError("a backend client keeps no cookies")


class BackendHttp:
    """One backend's HTTP client, with its rate limit, retries and circuit breaker."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        *,
        backend: str,
        system: str,
        resilience: Resilience = Resilience(),
        rate_limiter: RateLimiter | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        observer: CallObserver | None = None,
    ) -> None:
        self.backend = backend
        self.base_url = base_url.rstrip("/")
        self._client = client
        self._system = system
        self._policy = resilience
        self._rate_limiter = rate_limiter
        self._sleep = sleep
        self._max_answer_bytes = max_answer_bytes
        self._observer = observer
        self.breaker = CircuitBreaker(
            resilience.circuit_failures, resilience.circuit_reset_s, clock=clock
        )
        self._background = False
        self._urls: dict[str, httpx.URL] = {}  # shared with `in_background`'s copy

    def headroom(self) -> float:
        """The share of the rate limit's burst free now (1 without a rate limit)."""
        return 1.0 if self._rate_limiter is None else self._rate_limiter.headroom()

    def in_background(self) -> BackendHttp:
        """The same client, breaker and rate limit, for work that yields the rate limit's
        reserve to interactive calls (see `TokenBucket`): the command worker's writes."""
        background = copy.copy(self)
        background._background = True
        return background

    async def request(self, method: str, path: str, *, read: bool, **kwargs: Any) -> httpx.Response:
        """Send, retrying reads; writes are sent once (their idempotency is the caller's)."""
        attempts = 1 + (self._policy.retries if read else 0)
        for attempt in range(1, attempts + 1):
            try:
                return await self._attempt(method, path, kwargs)
            except (CircuitOpen, BackendDataError):
                raise  # asking again would not change the answer
            except BackendError as error:
                delay = self._backoff(attempt, error)
                if attempt == attempts or delay is None:
                    raise
            await self._sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _attempt(self, method: str, path: str, kwargs: dict[str, Any]) -> httpx.Response:
        wait = self.breaker.retry_in()
        if wait is not None:
            raise CircuitOpen(
                f"{self._system} failed repeatedly; the next try is in {wait:.0f}s",
                backend=self.backend,
            )
        if self._rate_limiter is not None:
            await self._rate_limiter.acquire(background=self._background)
        # `send` takes the auth flow (WooCommerce's OAuth signs each request); the rest
        # builds the request.
        fields = dict(kwargs)  # the caller's kwargs serve every attempt
        auth = fields.pop("auth", httpx.USE_CLIENT_DEFAULT)
        request = self._client.build_request(
            method, self._url(path), timeout=self._policy.timeout_s, **fields
        )
        if self._observer is None:
            return await self._exchange(request, auth, method, path)
        done = self._observer.sending(self.backend, request)
        try:
            response = await self._exchange(request, auth, method, path)
        except BaseException as exc:
            done(None, exc)
            raise
        done(response.status_code, None)
        return response

    def _url(self, path: str) -> httpx.URL:
        """The URL of a path, parsed once: httpx's parsing (with its RFC 3986 checks) of
        the same few paths cost a tenth of the CPU of a call. Paths that name records
        (HubSpot's, WooCommerce's) are many: past `URLS_KEPT` they are parsed each time."""
        url = self._urls.get(path)
        if url is None:
            url = httpx.URL(self.base_url + path)
            if len(self._urls) < URLS_KEPT:
                self._urls[path] = url
        return url

    async def _exchange(
        self, request: httpx.Request, auth: Any, method: str, path: str
    ) -> httpx.Response:
        """Send one request and read its answer, failures as `erp_backends.errors`."""
        try:
            response = await self._client.send(request, auth=auth, stream=True)
            try:
                await self._read_capped(response, f"{method} {path}")
            finally:
                await response.aclose()
                # httpx's stream refers back to its response: a cycle that would keep
                # the answer's bytes until the collector's full pass. Read and closed,
                # the stream is not needed again.
                response.stream = _READ
        except httpx.TimeoutException as exc:
            self.breaker.failed()
            raise BackendTimeout(
                f"{self._system} did not answer within {self._policy.timeout_s:g}s",
                backend=self.backend,
            ) from exc
        except httpx.DecodingError as exc:
            raise BackendDataError(
                f"{self._system} answered {method} {path} with a body that does not decode "
                f"as its Content-Encoding says ({exc})",
                backend=self.backend,
            ) from exc
        except httpx.TransportError as exc:
            self.breaker.failed()
            raise BackendUnavailable(
                f"{self._system} at {self.base_url} is unreachable ({type(exc).__name__})",
                backend=self.backend,
            ) from exc
        return self._checked(response, f"{method} {path}")

    async def _read_capped(self, response: httpx.Response, what: str) -> None:
        """Read the decoded body as `httpx.Response.aread` does, but stop at the size cap."""
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self._max_answer_bytes:
                raise BackendDataError(
                    f"{self._system} answered {what} with more than "
                    f"{self._max_answer_bytes} bytes (decompressed); the answer is refused",
                    backend=self.backend,
                )
            chunks.append(chunk)
        # What `aread` stores: the response reads as any other from here on.
        response._content = b"".join(chunks)

    def _checked(self, response: httpx.Response, what: str) -> httpx.Response:
        if response.status_code == 429:
            # A throttle is not an outage: it does not count towards opening the circuit.
            raise BackendRateLimited(
                f"{self._system} rate-limited {what}",
                backend=self.backend,
                retry_after=retry_after(response),
            )
        if response.status_code in RETRIED_STATUSES:
            self.breaker.failed()
            raise BackendUnavailable(
                f"{self._system} answered {what} with HTTP {response.status_code}",
                backend=self.backend,
            )
        self.breaker.succeeded()
        return response

    def _backoff(self, attempt: int, error: BackendError) -> float | None:
        """Seconds to wait before the next attempt, or None when waiting is pointless."""
        if isinstance(error, BackendRateLimited) and error.retry_after is not None:
            hint = error.retry_after
            return hint if hint <= self._policy.max_backoff_s else None
        ceiling = min(self._policy.max_backoff_s, self._policy.backoff_s * 2 ** (attempt - 1))
        return random.uniform(0, ceiling)  # noqa: S311 - jitter, not cryptography


def retry_after(response: httpx.Response) -> float | None:
    """The `Retry-After` header in seconds, when it is a number."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None
