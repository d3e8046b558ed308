"""How a request proves it holds the shop's REST API key: WooCommerce's rule by scheme.

WooCommerce takes HTTP Basic (consumer key as user, secret as password) only over
HTTPS. Over plain HTTP it ignores Basic and wants OAuth 1.0a "one-legged" (consumer key
and secret, no token), signed into the query string: `oauth_consumer_key`,
`oauth_timestamp`, `oauth_nonce`, `oauth_signature_method`, `oauth_signature`. A shop
served over HTTP, or behind a proxy that does not tell WordPress the request came in
over HTTPS, refuses Basic with 401 `woocommerce_rest_cannot_view`.

The signing is oauthlib's (RFC 5849, HMAC-SHA256); its base string and WooCommerce's
agree for the gateway's requests: one value per parameter name, names of letters,
digits and `_`. Each attempt is signed anew, so a retried read carries a fresh nonce
and timestamp (WooCommerce refuses a nonce it has seen).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Literal, cast

import httpx
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, SIGNATURE_TYPE_QUERY, Client

# The methods oauthlib's stubs name; httpx keeps a request's method upper-case.
Method = Literal["CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"]


class WooCommerceAuth(httpx.Auth):
    """Basic over `https://`, an OAuth 1.0a query signature over `http://`."""

    def __init__(self, consumer_key: str, consumer_secret: str) -> None:
        self._basic = httpx.BasicAuth(consumer_key, consumer_secret)
        self._key, self._secret = consumer_key, consumer_secret

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if request.url.scheme == "https":
            yield from self._basic.auth_flow(request)
            return
        request.url = self.signed_url(request.method, request.url)
        yield request

    def signed_url(self, method: str, url: httpx.URL) -> httpx.URL:
        """`url` with the OAuth parameters and signature added to its query."""
        signer = Client(
            self._key,
            client_secret=self._secret,
            signature_method=SIGNATURE_HMAC_SHA256,
            signature_type=SIGNATURE_TYPE_QUERY,
        )
        signed, _headers, _body = signer.sign(str(url), http_method=cast(Method, method))
        return httpx.URL(signed)
