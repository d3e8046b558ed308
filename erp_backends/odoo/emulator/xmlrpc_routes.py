"""Odoo's XML-RPC API, emulated: `POST /xmlrpc/2/<service>` (and the older
`/xmlrpc/<service>`) with the services of `/jsonrpc` (`common`, `db`, `object`).

As Odoo 19's `odoo/addons/base/controllers/rpc.py` does, every answer is HTTP 200
`text/xml`; a failure is an XML-RPC fault:

    /xmlrpc/2/  faultCode 3 AccessDenied, 4 AccessError, 2 any other UserError
                (MissingError, ValidationError...), faultString the message; anything
                else faultCode 1, faultString the server's traceback, whose last line
                is "<exception>: <message>".
    /xmlrpc/    faultCode "warning -- MissingError\\n\\n<message>" and the like,
                "AccessDenied", or the message with the traceback as faultString.

Answers are marshalled without `<nil/>` (`allow_none=False`, as Odoo: a method that
returns None is a fault there too), and an int beyond XML-RPC's 32 bits is Python's
OverflowError, also a fault 1, as on a real server.
"""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from erp_backends.odoo.emulator.db import AccessDenied, AccessError, MissingError, UserError
from erp_backends.odoo.emulator.rpc import JSONRPC, OdooServer, traceback_text, wire_name
from erp_backends.odoo.xmlrpc_wire import (
    FAULT_ACCESS_DENIED,
    FAULT_ACCESS_ERROR,
    FAULT_APPLICATION_ERROR,
    FAULT_WARNING,
    loads,
    odoo_text,
)

MAX_REQUEST_BYTES = 8 * 1024 * 1024


def xmlrpc_routes(server: OdooServer) -> list[Route]:
    controller = JSONRPC(server)
    return [
        Route("/xmlrpc/2/{service}", _endpoint(controller, int_faults), methods=["POST"]),
        Route("/xmlrpc/{service}", _endpoint(controller, string_faults), methods=["POST"]),
    ]


def _endpoint(
    controller: JSONRPC, fault_of: Callable[[Exception], xmlrpc.client.Fault]
) -> Callable[[Request], Any]:
    async def xmlrpc_endpoint(request: Request) -> Response:
        try:
            params, method = loads(await request.body(), limit=MAX_REQUEST_BYTES)
            args = [_odoo_value(p) for p in params]
            result = controller.jsonrpc(request.path_params["service"], str(method), args)
            body = _response((result,))
        except Exception as exc:  # every failure is a fault, as in Odoo
            body = _response(fault_of(exc))
        return Response(body, media_type="text/xml")

    return xmlrpc_endpoint


def int_faults(exc: Exception) -> xmlrpc.client.Fault:
    """`xmlrpc_handle_exception_int`: the fault of `/xmlrpc/2/`."""
    if isinstance(exc, AccessError):
        return xmlrpc.client.Fault(FAULT_ACCESS_ERROR, str(exc))
    if isinstance(exc, AccessDenied):
        return xmlrpc.client.Fault(FAULT_ACCESS_DENIED, str(exc))
    if isinstance(exc, UserError):
        return xmlrpc.client.Fault(FAULT_WARNING, str(exc))
    return xmlrpc.client.Fault(FAULT_APPLICATION_ERROR, _traceback(exc))


def string_faults(exc: Exception) -> xmlrpc.client.Fault:
    """`xmlrpc_handle_exception_string`: the fault of the older `/xmlrpc/`."""
    for kind, label in ((MissingError, "MissingError"), (AccessError, "AccessError")):
        if isinstance(exc, kind):
            return xmlrpc.client.Fault(f"warning -- {label}\n\n{exc}", "")  # type: ignore[arg-type]
    if isinstance(exc, AccessDenied):
        return xmlrpc.client.Fault("AccessDenied", str(exc))  # type: ignore[arg-type]
    if isinstance(exc, UserError):
        return xmlrpc.client.Fault(f"warning -- UserError\n\n{exc}", "")  # type: ignore[arg-type]
    return xmlrpc.client.Fault(str(exc), _traceback(exc))  # type: ignore[arg-type]


def _traceback(exc: Exception) -> str:
    # Python prints builtin exceptions without their module: "ValueError: ...".
    name = wire_name(exc).removeprefix("builtins.")
    message = "\n".join(str(a) for a in exc.args) if exc.args else str(exc)
    return traceback_text(name, message)


def _odoo_value(value: Any) -> Any:
    """A request value as Odoo's ORM gets it: Odoo parses with `use_datetime=True`,
    and the emulator stores datetimes as Odoo writes them ("YYYY-MM-DD HH:MM:SS")."""
    if isinstance(value, xmlrpc.client.DateTime):
        parsed = datetime.strptime(value.value.replace("-", ""), "%Y%m%dT%H:%M:%S")
        return parsed.isoformat(" ")
    if isinstance(value, list):
        return [_odoo_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _odoo_value(v) for k, v in value.items()}
    return value


class _OdooMarshaller(xmlrpc.client.Marshaller):
    """Odoo's `OdooMarshaller`: text loses the control characters XML cannot carry."""

    dispatch = dict(xmlrpc.client.Marshaller.dispatch)
    dispatch[str] = lambda self, value, write: xmlrpc.client.Marshaller.dump_unicode(
        self, odoo_text(value), write
    )


def _response(params: tuple[Any, ...] | xmlrpc.client.Fault) -> bytes:
    try:
        body = _OdooMarshaller(allow_none=False).dumps(params)
    except (TypeError, OverflowError) as exc:  # None, an int over 2**31: Odoo's fault 1
        body = _OdooMarshaller(allow_none=False).dumps(int_faults(exc))
    return f"<?xml version='1.0'?>\n<methodResponse>\n{body}</methodResponse>\n".encode()
