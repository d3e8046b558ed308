"""The web client's JSON routes of Odoo 17-19 that API clients use too, emulated:

- `/web/webclient/version_info`: `common.version` without logging in (odoorpc asks it
  first, to know which API the server speaks);
- `/web/session/authenticate` (a `session_id` cookie), `/web/session/get_session_info`,
  `/web/session/destroy`;
- `/web/dataset/call_kw[/<model>.<method>]`: an ORM call in the cookie's session.

Each takes a JSON-RPC envelope whose `params` are the route's named arguments, and
answers HTTP 200 with `result` or `error`; without a live session, the `auth="user"`
routes answer Odoo's `code: 100` "Odoo Session Expired".
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from erp_backends.emulation.responses import JSONResponse
from erp_backends.odoo.emulator.db import AccessDenied
from erp_backends.odoo.emulator.rpc import (
    ADMIN_UID,
    SERVER_VERSION,
    HttpError,
    OdooServer,
    serialize_exception,
)

SESSION_COOKIE = "session_id"


class SessionExpired(Exception):
    wire_name = "odoo.http.SessionExpiredException"


@dataclass
class Sessions:
    """Logged-in sessions by id; the emulator has one user, so a session is a login."""

    uids: dict[str, int] = field(default_factory=dict)

    def open(self) -> str:
        session_id = secrets.token_urlsafe(30)
        self.uids[session_id] = ADMIN_UID
        return session_id

    def uid(self, request: Request) -> int:
        uid = self.uids.get(request.cookies.get(SESSION_COOKIE, ""))
        if uid is None:
            raise SessionExpired("Session expired")
        return uid


Handler = Callable[[Request, dict[str, Any], "Reply"], Any]


@dataclass
class Reply:
    """What a handler adds to its answer beyond the result: a session cookie."""

    cookie: str | None = None


def web_routes(server: OdooServer) -> list[Route]:
    sessions = Sessions()

    def version_info(request: Request, params: dict[str, Any], reply: Reply) -> Any:
        return dict(SERVER_VERSION)

    def authenticate(request: Request, params: dict[str, Any], reply: Reply) -> Any:
        db, login, password = params.get("db"), params.get("login"), params.get("password")
        if server.login(db, login, password) is False:
            raise AccessDenied()
        reply.cookie = sessions.open()
        return session_info(server)

    def get_session_info(request: Request, params: dict[str, Any], reply: Reply) -> Any:
        sessions.uid(request)
        return session_info(server)

    def destroy(request: Request, params: dict[str, Any], reply: Reply) -> Any:
        sessions.uids.pop(request.cookies.get(SESSION_COOKIE, ""), None)
        return None

    def call_kw(request: Request, params: dict[str, Any], reply: Reply) -> Any:
        sessions.uid(request)
        model, method = params["model"], params["method"]
        server.calls.record(f"{model}.{method}")
        return server.call_kw(model, method, list(params["args"]), dict(params.get("kwargs", {})))

    return [
        Route("/web/webclient/version_info", json_route(version_info), methods=["POST"]),
        Route("/web/session/authenticate", json_route(authenticate), methods=["POST"]),
        Route("/web/session/get_session_info", json_route(get_session_info), methods=["POST"]),
        Route("/web/session/destroy", json_route(destroy), methods=["POST"]),
        Route("/web/dataset/call_kw", json_route(call_kw), methods=["POST"]),
        Route("/web/dataset/call_kw/{path:path}", json_route(call_kw), methods=["POST"]),
    ]


def session_info(server: OdooServer) -> dict[str, Any]:
    """What `ir.http.session_info` answers for the API user (the fields clients read)."""
    context = {"lang": "en_US", "tz": "Europe/Brussels", "uid": ADMIN_UID}
    return {
        "uid": ADMIN_UID,
        "is_system": True,
        "is_admin": True,
        "user_context": context,
        "db": server.credentials.database,
        "server_version": SERVER_VERSION["server_version"],
        "server_version_info": SERVER_VERSION["server_version_info"],
        "name": "Mitchell Admin",
        "username": server.credentials.login,
        "partner_display_name": "Mitchell Admin",
        "partner_id": 3,
        "user_companies": {
            "current_company": 1,
            "allowed_companies": {"1": {"id": 1, "name": "My Company", "sequence": 10}},
        },
    }


def json_route(handler: Handler) -> Callable[[Request], Any]:
    """A route speaking Odoo's JSON-RPC envelope (`/jsonrpc` and the web client's routes):
    `handler` gets the params; what it raises becomes the envelope's `error` member."""

    async def endpoint(request: Request) -> Response:
        try:
            envelope = json.loads(await request.body())
        except ValueError:
            return PlainTextResponse("Invalid JSON data", status_code=400, media_type="text/html")
        if not isinstance(envelope, dict):
            return PlainTextResponse(
                "Invalid JSON-RPC data", status_code=400, media_type="text/html"
            )
        request_id, reply = envelope.get("id"), Reply()
        try:
            params = envelope.get("params") or {}
            if not isinstance(params, dict):
                kind = type(params).__name__
                raise HttpError(400, f"JSON-RPC params must be an object (got {kind!r}).")
            result = handler(request, params, reply)
        except Exception as exc:  # every error becomes Odoo's `error` member
            error = _error(exc)
            return JSONResponse({"jsonrpc": "2.0", "id": request_id, "error": error})
        response = JSONResponse({"jsonrpc": "2.0", "id": request_id, "result": result})
        if reply.cookie is not None:
            response.set_cookie(SESSION_COOKIE, reply.cookie, httponly=True, samesite="lax")
        return response

    return endpoint


def _error(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, SessionExpired):
        # Odoo's JSON dispatcher answers an expired session with its own code.
        return {"code": 100, "message": "Odoo Session Expired", "data": serialize_exception(exc)}
    # The code is JSON-RPC's, not HTTP's: Odoo sends 200 for every server error.
    return {"code": 200, "message": "Odoo Server Error", "data": serialize_exception(exc)}
