"""An Odoo 19 server, emulated in-process over HTTP for tests, demos and benchmarks.

It speaks Odoo's real wire protocols, so an adapter written against it works against
a real Odoo:

- `POST /jsonrpc`: JSON-RPC 2.0, services `common` (version, login, authenticate),
  `db` and `object` (execute, execute_kw); errors as HTTP 200 with an `error` member.
- `POST /json/2/<model>/<method>`: Odoo 19's JSON-2 with `Authorization: bearer
  <api key>`; named arguments in, the raw result out; errors as 4xx/5xx.
- `POST /xmlrpc/2/<service>` (and `/xmlrpc/<service>`): the same services over
  XML-RPC, failures as Odoo's faults (see `xmlrpc_routes.py`).
- `/web/webclient/version_info`, `/web/session/authenticate` and
  `/web/dataset/call_kw`: the web client's JSON routes (see `web.py`).
- `GET /web/health`: `{"status": "pass"}`.
- `GET|DELETE /_emulator/calls`: the count of model calls received, and its reset.

The data (`emulator_seed.build_world`) is built once per `create_app`; faults from
`EmulatorOptions.faults` (latency, rate limit, random 503s) wrap every route except
the `/_emulator` controls, and its `refuse` names business methods the server answers
with a UserError.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from erp_backends.emulation.faults import CallLog, FaultInjection, FaultOptions, call_log_routes
from erp_backends.emulation.responses import JSONResponse
from erp_backends.odoo.emulator.db import OdooError
from erp_backends.odoo.emulator.rpc import (
    JSONRPC,
    Credentials,
    HttpError,
    OdooServer,
    serialize_exception,
)
from erp_backends.odoo.emulator.seed import build_world
from erp_backends.odoo.emulator.web import json_route, web_routes
from erp_backends.odoo.emulator.xmlrpc_routes import xmlrpc_routes


@dataclass(frozen=True)
class EmulatorOptions:
    """What the emulated server holds and who may log in; `password` is also the API key."""

    seed: int = 1
    database: str = "demo"
    login: str = "admin"
    password: str = field(default="admin", repr=False)
    faults: FaultOptions = field(default_factory=FaultOptions)


def create_app(options: EmulatorOptions | None = None) -> Starlette:
    """The emulator as a Starlette app; `app.state.database` is its `Database`."""
    options = options or EmulatorOptions()
    calls = CallLog()
    credentials = Credentials(options.database, options.login, options.password)
    refusals = options.faults.refuse
    server = OdooServer(build_world(options.seed), credentials, calls, refusals)
    app = Starlette(
        routes=[
            Route("/jsonrpc", _jsonrpc_endpoint(server), methods=["POST"]),
            Route("/json/2/{model}/{method}", _json2_endpoint(server), methods=["POST"]),
            Route("/json/2", _json2_not_found, methods=_ANY_METHOD),
            Route("/json/2/{subpath:path}", _json2_not_found, methods=_ANY_METHOD),
            *xmlrpc_routes(server),
            *web_routes(server),
            Route("/web/health", _health, methods=["GET"]),
            *call_log_routes(calls),
        ],
        middleware=[
            Middleware(FaultInjection, options.faults, unlimited_prefix="/web/health", log=calls)
        ],
    )
    app.state.database = server.db
    app.state.calls = calls
    return app


_ANY_METHOD = ["GET", "POST", "PUT", "DELETE", "PATCH"]


def _jsonrpc_endpoint(server: OdooServer) -> Any:
    controller = JSONRPC(server)
    return json_route(lambda _request, params, _reply: controller.jsonrpc(**params))


def _json2_endpoint(server: OdooServer) -> Any:
    async def json2(request: Request) -> Response:
        model, method = request.path_params["model"], request.path_params["method"]
        try:
            result = server.json2(model, method, await request.body(), request.headers)
        except Exception as exc:  # every error becomes a JSON-2 error body
            return _json2_error(exc)
        return JSONResponse(result)

    return json2


def _json2_error(exc: Exception) -> Response:
    headers: dict[str, str] = {}
    if isinstance(exc, HttpError):
        status, headers = exc.code, exc.headers
    elif isinstance(exc, OdooError):
        status = exc.http_status
    else:
        status = 500  # ValueError, TypeError...: Odoo's Json2Dispatcher maps them to 500
    return JSONResponse(serialize_exception(exc), status_code=status, headers=headers)


async def _json2_not_found(request: Request) -> Response:
    return _json2_error(HttpError(404, "Did you mean POST /json/2/<model>/<method>?"))


async def _health(request: Request) -> Response:
    return JSONResponse({"status": "pass"})
