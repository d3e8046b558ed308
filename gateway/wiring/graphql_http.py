"""GraphQL over HTTP: strawberry's ASGI view, strict about what it reads and careful
about what it answers.

- Bodies: strict UTF-8, JSON without NaN or Infinity, an object at the top, nested at
  most `MAX_JSON_DEPTH`; anything else is 400 `BAD_REQUEST` in JSON, never a 500 or a
  text/plain answer.
- Media type (GraphQL over HTTP): `application/graphql-response+json` when the
  client's `Accept` names it (and prefers it to `application/json`), else
  `application/json`, for no `Accept` and `*/*` too, as the spec says. With the former a
  request error (parse, validation, cost, variable coercion: no `data`) is HTTP 400;
  `application/json` keeps 200, as its clients expect.
- Persisted operations (see `persisted.py`): a malformed `extensions.persistedQuery`
  is a 400 `BAD_REQUEST`; a hash mismatch or a refused free-form query is a request
  error as above; `PersistedQueryNotFound` (and `...NotSupported`) is HTTP 200 under
  either media type, as Apollo Server answers it: older Apollo links give up on
  persisted queries for good on a 400.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError, parse
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.http.base import BaseRequestProtocol
from strawberry.schema import BaseSchema
from strawberry.types import ExecutionResult

from gateway.auth.principal import Principal
from gateway.edge.errors import GRAPHQL_RESPONSE_JSON, error_response
from gateway.edge.headers import request_id_in
from gateway.graphiql import graphiql_page, loaded_bundle
from gateway.logs import note_operation
from gateway.wiring.backends import Backends
from gateway.wiring.persisted import (
    APOLLO_SIGNALS,
    PERSISTED_ERROR_CODES,
    MalformedPersistedQuery,
    PersistedOperations,
    ToRun,
)
from resolvers.context import Federation, GatewayContext
from resolvers.errors import REQUEST_ERROR_CODES
from resolvers.loaders import Loaders
from resolvers.schema import GatewaySchema

log = logging.getLogger("erp_gateway.http")

# Far deeper than any input of the schema (an order's lines and address: 5).
MAX_JSON_DEPTH = 32


class GatewayGraphQL(GraphQL[GatewayContext, None]):
    def __init__(
        self,
        schema: BaseSchema,
        federation: Federation,
        *,
        persisted: PersistedOperations | None = None,
        **options: Any,
    ) -> None:
        super().__init__(schema, **options)
        self.federation = federation
        self.persisted = persisted or PersistedOperations(trusted={})
        if isinstance(schema, GatewaySchema):  # trusted documents never wait for a parse
            for document in self.persisted.trusted.values():
                schema.documents.pin(document, parse(document))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as exc:
            log.info("bad request %s: %s", request_id_in(scope), exc.reason)
            response = error_response(
                exc.status_code, "BAD_REQUEST", exc.reason, media_type=_media_type(request)
            )
        await response(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> GatewayContext:
        backends: Backends = request.state.backends
        principal: Principal = request.state.principal  # set by `Authenticated`
        return GatewayContext(
            loaders=Loaders.for_principal(principal, backends.erp, backends.crm, backends.shop),
            request_id=request.state.request_id,  # set by `EdgeHeaders`
            federation=self.federation,
            principal=principal,
            audit=request.state.auth.audit,
            writes=request.state.writes,
            request=request,
            response=response if isinstance(response, Response) else None,
        )

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        """Not for a persisted query by GET, which has no `query` either. A browser's
        address bar (`Accept: text/html`) gets GraphiQL even with `?query=`, which the
        page then shows in its editor: a link to GraphiQL is not a query to run."""
        if "extensions" in request.query_params:
            return False
        browser = request.method == "GET" and "text/html" in request.headers.get("accept", "")
        return (browser and self.graphql_ide is not None) or super().should_render_graphql_ide(
            request
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL with its files from the gateway (`gateway/graphiql/`), not a CDN."""
        files = await loaded_bundle()
        page = graphiql_page(files.prefix(request.scope.get("root_path", "")))
        return HTMLResponse(page, headers={"Cache-Control": "no-cache"})

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: GatewayContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Runs the document a persisted query names, or answers why not."""
        try:
            to_run = self.persisted.resolve(
                request_data.query, request_data.extensions, context.principal.kind
            )
        except MalformedPersistedQuery as exc:
            raise HTTPException(400, str(exc)) from None
        if not isinstance(to_run, ToRun):
            code = (to_run.extensions or {}).get("code")
            if code in APOLLO_SIGNALS:
                sub_response.status_code = 200
                # Not cached on the way: the client registers the document next.
                sub_response.headers["cache-control"] = "private, no-cache, must-revalidate"
            return ExecutionResult(data=None, errors=[to_run])
        note_operation(request_data.operation_name, to_run.query)  # for JSON log lines
        result = await super().execute_single(
            request,
            request_adapter,
            sub_response,
            context,
            root_value,
            replace(request_data, query=to_run.query),
        )
        if to_run.register_as is not None and to_run.query is not None and _document_ok(result):
            self.persisted.register(to_run.register_as, to_run.query)
        return result

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        if isinstance(request, Request):
            sub_response.media_type = _media_type(request)
        return sub_response

    def decode_json(self, data: str | bytes) -> object:
        try:
            text = data.decode("utf-8") if isinstance(data, bytes) else data
        except UnicodeDecodeError:
            raise HTTPException(400, "The request body is not valid UTF-8") from None
        try:
            value = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:
            raise HTTPException(400, _too_deep()) from None
        except ValueError as exc:  # JSONDecodeError, NaN, an integer of 5,000 digits
            raise HTTPException(
                400, f"The request body is not valid JSON: {_reason(exc)}"
            ) from None
        if not isinstance(value, dict | list):
            raise HTTPException(400, f"Expected a JSON object, got {_json_type(value)}")
        if _depth_over(value, MAX_JSON_DEPTH):
            raise HTTPException(400, _too_deep())
        return value

    def encode_json(self, data: object) -> bytes:
        """orjson: 14 µs for an answer of 50 products where the standard library takes
        190 (13 times faster).
        What it refuses (a lone surrogate from a backend's JSON, an integer beyond 64
        bits) goes through the standard library, which writes it escaped."""
        try:
            return orjson.dumps(data)
        except orjson.JSONEncodeError:
            return json.dumps(data, separators=(",", ":")).encode()

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        answer = process_result(result)
        if _is_request_error(result):  # nothing ran: no `data` at all, per the spec
            answer.pop("data", None)
        return answer

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        media_type = sub_response.media_type or "application/json"
        response.headers["content-type"] = media_type
        request_error = isinstance(response_data, dict) and "data" not in response_data
        if media_type == GRAPHQL_RESPONSE_JSON and request_error and not sub_response.status_code:
            response.status_code = 400
        return response


def _media_type(request: Request) -> str:
    """`application/json` if the client asks for it over graphql-response+json."""
    accept = request.headers.get("accept", "")
    weights: dict[str, float] = {}
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[media.strip().lower()] = weight
    # Only a client that names graphql-response+json gets it: one that sends no Accept,
    # or */* (curl, httpx, fetch), is answered as the spec says a server SHOULD for
    # compatibility, with application/json (and 200 for a document that failed).
    json_weight = weights.get("application/json", 0.0)
    response_weight = weights.get(GRAPHQL_RESPONSE_JSON, 0.0)
    if response_weight > 0 and response_weight > json_weight:
        return GRAPHQL_RESPONSE_JSON
    return "application/json"


def _is_request_error(result: ExecutionResult) -> bool:
    errors: list[GraphQLError] = result.errors or []
    codes = REQUEST_ERROR_CODES | PERSISTED_ERROR_CODES
    return (
        result.data is None
        and bool(errors)
        and all(e.path is None and (e.extensions or {}).get("code") in codes for e in errors)
    )


def _document_ok(result: ExecutionResult) -> bool:
    """Whether the document parsed and passed validation and the limits: only such a
    document is registered as a persisted query."""
    refused = {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "COST_LIMIT_EXCEEDED"}
    return not any((e.extensions or {}).get("code") in refused for e in result.errors or [])


def _depth_over(value: object, limit: int) -> bool:
    """Whether `value` nests deeper than `limit`, found without recursion."""
    level: list[object] = [value]
    for _ in range(limit):
        level = [
            child
            for item in level
            for child in (
                item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
            )
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return True


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a string" if isinstance(value, str) else "a number"


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} (line {exc.lineno}, column {exc.colno})"
    return str(exc)[:120]


def _too_deep() -> str:
    return f"The request body nests deeper than {MAX_JSON_DEPTH} levels"
