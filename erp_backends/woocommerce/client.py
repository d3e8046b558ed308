"""WooCommerce's REST API v3 on the wire (`/wp-json/wc/v3/...`). Wire calls only;
mapping lives in `mapping.py` and `adapter.py`.

Every call is a GET, authenticated as WooCommerce wants it for the site's scheme
(`auth.py`): HTTP Basic over `https://`, an OAuth 1.0a query signature over `http://`.
Lists come back as JSON arrays with the totals in the `X-WP-Total` and
`X-WP-TotalPages` headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from erp_backends import wire_json
from erp_backends.errors import (
    BackendAuthError,
    BackendDataError,
    BackendError,
    BackendRequestError,
    BackendUnavailable,
)
from erp_backends.http import BackendHttp
from erp_backends.woocommerce.auth import WooCommerceAuth
from erp_backends.woocommerce.errors import woocommerce_error

API_ROOT = "/wp-json/wc/v3"
Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class WooCommerceKeys:
    """A REST API key of the shop (WooCommerce > Settings > Advanced > REST API)."""

    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)

    @classmethod
    def from_secret(cls, secret: str) -> WooCommerceKeys:
        """The key from one secret written "ck_...:cs_..."."""
        key, colon, consumer_secret = secret.partition(":")
        if not (colon and key and consumer_secret):
            raise ValueError("a WooCommerce key is written as consumer_key:consumer_secret")
        return cls(key, consumer_secret)


@dataclass(frozen=True, slots=True)
class WooList:
    """One page of a collection and the size of the whole collection."""

    items: list[Row]
    total: int
    total_pages: int


class WooCommerceClient:
    """Reads the shop's collections; `http`'s base URL is the site's root URL.

    Raises only `erp_backends.errors.BackendError` subclasses (WooCommerce's own errors
    as the typed ones in `erp_backends.woocommerce.errors`).
    """

    def __init__(self, http: BackendHttp, keys: WooCommerceKeys) -> None:
        self._http = http
        self._auth = WooCommerceAuth(keys.consumer_key, keys.consumer_secret)
        self.backend = http.backend

    async def list_page(self, resource: str, params: Mapping[str, str | int]) -> WooList:
        """`GET /wp-json/wc/v3/<resource>?<params>`: one page and the totals."""
        response = await self._get(resource, params)
        rows = self._json(response, resource)
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise self._bad_answer(resource, rows)
        total = self._count(response, "X-WP-Total", resource)
        pages = response.headers.get("X-WP-TotalPages")
        total_pages = self._count(response, "X-WP-TotalPages", resource) if pages else 0
        return WooList(rows, total, total_pages)

    async def get(self, resource: str, record_id: int) -> Row:
        """`GET /wp-json/wc/v3/<resource>/<id>`: one record."""
        what = f"{resource}/{record_id}"
        row = self._json(await self._get(what, {}), what)
        if not isinstance(row, dict):
            raise self._bad_answer(what, row)
        return row

    async def _get(self, path: str, params: Mapping[str, str | int]) -> httpx.Response:
        # The auth writes the query: signed over HTTP, for each attempt anew.
        response = await self._http.request(
            "GET", f"{API_ROOT}/{path}", read=True, auth=self._auth.with_query(params)
        )
        if response.status_code != 200:
            raise self._error(response, path)
        return response

    def _error(self, response: httpx.Response, what: str) -> BackendError:
        status = response.status_code
        try:
            body = wire_json.loads(response.content)
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("code"), str):
            message = str(body.get("message", ""))
            return woocommerce_error(status, body["code"], message, backend=self.backend)
        summary = f"WooCommerce answered GET {what} with HTTP {status}"
        if status in (401, 403):
            return BackendAuthError(f"{summary}: the key was refused", backend=self.backend)
        if status >= 500:
            return BackendUnavailable(summary, backend=self.backend)
        return BackendRequestError(
            f"{summary}; is {self._http.base_url} a WordPress site with WooCommerce and "
            "pretty permalinks?",
            backend=self.backend,
        )

    def _json(self, response: httpx.Response, what: str) -> Any:
        try:
            return wire_json.loads(response.content)
        except ValueError:
            # WordPress without pretty permalinks answers /wp-json/... with its home page.
            raise BackendDataError(
                f"WooCommerce answered GET {what} with something other than JSON "
                f"({response.headers.get('content-type', 'no content type')}); is "
                f"{self._http.base_url} a WordPress site with pretty permalinks?",
                backend=self.backend,
            ) from None

    def _count(self, response: httpx.Response, header: str, what: str) -> int:
        value = response.headers.get(header, "")
        if not value.isdigit():
            raise BackendDataError(
                f"WooCommerce answered GET {what} without a count in its {header} header "
                f"(got {value[:20]!r})",
                backend=self.backend,
            )
        return int(value)

    def _bad_answer(self, what: str, got: Any) -> BackendDataError:
        return BackendDataError(
            f"WooCommerce answered GET {what} with an unexpected shape: {str(got)[:80]!r}",
            backend=self.backend,
        )
