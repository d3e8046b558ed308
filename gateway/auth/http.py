"""Authentication at the HTTP edge, before GraphQL sees the request.

Bad credentials end the request here with the status a client library understands:
401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750), 403 for an
impersonation the principal may not do, 503 while keys or tokens cannot be checked.
The body is a GraphQL error with a code, so GraphQL clients show it like any other.
A good request goes on with its `Principal` in the request state.
"""

from __future__ import annotations

import logging

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.auth.audit import AuditUnavailable
from gateway.auth.audit_trail import denied_impersonation_entry
from gateway.auth.errors import AuthUnavailable, ImpersonationDenied, InvalidToken
from gateway.auth.service import AuthServices
from gateway.edge.headers import request_id_in

log = logging.getLogger("erp_gateway.auth")


class Authenticated:
    """Wraps the GraphQL app: every request it passes on carries a `principal`. The
    auth services come from the app's lifespan state (`auth`)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return
        auth: AuthServices = scope["state"]["auth"]
        headers = Headers(scope=scope)
        try:
            principal = await auth.authenticator.principal_for(headers)
        except InvalidToken as exc:
            log.info("refused credentials: %s", exc.reason)
            response = _error(401, "UNAUTHENTICATED", f"Invalid credentials: {exc.reason}")
            response.headers["WWW-Authenticate"] = (
                f'Bearer error="invalid_token", error_description="{exc.reason}"'
            )
        except ImpersonationDenied as exc:
            try:
                entry = denied_impersonation_entry(request_id_in(scope), exc)
                await auth.audit.append(entry)
            except AuditUnavailable as failure:  # refused anyway; the log says why
                log.error("audit log unavailable: %s", failure.reason)
            response = _error(403, "FORBIDDEN", f"Impersonation refused: {exc.reason}")
            response.headers["WWW-Authenticate"] = 'Bearer error="insufficient_scope"'
        except AuthUnavailable as exc:
            log.warning("cannot check credentials: %s", exc.reason)
            response = _error(503, "AUTH_UNAVAILABLE", f"Cannot check credentials: {exc.reason}")
            response.headers["Retry-After"] = "5"
        else:
            scope["state"]["principal"] = principal
            await self._app(scope, receive, send)
            return
        await response(scope, receive, send)


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
    )
