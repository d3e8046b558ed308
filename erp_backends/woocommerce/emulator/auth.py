"""WooCommerce's REST API key authentication, as `class-wc-rest-authentication.php` does it.

Which scheme counts depends on the connection, not on the client:

- over HTTPS, HTTP Basic (consumer key as user, secret as password) or the
  `consumer_key`/`consumer_secret` query parameters are tried first. An unknown key is
  no error there: the request goes on unauthenticated (and the route's permission check
  refuses it with `woocommerce_rest_cannot_view`); a known key with a wrong secret is
  401 `woocommerce_rest_authentication_error` "Consumer secret is invalid.".
- over either, OAuth 1.0a "one-legged" (no token): `oauth_consumer_key`,
  `oauth_timestamp`, `oauth_nonce`, `oauth_signature_method` (HMAC-SHA1 or
  HMAC-SHA256) and `oauth_signature` in the query or an `Authorization: OAuth` header.
  The signature covers the method, the URL and every parameter of the query and of an
  `application/x-www-form-urlencoded` POST body (PHP's `array_merge($_GET, $_POST)`:
  the last of repeated names wins, a body parameter over a query one; RFC 5849
  3.4.1.3); the key is `<consumer secret>&`. The timestamp must be within 15 minutes
  of now and the nonce unused in that window. Over plain HTTP this
  is the only scheme: Basic credentials are not even looked at.

Every failure is 401 with WooCommerce's error body; a key without the permission a
method needs (`read`, `write`, `read_write`) is refused too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import heapq
import hmac
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote, unquote, unquote_plus

from starlette.requests import Request

from erp_backends.woocommerce.emulator.params import WpError

Permissions = Literal["read", "write", "read_write"]
WINDOW_S = 15 * 60  # WooCommerce's validity window for timestamps and nonces
OAUTH_PARAMS = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)
_HASHES = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}
_HEADER_PARAM = re.compile(r'(oauth_[a-z_-]*)=(?:"([^"]*)"|([^,]*))')
_READS = ("GET", "HEAD")
_WRITES = ("POST", "PUT", "PATCH", "DELETE")


def auth_error(message: str, code: str = "woocommerce_rest_authentication_error") -> WpError:
    return WpError(401, code, message)


@dataclass
class ApiKey:
    """One REST API key of the shop and the OAuth nonces it has seen."""

    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    permissions: Permissions = "read_write"
    clock: Callable[[], float] = time.time
    _nonces: set[str] = field(default_factory=set, repr=False)
    # (timestamp, nonce), oldest first: a nonce is forgotten once its timestamp would be
    # refused anyway, in O(log n) per request however many requests a benchmark sends.
    _expiry: list[tuple[int, str]] = field(default_factory=list, repr=False)

    async def authenticate(self, request: Request) -> bool:
        """True for a request the key authenticates, False for an anonymous one; raises
        the 401 WooCommerce answers for failed authentication or missing permission."""
        failure: WpError | None = None
        authenticated = False
        if request.url.scheme == "https":
            authenticated, failure = self._basic(request)
        if not authenticated:
            authenticated, failure = self._oauth(request, await form_params(request), failure)
        if failure is not None:
            raise failure
        if authenticated:
            self._check_permission(request.method)
        return authenticated

    # HTTPS only -----------------------------------------------------------------------

    def _basic(self, request: Request) -> tuple[bool, WpError | None]:
        query = request.query_params
        key, secret = query.get("consumer_key", ""), query.get("consumer_secret", "")
        if not (key and secret):
            key, secret = _basic_credentials(request.headers.get("authorization", ""))
        if not (key and secret) or not _same(key, self.consumer_key):
            return False, None  # no key, or not one of the shop's: not an error yet
        if not _same(secret, self.consumer_secret):
            return False, auth_error("Consumer secret is invalid.")
        return True, None

    # OAuth 1.0a -------------------------------------------------------------------------

    def _oauth(
        self, request: Request, form: list[tuple[str, str]], earlier: WpError | None
    ) -> tuple[bool, WpError | None]:
        params = dict(php_query(request.url.query))
        params.update(form)
        params.update(_header_params(request.headers.get("authorization", "")))
        missing = [name for name in OAUTH_PARAMS if not params.get(name)]
        if len(missing) == len(OAUTH_PARAMS):
            return False, earlier  # not an OAuth request at all
        if missing:
            plural = "s" if len(missing) > 1 else ""
            message = f"Missing OAuth parameter{plural} {', '.join(missing)}"
            return False, auth_error(message, "woocommerce_rest_authentication_missing_parameter")
        if not _same(params["oauth_consumer_key"], self.consumer_key):
            return False, auth_error("Consumer key is invalid.")
        problem = self._signature_problem(request, params) or self._replay_problem(params)
        return problem is None, problem

    def _signature_problem(self, request: Request, params: dict[str, str]) -> WpError | None:
        offered = unquote(params.pop("oauth_signature").replace(" ", "+"))
        method = params["oauth_signature_method"]
        if method not in _HASHES:
            return auth_error("Invalid signature - signature method is invalid.")
        url = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
        base = signature_base(request.method, url, params)
        digest = hmac.new(f"{self.consumer_secret}&".encode(), base.encode(), _HASHES[method])
        expected = base64.b64encode(digest.digest()).decode()
        if not _same(expected, offered):
            return auth_error("Invalid signature - provided signature does not match.")
        return None

    def _replay_problem(self, params: dict[str, str]) -> WpError | None:
        now = self.clock()
        stamp = params["oauth_timestamp"]
        if not stamp.isdigit() or abs(int(stamp) - now) > WINDOW_S:
            return auth_error("Invalid timestamp.")
        while self._expiry and self._expiry[0][0] < now - WINDOW_S:
            self._nonces.discard(heapq.heappop(self._expiry)[1])
        nonce = params["oauth_nonce"]
        if nonce in self._nonces:
            return auth_error("Invalid nonce - nonce has already been used.")
        self._nonces.add(nonce)
        heapq.heappush(self._expiry, (int(stamp), nonce))
        return None

    def _check_permission(self, method: str) -> None:
        if method in _READS and self.permissions not in ("read", "read_write"):
            raise auth_error("The API key provided does not have read permissions.")
        if method in _WRITES and self.permissions not in ("write", "read_write"):
            raise auth_error("The API key provided does not have write permissions.")


def signature_base(method: str, url: str, params: dict[str, str]) -> str:
    """WooCommerce's string to sign: `METHOD&<url>&<k=v pairs>`, each part percent-encoded
    as PHP's rawurlencode does, the pairs sorted by name (byte order, as `strcmp`)."""
    pairs = sorted(params.items(), key=lambda pair: _base_name(pair[0]).encode())
    encoded = [_rfc3986(f"{_rfc3986(k)}={_rfc3986(v)}") for k, v in pairs]
    return f"{method.upper()}&{_rfc3986(url)}&{'%26'.join(encoded)}"


async def form_params(request: Request) -> list[tuple[str, str]]:
    """The parameters of a form body, as PHP's `$_POST` holds them (flattened like
    `php_query`): PHP fills it for POST only, so nothing for other methods or bodies."""
    if request.method != "POST" or not is_form(request):
        return []
    return php_query((await request.body()).decode("utf-8", "replace"))


def is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded"


def php_query(query: str) -> list[tuple[str, str]]:
    """The query string as PHP's `$_GET` holds it, flattened: a repeated name keeps its
    last value, and `name[]` values are numbered `name[0]`, `name[1]`, ..."""
    values: dict[str, str] = {}
    counters: dict[str, int] = {}
    for part in query.split("&"):
        if not part:
            continue
        raw_name, _, raw_value = part.partition("=")
        name, value = unquote_plus(raw_name), unquote_plus(raw_value)
        if name.endswith("[]"):
            base = name[:-2]
            index = counters.get(base, 0)
            counters[base] = index + 1
            name = f"{base}[{index}]"
        values[name] = value
    return list(values.items())


def _base_name(name: str) -> str:
    return name.split("[", 1)[0]


def _rfc3986(text: str) -> str:
    return quote(text, safe="")


def _header_params(header: str) -> dict[str, str]:
    """The `oauth_*` parameters of an `Authorization: OAuth ...` header."""
    header = header.strip()
    if not header.startswith("OAuth "):
        return {}
    return {
        name: unquote_plus(quoted or bare) for name, quoted, bare in _HEADER_PARAM.findall(header)
    }


def _basic_credentials(header: str) -> tuple[str, str]:
    if header[:6].lower() != "basic ":
        return "", ""
    try:
        decoded = base64.b64decode(header[6:], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    key, _, secret = decoded.partition(":")
    return key, secret


def _same(offered: str, expected: str) -> bool:
    return hmac.compare_digest(offered.encode(), expected.encode())
