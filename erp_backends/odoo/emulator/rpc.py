"""Odoo's RPC layer, emulated: the `common`, `db` and `object` services behind
`/jsonrpc`, the JSON-2 controller behind `/json/2/<model>/<method>`, and errors
serialized as Odoo 19 sends them (`odoo.http.serialize_exception`).

Both protocols end in `OdooServer.call_kw`, which resolves the model and method the
way `odoo.service.model` does; Python's own argument errors surface unchanged, as
they do on a real server. Function and class names mirror Odoo's (`JSONRPC`,
`exp_login`, `execute_kw`) so those errors read the same.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from erp_backends.emulation.faults import CallLog
from erp_backends.odoo.emulator.db import AccessDenied, AccessError, Database, UserError
from erp_backends.odoo.emulator.methods import BaseModel, environment

ADMIN_UID = 2
SERVER_VERSION = {
    "server_version": "19.0",
    "server_version_info": [19, 0, 0, "final", 0, ""],
    "server_serie": "19.0",
    "protocol_version": 1,
}
NOT_FOUND = (
    "The requested URL was not found on the server. If you entered the URL manually please"
    " check your spelling and try again."
)
_BEARER = re.compile(r"^bearer\s+(.+)$", re.IGNORECASE)
_WERKZEUG = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    422: "UnprocessableEntity",
}


class HttpError(Exception):
    """A werkzeug HTTPException: JSON-2 answers it with its own status code."""

    def __init__(self, code: int, description: str, headers: Mapping[str, str] | None = None):
        super().__init__(description)
        self.code, self.description, self.headers = code, description, dict(headers or {})
        self.wire_name = f"werkzeug.exceptions.{_WERKZEUG[code]}"


class OperationalError(Exception):
    """What psycopg2 raises when the database named in the call does not exist."""

    wire_name = "psycopg2.OperationalError"


def wire_name(exc: BaseException) -> str:
    """The dotted name Odoo sends: "odoo.exceptions.MissingError", "builtins.ValueError"."""
    name = getattr(exc, "wire_name", None)
    if isinstance(name, str):
        return name
    # Emulator-only subclasses (DomainError) travel as the builtin they extend.
    builtin = next(c for c in type(exc).__mro__ if c.__module__ == "builtins")
    return f"builtins.{builtin.__name__}"


def serialize_exception(exc: BaseException) -> dict[str, Any]:
    """The `data` of a JSON-RPC error and the body of a JSON-2 error."""
    name = wire_name(exc)
    if isinstance(exc, HttpError):
        message, arguments, debug = exc.description, [exc.description, exc.code], ""
    else:
        message = "\n".join(str(a) for a in exc.args) if exc.args else str(exc)
        arguments, debug = list(exc.args), traceback_text(name, message)
    return {"name": name, "message": message, "arguments": arguments, "context": {}, "debug": debug}


def traceback_text(name: str, message: str) -> str:
    """A server traceback as Odoo sends it, ending in "<exception>: <message>"."""
    return (
        "Traceback (most recent call last):\n"
        '  File "/usr/lib/python3/dist-packages/odoo/http.py", line 2138, in _serve_db\n'
        "    return service_model.retrying(serve_func, env=self.env)\n"
        '  File "/usr/lib/python3/dist-packages/odoo/service/model.py", line 156, in retrying\n'
        "    result = func()\n"
        f"{name}: {message}\n"
    )


@dataclass(frozen=True)
class Credentials:
    database: str
    login: str
    password: str  # also the API key


class OdooServer:
    """One emulated Odoo server with one database and one user (uid 2). `refusals` are
    the `"<model>.<method>"` calls a business rule of this database refuses (see
    `FaultOptions.refuse`): a UserError, and nothing changed."""

    def __init__(
        self,
        db: Database,
        credentials: Credentials,
        calls: CallLog,
        refusals: frozenset[str] = frozenset(),
    ) -> None:
        self.db, self.credentials, self.calls = db, credentials, calls
        self.refusals = refusals

    def check_database(self, name: object) -> None:
        if name != self.credentials.database:
            raise OperationalError(
                'connection to server at "localhost" (127.0.0.1), port 5432 failed: '
                f'FATAL:  database "{name}" does not exist\n'
            )

    def check_user(self, uid: int, password: object) -> None:
        if uid != ADMIN_UID or password != self.credentials.password:
            raise AccessDenied()

    def login(self, db: object, login: object, password: object) -> int | bool:
        self.check_database(db)
        ok = login == self.credentials.login and password == self.credentials.password
        return ADMIN_UID if ok else False

    def call_kw(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """Call `model.method` with positional `args`, as `odoo.service.model` does."""
        recordset, func, is_model = self._resolve(model, method, kwargs.pop("context", None))
        if method == "create":
            # Odoo's _call_kw_model_create: the values must come first, positionally.
            vals = args[0]  # IndexError without them, as in Odoo
            created = func(recordset, *args, **kwargs)
            return created.ids[0] if isinstance(vals, Mapping) else created.ids
        if is_model:
            return _ids(func(recordset, *args, **kwargs))
        ids, rest = args[0], args[1:]  # IndexError without ids, as in Odoo
        return _ids(func(recordset.browse(ids), *rest, **kwargs))

    def json2(self, model: str, method: str, body: bytes, headers: Mapping[str, str]) -> Any:
        """Serve `POST /json/2/<model>/<method>`; raise `HttpError` and Odoo errors."""
        self.calls.record(f"{model}.{method}")
        database = headers.get("x-odoo-database")
        if database is not None and database != self.credentials.database:
            raise HttpError(404, NOT_FOUND)
        self._check_bearer(headers.get("authorization", ""))
        params = _json_body(body)
        ids, context = params.pop("ids", ()), params.pop("context", None)
        if model not in self.db:
            raise HttpError(404, f"the model {model!r} does not exist")
        try:
            recordset, func, is_model = self._resolve(model, method, context)
        except AttributeError as exc:
            raise HttpError(404, str(exc)) from exc
        if is_model and ids:
            raise HttpError(422, f"cannot call {model}.{method} with ids")
        records = recordset.browse(ids)
        try:
            inspect.signature(func).bind(records, **params)
        except TypeError as exc:
            raise HttpError(422, str(exc.args[0])) from exc
        return _ids(func(records, **params))

    def _check_bearer(self, authorization: str) -> None:
        challenge = {"WWW-Authenticate": "Bearer"}
        match = _BEARER.match(authorization)
        if match is None:
            message = 'User not authenticated, use the "Authorization" header'
            raise HttpError(401, message, challenge)
        if match.group(1).strip() != self.credentials.password:
            raise HttpError(401, "Invalid apikey", challenge)

    def _resolve(
        self, model: str, method: str, context: Any
    ) -> tuple[BaseModel, Callable[..., Any], bool]:
        if method.startswith("_"):
            raise AccessError(
                f"Private methods (such as '{model}.{method}') cannot be called remotely."
            )
        if model not in self.db:
            raise UserError(f"Object {model} doesn't exist")
        recordset = environment(self.db, model, context if isinstance(context, dict) else None)
        is_model = type(recordset).PUBLIC_METHODS.get(method)
        if is_model is None:
            raise AttributeError(f"The method '{model}.{method}' does not exist")
        if f"{model}.{method}" in self.refusals:
            raise UserError(refusal_message(model, method))
        return recordset, getattr(type(recordset), method), is_model


def refusal_message(model: str, method: str) -> str:
    """What a refused business method says, in the words of Odoo's approval rules."""
    action = method.removeprefix("action_").replace("_", " ")
    return (
        f"You cannot {action} these records ({model}): an approval rule of this database"
        " requires a manager's approval first."
    )


def _ids(result: Any) -> Any:
    """A method's result on the wire: a recordset travels as its ids."""
    return result.ids if isinstance(result, BaseModel) else result


def _json_body(body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    try:
        params = json.loads(body)
    except ValueError as exc:
        raise HttpError(400, f"could not parse the body as json: {exc.args[0]}") from exc
    # Odoo merges a non-object body into nothing and calls the method without arguments.
    return params if isinstance(params, dict) else {}


class JSONRPC:
    """The `/jsonrpc` endpoint: `params` are `service`, `method` and `args`."""

    def __init__(self, server: OdooServer) -> None:
        self.server = server

    def jsonrpc(self, service: str, method: str, args: list[Any]) -> Any:
        dispatchers = {"common": self._common, "db": self._db, "object": self._object}
        return dispatchers[service](method, args)  # KeyError for unknown services, as Odoo

    def _common(self, method: str, args: list[Any]) -> Any:
        handlers: dict[str, Callable[..., Any]] = {
            "version": exp_version,
            "login": exp_login,
            "authenticate": exp_authenticate,
        }
        if method not in handlers:
            raise Exception(f"Method not found: {method}")  # Odoo raises a bare Exception
        if method != "version":
            self.server.calls.record(f"common.{method}")
        return handlers[method](*args, server=self.server)

    def _db(self, method: str, args: list[Any]) -> Any:
        if method == "list":
            return [self.server.credentials.database]
        if method == "server_version":
            return SERVER_VERSION["server_version"]
        raise Exception(f"Method not found: {method}")

    def _object(self, method: str, args: list[Any]) -> Any:
        if len(args) > 4:
            self.server.calls.record(f"{args[3]}.{args[4]}")
        self.server.check_database(args[0])  # Odoo opens the database before anything else
        db, uid, password = args[0], int(args[1]), args[2]
        self.server.check_user(uid, password)
        if method == "execute_kw":
            return execute_kw(db, uid, *args[3:], server=self.server)
        if method == "execute":
            return execute(db, uid, *args[3:], server=self.server)
        raise NameError(f"Method not available {method}")


def exp_version(*, server: OdooServer) -> dict[str, Any]:
    return dict(SERVER_VERSION)


def exp_login(db: str, login: str, password: str, *, server: OdooServer) -> int | bool:
    return server.login(db, login, password)


def exp_authenticate(
    db: str, login: str, password: str, user_agent_env: dict[str, Any], *, server: OdooServer
) -> int | bool:
    return server.login(db, login, password)


def execute_kw(
    db: str,
    uid: int,
    obj: str,
    method: str,
    args: list[Any],
    kw: dict[str, Any] | None = None,
    *,
    server: OdooServer,
) -> Any:
    return server.call_kw(obj, method, list(args), dict(kw or {}))


def execute(db: str, uid: int, obj: str, method: str, *args: Any, server: OdooServer) -> Any:
    return server.call_kw(obj, method, list(args), {})
