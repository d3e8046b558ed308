"""A WooCommerce shop, emulated in-process over HTTP for tests, demos and benchmarks.

It answers the read side of the REST API v3 the way WooCommerce 9 does, so an adapter
written against it works against a real shop:

- `GET /wp-json/wc/v3/{customers,orders,products}`: JSON arrays with `X-WP-Total`,
  `X-WP-TotalPages` and a `Link` header (`prev`/`next`); `page`, `per_page` (1-100,
  default 10), `offset`, `include`, `exclude`, `orderby`, `order`, `search`, and
  `email` (customers), `customer` and `status` (orders), `sku` (comma-separated),
  `status` and `stock_status` (products). Bad parameters: 400 `rest_invalid_param`.
- `GET /wp-json/wc/v3/{customers,orders,products}/<id>`: one record, or 404 with
  `woocommerce_rest_invalid_id`, `woocommerce_rest_shop_order_invalid_id`,
  `woocommerce_rest_product_invalid_id`.
- Authentication: HTTP Basic with the consumer key and secret (or the
  `consumer_key`/`consumer_secret` query parameters); wrong ones give 401
  `woocommerce_rest_authentication_error`, none gives 401 `woocommerce_rest_cannot_view`.
  A real shop takes Basic only over HTTPS; the emulator serves plain HTTP on loopback.
- Anything else under `/wp-json`, writes included: 404 `rest_no_route`.
- `GET|DELETE /_emulator/calls`: the count of API calls received ("GET /orders"), and
  its reset.

The data (`seed.build_shop`) is built once per `create_app`, projected from the neutral
world (`erp_backends.emulation.world`) of the same seed; faults from
`EmulatorOptions.faults` (latency, rate limit, random 503s) wrap every route except the
`/_emulator` controls.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from erp_backends.emulation.faults import CallLog, FaultInjection, FaultOptions, call_log_routes
from erp_backends.woocommerce.emulator.params import Params, WpError, no_route
from erp_backends.woocommerce.emulator.seed import build_shop
from erp_backends.woocommerce.emulator.store import Listing, ShopStore

API_ROOT = "/wp-json/wc/v3"
_ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]
_CREDENTIAL_PARAMS = ("consumer_key", "consumer_secret")
Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class EmulatorOptions:
    """What the emulated shop holds and which REST API key it accepts."""

    seed: int = 1
    consumer_key: str = field(default="ck_demo", repr=False)
    consumer_secret: str = field(default="cs_demo", repr=False)
    faults: FaultOptions = field(default_factory=FaultOptions)


def create_app(options: EmulatorOptions | None = None) -> Starlette:
    """The emulator as a Starlette app; `app.state.store` is its `ShopStore`."""
    options = options or EmulatorOptions()
    calls = CallLog()
    api = _Api(ShopStore(build_shop(options.seed)), options, calls)
    routes = []
    for resource in ("customers", "orders", "products"):
        routes += [
            Route(f"{API_ROOT}/{resource}", api.collection(resource), methods=_ANY_METHOD),
            Route(
                f"{API_ROOT}/{resource}/{{record_id:int}}",
                api.single(resource),
                methods=_ANY_METHOD,
            ),
        ]
    routes += [
        Route("/wp-json", api.no_route, methods=_ANY_METHOD),
        Route("/wp-json/{path:path}", api.no_route, methods=_ANY_METHOD),
        *call_log_routes(calls),
    ]
    app = Starlette(
        routes=routes, middleware=[Middleware(FaultInjection, options.faults, log=calls)]
    )
    app.state.store = api.store
    app.state.calls = calls
    return app


class _Api:
    def __init__(self, store: ShopStore, options: EmulatorOptions, calls: CallLog) -> None:
        self.store = store
        self._options = options
        self._calls = calls

    def collection(self, resource: str) -> Endpoint:
        list_rows = {
            "customers": self.store.list_customers,
            "orders": self.store.list_orders,
            "products": self.store.list_products,
        }[resource]

        async def endpoint(request: Request) -> Response:
            self._calls.record(f"{request.method} /{resource}")
            try:
                self._admit(request, "Sorry, you cannot list resources.")
                listing = list_rows(Params(request.query_params))
            except WpError as error:
                return error.response()
            return JSONResponse(listing.items, headers=_paging_headers(request, listing))

        return endpoint

    def single(self, resource: str) -> Endpoint:
        find = {
            "customers": self.store.customer,
            "orders": self.store.order,
            "products": self.store.product,
        }[resource]

        async def endpoint(request: Request) -> Response:
            self._calls.record(f"{request.method} /{resource}/<id>")
            try:
                self._admit(request, "Sorry, you cannot view this resource.")
                return JSONResponse(find(request.path_params["record_id"]))
            except WpError as error:
                return error.response()

        return endpoint

    async def no_route(self, request: Request) -> Response:
        self._calls.record(f"{request.method} {request.url.path}")
        try:
            self._authenticate(request)
        except WpError as error:
            return error.response()
        return no_route().response()

    def _admit(self, request: Request, refusal: str) -> None:
        """Authenticated GETs pass; bad credentials, writes and anonymous reads do not."""
        authenticated = self._authenticate(request)
        if request.method != "GET":
            raise no_route()  # the emulator serves the read side only
        if not authenticated:
            raise WpError(401, "woocommerce_rest_cannot_view", refusal)

    def _authenticate(self, request: Request) -> bool:
        """True for the right key, False for none; wrong credentials are refused at once,
        before routing, as WooCommerce's `rest_authentication_errors` filter does."""
        offered = _credentials(request)
        if offered is None:
            return False
        key, secret = offered
        if not _same(key, self._options.consumer_key):
            raise WpError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
        if not _same(secret, self._options.consumer_secret):
            raise WpError(
                401, "woocommerce_rest_authentication_error", "Consumer secret is invalid."
            )
        return True


def _credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        key, _, secret = decoded.partition(":")
        return key, secret
    query_key = request.query_params.get("consumer_key")
    if query_key:
        return query_key, request.query_params.get("consumer_secret") or ""
    return None


def _same(offered: str, expected: str) -> bool:
    return hmac.compare_digest(offered.encode(), expected.encode())


def _paging_headers(request: Request, listing: Listing) -> dict[str, str]:
    """WordPress's totals, and `Link` to the previous and next pages (never with keys)."""
    headers = {"X-WP-Total": str(listing.total), "X-WP-TotalPages": str(listing.total_pages)}
    base = request.url.remove_query_params(_CREDENTIAL_PARAMS)
    links = []
    if listing.page > 1:
        previous = max(1, min(listing.page - 1, listing.total_pages))
        links.append(f'<{base.include_query_params(page=previous)}>; rel="prev"')
    if listing.total_pages > listing.page:
        links.append(f'<{base.include_query_params(page=listing.page + 1)}>; rel="next"')
    if links:
        headers["Link"] = ", ".join(links)
    return headers
