"""Refusals at the edge, shaped as GraphQL errors so that GraphQL clients show them."""

from __future__ import annotations

import json

from starlette.responses import Response

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()


def error_response(
    status: int, code: str, message: str, *, media_type: str = "application/json"
) -> Response:
    return Response(error_body(code, message), status_code=status, media_type=media_type)
