"""A WooCommerce shop, emulated in-process over HTTP for tests, demos and benchmarks.

It answers the REST API v3 the way WooCommerce 9 does, so an adapter written against
it works against a real shop (and the official `woocommerce` client works against it):

- `GET /wp-json/wc/v3/{customers,orders,products}`: JSON arrays with `X-WP-Total`,
  `X-WP-TotalPages` and a `Link` header (`prev`/`next`); `page`, `per_page` (1-100,
  default 10), `offset`, `include`, `exclude`, `orderby`, `order`, `search`, and
  `email` (customers), `customer` and `status` (orders), `sku` (comma-separated),
  `status` and `stock_status` (products). Bad parameters: 400 `rest_invalid_param`.
- WordPress's `_fields` on every successful answer (`fields.py`).
- `GET /wp-json/wc/v3/{customers,orders,products}/<id>`: one record, or 404 with
  `woocommerce_rest_invalid_id`, `woocommerce_rest_shop_order_invalid_id`,
  `woocommerce_rest_product_invalid_id`.
- Writes (`writes.py`): `POST /orders`, `PUT|POST|PATCH|DELETE /orders/<id>`,
  `GET|POST /orders/<id>/notes`, `GET|DELETE /orders/<id>/notes/<note id>`,
  `POST /orders/batch`, and the same for `/products` (no notes); customers
  (`customers.py`): `POST /customers`, `PUT|POST|PATCH /customers/<id>`,
  `DELETE /customers/<id>?force=true` (they cannot be trashed) and `POST
  /customers/batch`. A form body (`application/x-www-form-urlencoded`) is read as
  WordPress reads `$_POST`, and its parameters are signed with OAuth's.
- Authentication (`auth.py`): by the connection's scheme, as WooCommerce does: over
  HTTPS, HTTP Basic with the consumer key and secret or the `consumer_key` and
  `consumer_secret` query parameters; over plain HTTP only OAuth 1.0a (one-legged,
  HMAC-SHA1/SHA256, 15-minute timestamps, nonces used once). Failures are 401
  `woocommerce_rest_authentication_error` (or `..._missing_parameter`) on any route of
  the `wc/` namespace; an anonymous request is 401 `woocommerce_rest_cannot_view`
  (`_create`, `_edit`, `_delete`, `_batch` for writes). Serve it over TLS to use Basic.
- Anything else under `/wp-json`: 404 `rest_no_route`; a body that is not JSON: 400
  `rest_invalid_json`.
- `GET|DELETE /_emulator/calls`: the count of API calls received ("GET /orders"), and
  its reset.

The data (`seed.build_shop`) is built once per `create_app`, projected from the neutral
world (`erp_backends.emulation.world`) of the same seed; faults from
`EmulatorOptions.faults` (latency, rate limit, random 503s) wrap every route except the
`/_emulator` controls.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from erp_backends.emulation.faults import CallLog, FaultInjection, FaultOptions, call_log_routes
from erp_backends.emulation.responses import JSONResponse
from erp_backends.woocommerce.emulator.auth import ApiKey, Permissions, is_form
from erp_backends.woocommerce.emulator.customers import CustomerWriter
from erp_backends.woocommerce.emulator.fields import limit_fields, wanted_fields
from erp_backends.woocommerce.emulator.params import Params, WpError, no_route, php_form
from erp_backends.woocommerce.emulator.seed import build_shop
from erp_backends.woocommerce.emulator.store import Listing, ShopStore
from erp_backends.woocommerce.emulator.writes import ShopWriter

API_ROOT = "/wp-json/wc/v3"
_ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]
_UPDATES = ("PUT", "POST", "PATCH")
_CREDENTIAL_PARAMS = ("consumer_key", "consumer_secret")
Endpoint = Callable[[Request], Awaitable[Response]]
Json = dict[str, Any]
# What an anonymous request is refused with, by what it tries (WooCommerce's wording).
_REFUSALS = {
    "list": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    "view": ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
    "create": ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
    "edit": ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
    "delete": (
        "woocommerce_rest_cannot_delete",
        "Sorry, you are not allowed to delete this resource.",
    ),
    "batch": (
        "woocommerce_rest_cannot_batch",
        "Sorry, you are not allowed to batch manipulate this resource.",
    ),
}


@dataclass(frozen=True)
class EmulatorOptions:
    """What the emulated shop holds, which REST API key it accepts and what that key
    may do; `clock` (Unix seconds) judges OAuth timestamps."""

    seed: int = 1
    consumer_key: str = field(default="ck_demo", repr=False)
    consumer_secret: str = field(default="cs_demo", repr=False)
    permissions: Permissions = "read_write"
    faults: FaultOptions = field(default_factory=FaultOptions)
    clock: Callable[[], float] = time.time


def create_app(options: EmulatorOptions | None = None) -> Starlette:
    """The emulator as a Starlette app; `app.state.store` is its `ShopStore`."""
    options = options or EmulatorOptions()
    calls = CallLog()
    key = ApiKey(options.consumer_key, options.consumer_secret, options.permissions, options.clock)
    api = _Api(ShopStore(build_shop(options.seed)), key, calls)
    routes = []
    for resource in ("customers", "orders", "products"):
        root = f"{API_ROOT}/{resource}"
        routes += [
            Route(root, api.collection(resource), methods=_ANY_METHOD),
            Route(f"{root}/batch", api.batch(resource), methods=_ANY_METHOD),
            Route(f"{root}/{{record_id:int}}", api.single(resource), methods=_ANY_METHOD),
        ]
    notes = f"{API_ROOT}/orders/{{record_id:int}}/notes"
    routes += [
        Route(notes, api.notes, methods=_ANY_METHOD),
        Route(f"{notes}/{{note_id:int}}", api.note, methods=_ANY_METHOD),
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
    def __init__(self, store: ShopStore, key: ApiKey, calls: CallLog) -> None:
        self.store = store
        self._writer = ShopWriter(store)
        self._customers = CustomerWriter(store)
        self._key = key
        self._calls = calls

    def collection(self, resource: str) -> Endpoint:
        list_rows = {
            "customers": self.store.list_customers,
            "orders": self.store.list_orders,
            "products": self.store.list_products,
        }[resource]
        create = {
            "customers": self._customers.create,
            "orders": self._writer.create_order,
            "products": self._writer.create_product,
        }

        async def endpoint(request: Request) -> Response:
            self._calls.record(f"{request.method} /{resource}")
            try:
                if request.method == "POST" and resource in create:
                    await self._admit(request, "create")
                    return _answer(request, create[resource](await _body(request)), 201)
                await self._admit(request, "list", allowed=("GET",))
                listing = list_rows(Params(request.query_params))
            except WpError as error:
                return error.response()
            return _answer(request, listing.items, headers=_paging_headers(request, listing))

        return endpoint

    def single(self, resource: str) -> Endpoint:
        find = {
            "customers": self.store.customer,
            "orders": self.store.order,
            "products": self.store.product,
        }[resource]
        writes = {
            "customers": (self._customers.update, self._customers.delete),
            "orders": (self._writer.update_order, self._writer.delete_order),
            "products": (self._writer.update_product, self._writer.delete_product),
        }

        async def endpoint(request: Request) -> Response:
            self._calls.record(f"{request.method} /{resource}/<id>")
            record_id = request.path_params["record_id"]
            try:
                if request.method == "GET" or resource not in writes:
                    await self._admit(request, "view", allowed=("GET",))
                    return _answer(request, find(record_id))
                update, delete = writes[resource]
                if request.method == "DELETE":
                    await self._admit(request, "delete")
                    return _answer(request, delete(record_id, _forced(request)))
                await self._admit(request, "edit")
                return _answer(request, update(record_id, await _body(request)))
            except WpError as error:
                return error.response()

        return endpoint

    def batch(self, resource: str) -> Endpoint:
        writer = self._writer
        customers = self._customers
        actions = {
            "customers": (customers.create, customers.update, customers.delete),
            "orders": (writer.create_order, writer.update_order, writer.delete_order),
            "products": (writer.create_product, writer.update_product, writer.delete_product),
        }[resource]

        async def endpoint(request: Request) -> Response:
            self._calls.record(f"{request.method} /{resource}/batch")
            try:
                await self._admit(request, "batch", allowed=_UPDATES)
                return _answer(request, writer.batch(await _body(request), *actions))
            except WpError as error:
                return error.response()

        return endpoint

    async def notes(self, request: Request) -> Response:
        self._calls.record(f"{request.method} /orders/<id>/notes")
        order_id = request.path_params["record_id"]
        try:
            if request.method == "POST":
                await self._admit(request, "create")
                return _answer(request, self._writer.add_note(order_id, await _body(request)), 201)
            await self._admit(request, "list", allowed=("GET",))
            return _answer(request, self._writer.notes(order_id))
        except WpError as error:
            return error.response()

    async def note(self, request: Request) -> Response:
        self._calls.record(f"{request.method} /orders/<id>/notes/<id>")
        order_id, note_id = request.path_params["record_id"], request.path_params["note_id"]
        try:
            if request.method == "DELETE":
                await self._admit(request, "delete")
                return _answer(
                    request, self._writer.delete_note(order_id, note_id, _forced(request))
                )
            await self._admit(request, "view", allowed=("GET",))
            return _answer(request, self._writer.note(order_id, note_id))
        except WpError as error:
            return error.response()

    async def no_route(self, request: Request) -> Response:
        self._calls.record(f"{request.method} {request.url.path}")
        try:
            # WooCommerce's keys authenticate its own namespaces only (wc/..., wc-...).
            if request.url.path.startswith(("/wp-json/wc/", "/wp-json/wc-")):
                await self._key.authenticate(request)
        except WpError as error:
            return error.response()
        return no_route().response()

    async def _admit(self, request: Request, action: str, allowed: tuple[str, ...] = ()) -> None:
        """Authentication first (its errors answer any route), then the route's methods,
        then the route's permission check for anonymous requests."""
        authenticated = await self._key.authenticate(request)
        if allowed and request.method not in allowed:
            raise no_route()
        if not authenticated:
            raise WpError(401, *_REFUSALS[action])


def _answer(
    request: Request, body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A successful answer, cut to the `_fields` asked for as WordPress cuts every one."""
    return JSONResponse(limit_fields(body, wanted_fields(request.query_params)), status, headers)


async def _body(request: Request) -> Json:
    """The body, as WordPress reads it: a form's parameters (`$_POST`), or JSON, where
    none is `{}` and broken JSON is refused."""
    raw = await request.body()
    if is_form(request):
        return php_form(raw.decode("utf-8", "replace"))
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise WpError(
            400,
            "rest_invalid_json",
            "Invalid JSON body passed.",
            json_error_code=4,
            json_error_message=str(exc),
        ) from None
    if not isinstance(body, dict):
        raise WpError(400, "rest_invalid_json", "Invalid JSON body passed.")
    return body


def _forced(request: Request) -> bool:
    return request.query_params.get("force", "").lower() in ("1", "true")


def _paging_headers(request: Request, listing: Listing) -> dict[str, str]:
    """WordPress's totals, and `Link` to the previous and next pages (never with keys)."""
    headers = {"X-WP-Total": str(listing.total), "X-WP-TotalPages": str(listing.total_pages)}
    if listing.page <= 1 and listing.total_pages <= listing.page:
        return headers  # one page: no link (and no parse of a long query for nothing)
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
