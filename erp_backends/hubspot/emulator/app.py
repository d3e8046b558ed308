"""A HubSpot portal, emulated in-process over HTTP for tests, demos and benchmarks.

It speaks HubSpot's CRM API as a private app sees it, so an adapter written against
it works against api.hubapi.com:

- `GET /crm/v3/objects/{type}` (paged with `after`), `GET .../{type}/{id}[?idProperty=email]`,
  `POST .../{type}/batch/read` (200, or 207 with `errors[]` for inputs not found),
  `POST .../{type}/search`, for contacts, companies and deals;
- `associations=companies,deals` on the list and the get: each record's associated ids
  and v3 type names (`contact_to_company`, `contact_to_company_unlabeled`);
- `POST|PATCH|DELETE` on objects: create (201), update (by id or email) and archive
  (204), with HubSpot's validation and 409 CONFLICT errors (`writes.py`);
- `POST .../{type}/batch/{create,update,upsert,archive}` (201; 200 or 207 with
  `errors[]`; 200 with `new`; 204), at most 100 inputs (`batch.py`);
- v4 association writes (`associating.py`): `PUT /crm/v4/objects/{type}/{id}/associations/
  default/{toType}/{toId}` (200, both directions), `PUT .../associations/{toType}/{toId}`
  with a list of association types (201, `labels`) and `DELETE` on it (204);
- `POST /crm/v4/associations/{from}/{to}/batch/read` (207 with NO_ASSOCIATIONS_FOUND
  for inputs without any) and `GET /crm/v4/objects/{type}/{id}/associations/{toType}`;
- `GET /crm/v3/owners/` (paged) and `GET /crm/v3/owners/{id}`;
- `GET|DELETE /_emulator/calls`: the count of API calls received, and its reset.

Every API call needs `Authorization: Bearer <token>` (401 INVALID_AUTHENTICATION
otherwise). Every error is HubSpot's JSON body, unknown routes (404) and methods (405)
included. Answers carry `X-HubSpot-RateLimit-*` headers (search answers do not, as
on HubSpot). Faults from `EmulatorOptions.faults` wrap every route except the
`/_emulator` controls; its rate limit answers HubSpot's own 429 body.
"""

from __future__ import annotations

import hmac
import math
import time
import uuid
from collections import deque
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from erp_backends.emulation.faults import (
    EMULATOR_PREFIX,
    CallLog,
    FaultInjection,
    FaultOptions,
    call_log_routes,
)
from erp_backends.emulation.responses import JSONResponse
from erp_backends.hubspot.emulator.api import ApiError, PortalApi, api_error, error_body
from erp_backends.hubspot.emulator.associating import AssociationWrites
from erp_backends.hubspot.emulator.batch import BatchWrites
from erp_backends.hubspot.emulator.search import search_endpoint
from erp_backends.hubspot.emulator.seed import build_world
from erp_backends.hubspot.emulator.writes import ObjectWrites

AUTH_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and "
    "you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
DAILY_LIMIT = 250_000  # a Starter portal's: 100 calls per 10 s and 250,000 a day
INTERVAL_LIMIT = 100
INTERVAL_MS = 10_000


@dataclass(frozen=True)
class EmulatorOptions:
    """What the emulated portal holds and which private app token it accepts."""

    seed: int = 1
    token: str = field(default="pat-demo", repr=False)
    faults: FaultOptions = field(default_factory=FaultOptions)


def create_app(options: EmulatorOptions | None = None) -> Starlette:
    """The emulator as a Starlette app; `app.state.world` is its `CrmWorld`."""
    options = options or EmulatorOptions()
    calls = CallLog()
    api = PortalApi(build_world(options.seed), calls)
    limit = options.faults.rate_limit
    per_interval = round(limit.per_second * INTERVAL_MS / 1000) if limit else INTERVAL_LIMIT
    objects, owners = "/crm/v3/objects/{object_type}", "/crm/v3/owners"
    associations = "/crm/v4/associations/{from_type}/{to_type}/batch/read"
    one_objects = "/crm/v4/objects/{object_type}/{object_id}/associations/{to_object_type}"
    pair = "/crm/v4/objects/{from_type}/{from_id}/associations"
    writes = ObjectWrites(api)
    batch, linking = BatchWrites(writes), AssociationWrites(api)
    app = Starlette(
        routes=[
            Route(f"{objects}/batch/read", api.batch_read, methods=["POST"]),
            Route(f"{objects}/batch/create", batch.create, methods=["POST"]),
            Route(f"{objects}/batch/update", batch.update, methods=["POST"]),
            Route(f"{objects}/batch/upsert", batch.upsert, methods=["POST"]),
            Route(f"{objects}/batch/archive", batch.archive, methods=["POST"]),
            Route(f"{objects}/search", search_endpoint(api), methods=["POST"]),
            Route(objects, api.list_objects, methods=["GET"]),
            Route(objects, writes.create, methods=["POST"]),
            Route(f"{objects}/{{object_id}}", api.get_object, methods=["GET"]),
            Route(f"{objects}/{{object_id}}", writes.update, methods=["PATCH"]),
            Route(f"{objects}/{{object_id}}", writes.archive, methods=["DELETE"]),
            Route(associations, api.associations, methods=["POST"]),
            Route(one_objects, api.object_associations, methods=["GET"]),
            Route(f"{pair}/default/{{to_type}}/{{to_id}}", linking.create_default, methods=["PUT"]),
            Route(f"{pair}/{{to_type}}/{{to_id}}", linking.create, methods=["PUT"]),
            Route(f"{pair}/{{to_type}}/{{to_id}}", linking.archive, methods=["DELETE"]),
            Route(owners, api.owners, methods=["GET"]),
            Route(f"{owners}/", api.owners, methods=["GET"]),
            Route(f"{owners}/{{owner_id}}", api.owner, methods=["GET"]),
            *call_log_routes(calls),
        ],
        middleware=[
            Middleware(RateLimitHeaders, max_per_interval=max(1, per_interval)),
            Middleware(FaultInjection, options.faults, throttled=throttled, log=calls),
            Middleware(BearerAuth, token=options.token),
        ],
        exception_handlers={ApiError: api_error, HTTPException: routing_error},
    )
    app.state.world = api.world
    app.state.calls = calls
    return app


async def routing_error(request: Request, exc: Exception) -> Response:
    """HubSpot's JSON error body for a path it has no route for (404) or a method the
    route does not take (405), where Starlette would answer plain text."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        message = f"HTTP {request.method} is not supported by this URL"
        body = error_body("VALIDATION_ERROR", message)
    else:
        body = error_body("OBJECT_NOT_FOUND", "resource not found")
    return JSONResponse(body, exc.status_code, headers=exc.headers)


def throttled(wait_s: float) -> Response:
    """HubSpot's 429 for its ten-second rolling limit."""
    body = {
        "status": "error",
        "message": "You have reached your ten_secondly_rolling limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": str(uuid.uuid4()),
        "policyName": "TEN_SECONDLY_ROLLING",
        "requestId": str(uuid.uuid4()),
    }
    return JSONResponse(body, 429, headers={"Retry-After": str(max(1, math.ceil(wait_s)))})


class BearerAuth:
    """Answers 401 INVALID_AUTHENTICATION unless the request carries the app's token."""

    def __init__(self, app: ASGIApp, *, token: str) -> None:
        self.app = app
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(EMULATOR_PREFIX):
            scheme, _, given = Headers(scope=scope).get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), self._token):
                body = error_body("INVALID_AUTHENTICATION", AUTH_MESSAGE)
                await JSONResponse(body, 401)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class RateLimitHeaders:
    """Adds HubSpot's `X-HubSpot-RateLimit-*` headers to every API answer except
    search answers; the counts are of the calls received in the last ten seconds and
    since the emulator started."""

    def __init__(self, app: ASGIApp, *, max_per_interval: int) -> None:
        self.app = app
        self._max = max_per_interval
        self._recent: deque[float] = deque()
        self._total = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(EMULATOR_PREFIX) or path.endswith("/search"):
            await self.app(scope, receive, send)
            return
        headers = self._count()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _count(self) -> dict[str, str]:
        now = time.monotonic()
        self._recent.append(now)
        while self._recent[0] <= now - INTERVAL_MS / 1000:
            self._recent.popleft()
        self._total += 1
        return {
            "X-HubSpot-RateLimit-Daily": str(DAILY_LIMIT),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, DAILY_LIMIT - self._total)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(INTERVAL_MS),
            "X-HubSpot-RateLimit-Max": str(self._max),
            "X-HubSpot-RateLimit-Remaining": str(max(0, self._max - len(self._recent))),
        }
