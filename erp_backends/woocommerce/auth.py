"""How a request proves it holds the shop's REST API key: WooCommerce's rule by scheme.

WooCommerce takes HTTP Basic (consumer key as user, secret as password) only over
HTTPS. Over plain HTTP it ignores Basic and wants OAuth 1.0a "one-legged" (consumer key
and secret, no token), signed into the query string: `oauth_consumer_key`,
`oauth_timestamp`, `oauth_nonce`, `oauth_signature_method`, `oauth_signature`. A shop
served over HTTP, or behind a proxy that does not tell WordPress the request came in
over HTTPS, refuses Basic with 401 `woocommerce_rest_cannot_view`.

The signature is RFC 5849's HMAC-SHA256, written here for the requests a client of the
REST API sends: a method, a URL and its query, no body parameters, no token. It was
oauthlib's, whose signing re-parses and re-encodes the whole URL several times over:
0.5 ms of CPU for a listing request of 100 SKUs, twice on the federated customer-360's
critical path. The tests hold this signature to oauthlib's, and the emulator checks it
as WooCommerce does. Each attempt is signed anew, so a retried read carries a fresh
nonce and timestamp (WooCommerce refuses a nonce it has seen).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string
import time
from collections.abc import Callable, Generator, Mapping
from urllib.parse import quote, unquote_plus

import httpx
from httpx._urlparse import ParseResult

SIGNATURE_METHOD = "HMAC-SHA256"

# RFC 3986's unreserved characters stay as they are; every other byte is written %XX
# with upper-case hex digits (RFC 5849 3.6).
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")


class WooCommerceAuth(httpx.Auth):
    """Basic over `https://`, an OAuth 1.0a query signature over `http://`."""

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        *,
        clock: Callable[[], float] = time.time,
        nonce: Callable[[], str] = lambda: secrets.token_hex(16),
    ) -> None:
        self._basic = httpx.BasicAuth(consumer_key, consumer_secret)
        self._key = consumer_key
        self._signing_key = f"{percent_encode(consumer_secret)}&".encode()  # no token secret
        self._clock, self._nonce = clock, nonce

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if request.url.scheme == "https":
            yield from self._basic.auth_flow(request)
            return
        request.url = self.signed_url(request.method, request.url)
        yield request

    def with_query(self, params: Mapping[str, str | int]) -> httpx.Auth:
        """This authentication, for a request whose URL has no query yet: it writes
        `params` as the query itself. Over HTTP the signed query is written in one go,
        where httpx would encode and parse `params` and the signing parse and write
        them again (each a pass over every character of a long URL)."""
        return _WithQuery(self, [(name, str(value)) for name, value in params.items()])

    def signed_url(self, method: str, url: httpx.URL) -> httpx.URL:
        """`url` with the OAuth parameters and the signature added to its query."""
        params = [
            (unquote_plus(name), unquote_plus(value))
            for name, _, value in (
                part.partition("=") for part in url.query.decode("ascii").split("&") if part
            )
        ]
        return url.copy_with(query=self.signed_query(method, url, params).encode("ascii"))

    def signed_query(self, method: str, url: httpx.URL, params: list[tuple[str, str]]) -> str:
        """`params` as a query, percent-encoded as RFC 3986 wants it, with the OAuth
        parameters and the signature over them all and `url` (whose query is ignored)."""
        encoded = [(percent_encode(name), percent_encode(value)) for name, value in params]
        encoded += [
            ("oauth_consumer_key", percent_encode(self._key)),
            ("oauth_nonce", percent_encode(self._nonce())),
            ("oauth_signature_method", SIGNATURE_METHOD),
            ("oauth_timestamp", str(int(self._clock()))),
            ("oauth_version", "1.0"),  # optional; sent as oauthlib sent it
        ]
        encoded.sort()  # by encoded name, then encoded value (RFC 5849 3.4.1.3.2)
        query = "&".join(f"{name}={value}" for name, value in encoded)
        base = "&".join(
            (method.upper(), percent_encode(base_string_uri(url)), percent_encode(query))
        )
        digest = hmac.new(self._signing_key, base.encode("ascii"), hashlib.sha256).digest()
        return f"{query}&oauth_signature={percent_encode(base64.b64encode(digest).decode())}"


class _WithQuery(httpx.Auth):
    def __init__(self, auth: WooCommerceAuth, params: list[tuple[str, str]]) -> None:
        self._auth, self._params = auth, params

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        url = request.url
        if url.scheme == "https":
            query = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in self._params)
            request.url = with_encoded_query(url, query)
            yield from self._auth.auth_flow(request)
            return
        signed = self._auth.signed_query(request.method, url, self._params)
        request.url = with_encoded_query(url, signed)
        yield request


def with_encoded_query(url: httpx.URL, query: str) -> httpx.URL:
    """`url` with `query`, which `percent_encode` wrote: `name=value` pairs joined by
    `&`, every other character unreserved or `%XX`, so httpx would take it as it is.

    httpx's `copy_with` checks the whole URL again character by character in Python:
    0.3 ms for a listing of 100 SKUs (1.5 KB), twice on the federated customer-360's
    critical path. The query is set on httpx's parsed form instead, where httpx keeps
    it; should a later httpx keep it elsewhere, `copy_with` does the job."""
    parsed = getattr(url, "_uri_reference", None)
    if not isinstance(parsed, ParseResult):
        return url.copy_with(query=query.encode("ascii"))
    with_query = httpx.URL.__new__(httpx.URL)
    with_query._uri_reference = parsed._replace(query=query)
    return with_query


def base_string_uri(url: httpx.URL) -> str:
    """RFC 5849 3.4.1.2: scheme and host in lower case, the port only if not the
    scheme's default, the path; no query, no fragment."""
    # httpx has already lower-cased scheme and host and left out a default port.
    host = url.raw_host.decode("ascii")
    port = "" if url.port is None else f":{url.port}"
    path = url.raw_path.partition(b"?")[0].decode("ascii")
    return f"{url.scheme}://{host}{port}{path}"


def percent_encode(text: str) -> str:
    """RFC 5849 3.6: UTF-8, every byte but the unreserved ones as %XX."""
    if not text.isascii():
        return quote(text, safe="")  # urllib's always-safe set is RFC 3986's unreserved one
    # A query holds few distinct characters to encode (a list of 100 SKUs: commas), each
    # replaced throughout at C speed; urllib and `str.translate` go character by
    # character, ten times slower on such a list. "%" first: the others write "%".
    reserved = set(text) - _UNRESERVED
    if "%" in reserved:
        text = text.replace("%", "%25")
        reserved.discard("%")
    for char in reserved:
        text = text.replace(char, f"%{ord(char):02X}")
    return text
