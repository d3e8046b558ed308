"""Errors clients see, each with a stable `extensions.code`.

Resolvers raise `GatewayError`s for what the client can act on (an unknown id, bad
input). `ErrorCodes`, a schema extension, turns every error of an operation into a
GraphQL error with a code: backend failures become `BACKEND_*` errors naming the
backend's role, and anything unexpected is logged with the request id and shown to the
client only as `INTERNAL_SERVER_ERROR`, never with a stack trace or a backend's own text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from erp_backends.errors import (
    BackendError,
    BackendRateLimited,
    BackendTimeout,
    BackendUnavailable,
)
from gateway.commands.model import QueueUnavailable

log = logging.getLogger("erp_gateway.errors")


class GatewayError(Exception):
    """An error the client caused or can act on; `code` goes to `extensions.code`."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions


class NotFound(GatewayError):
    code = "NOT_FOUND"


class BadUserInput(GatewayError):
    code = "BAD_USER_INPUT"


class Unauthenticated(GatewayError):
    """The request carries no credentials and asked for something that needs them."""

    code = "UNAUTHENTICATED"


class Forbidden(GatewayError):
    """The principal lacks a scope the field needs; the message names the scope."""

    code = "FORBIDDEN"


class BackendNotConfigured(GatewayError):
    """A field needs a backend role (crm, shop) that this gateway has no backend for."""

    code = "BACKEND_NOT_CONFIGURED"

    def __init__(self, role: str) -> None:
        super().__init__(f"No {role} backend is configured ([backends.{role}])", backend=role)


_BACKEND_CODES: list[tuple[type[BackendError], str, str]] = [
    (BackendTimeout, "BACKEND_TIMEOUT", "did not answer in time"),
    (BackendRateLimited, "BACKEND_RATE_LIMITED", "is rate-limiting the gateway"),
    (BackendUnavailable, "BACKEND_UNAVAILABLE", "is unavailable"),
    (BackendError, "BACKEND_ERROR", "could not answer this request"),
]


# The codes `ErrorCodes` gives errors raised before execution (a path-less
# BAD_USER_INPUT is a variable's value); an answer of only these ran nothing.
REQUEST_ERROR_CODES = frozenset(
    {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "COST_LIMIT_EXCEEDED", "BAD_USER_INPUT"}
)

# graphql-core's "Did you mean 'orders'?" clauses: they spell out the schema.
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class ErrorCodes(SchemaExtension):
    """Gives every error of an operation an `extensions.code`, and masks the unexpected.

    With `hide_suggestions` (production mode), the "Did you mean ...?" of invalid
    queries is cut, so a caller without introspection cannot read the schema from it.
    """

    def __init__(self, *, hide_suggestions: bool = False) -> None:
        self.hide_suggestions = hide_suggestions

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            raised, result.errors = result.errors, [self._coded(e) for e in result.errors]
            for error in raised:
                _drop_tracebacks(error)

    def _coded(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None:  # a syntax or validation error: the message is for the client
            extensions = {**(error.extensions or {}), "code": _request_error_code(error)}
            return _with(error, self._shown(error.message), extensions)
        if isinstance(original, GraphQLError) and error.path is None:
            # A variable's value that its type refused, before execution.
            return _with(error, self._shown(error.message), {"code": "BAD_USER_INPUT"})
        if isinstance(original, GatewayError):
            return _with(error, original.message, {"code": original.code, **original.extensions})
        request_id = getattr(self.execution_context.context, "request_id", None)
        if isinstance(original, BackendError):
            return self._backend_error(error, original, request_id)
        if isinstance(original, QueueUnavailable):
            log.error("command queue unavailable (request %s): %s", request_id, original)
            return _with(
                error,
                "The command queue is unavailable: nothing was accepted; try again",
                {"code": "QUEUE_UNAVAILABLE", "requestId": request_id},
            )
        log.error("unexpected error (request %s)", request_id, exc_info=original)
        return _with(
            error,
            "Internal server error",
            {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )

    def _shown(self, message: str) -> str:
        return _SUGGESTION.sub("", message) if self.hide_suggestions else message

    def _backend_error(
        self, error: GraphQLError, original: BackendError, request_id: str | None
    ) -> GraphQLError:
        code, problem = next((c, p) for cls, c, p in _BACKEND_CODES if isinstance(original, cls))
        # The backend's own text may name models, hosts or records: logs only.
        log.warning(
            "backend %s failed (request %s): %s: %s",
            original.backend,
            request_id,
            type(original).__name__,
            original.message,
        )
        extensions: dict[str, Any] = {"code": code, "backend": original.backend}
        if isinstance(original, BackendRateLimited) and original.retry_after is not None:
            extensions["retryAfter"] = original.retry_after
        extensions["requestId"] = request_id
        return _with(error, f"The {original.backend} backend {problem}", extensions)


def _drop_tracebacks(error: BaseException) -> None:
    """Forget the tracebacks of an error coded and logged: their frames refer to the
    execution context, which holds the error, a cycle that kept the failed request (its
    context, loaders and records) alive until the collector's next full pass."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        current.__traceback__ = None
        original = getattr(current, "original_error", None)
        pending += [current.__cause__, current.__context__, original]


def _request_error_code(error: GraphQLError) -> str:
    """The code of a syntax or validation error; a limit names its own."""
    given = (error.extensions or {}).get("code")
    if isinstance(given, str):
        return given
    return (
        "GRAPHQL_PARSE_FAILED" if "Syntax Error" in error.message else "GRAPHQL_VALIDATION_FAILED"
    )


def _with(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )
