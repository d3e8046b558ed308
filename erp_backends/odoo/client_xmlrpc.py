"""Odoo's XML-RPC (`POST /xmlrpc/2/<service>`) over `BackendHttp`, for servers that
expose only it: the same services and arguments as `/jsonrpc`, an XML body, and
failures as XML-RPC faults, which come out as the typed errors of `errors.py`.

Not `xmlrpc.client.ServerProxy`: it blocks, and it would bypass the rate limit,
timeouts, retries and circuit breaker every backend call goes through. Answers are
read with `xmlrpc_wire.loads`: a size limit, no DTD.
"""

from __future__ import annotations

import re
import xmlrpc.client
from typing import Any

from erp_backends.errors import (
    BackendDataError,
    BackendError,
    BackendRequestError,
    BackendUnavailable,
)
from erp_backends.http import BackendHttp
from erp_backends.odoo.errors import odoo_error
from erp_backends.odoo.xmlrpc_wire import (
    FAULT_ACCESS_DENIED,
    FAULT_ACCESS_ERROR,
    FAULT_WARNING,
    XmlRpcBodyError,
    dumps_call,
    loads,
)

# An answer bigger than this is refused unread: a page of records is far smaller.
MAX_ANSWER_BYTES = 32 * 1024 * 1024
_XML = {"Content-Type": "text/xml"}
# The fault codes that name Odoo's exception class; the others carry a traceback.
_FAULT_NAMES = {
    FAULT_ACCESS_DENIED: "odoo.exceptions.AccessDenied",
    FAULT_ACCESS_ERROR: "odoo.exceptions.AccessError",
    # MissingError and ValidationError travel as this code too: XML-RPC cannot tell them apart.
    FAULT_WARNING: "odoo.exceptions.UserError",
}
# The last line of a Python traceback: "ValueError: ..." or "psycopg2.OperationalError: ...".
_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*): (.*)$")


async def xmlrpc_call(
    http: BackendHttp, service: str, method: str, args: list[Any], *, read: bool
) -> Any:
    """`service.method(*args)` over XML-RPC; only `BackendError`s come out."""
    what = f"{service}.{method}"
    try:
        body = dumps_call(method, tuple(args))
    except (TypeError, OverflowError) as exc:
        raise BackendRequestError(
            f"the arguments of Odoo's {what} cannot be sent over XML-RPC: {exc}",
            backend=http.backend,
        ) from None
    response = await http.request(
        "POST", f"/xmlrpc/2/{service}", read=read, content=body, headers=_XML
    )
    if response.status_code != 200:
        raise _http_error(http, response.status_code, what)
    try:
        params, _ = loads(response.content, limit=MAX_ANSWER_BYTES)
    except xmlrpc.client.Fault as fault:
        raise fault_error(fault, backend=http.backend) from None
    except XmlRpcBodyError as exc:
        raise BackendDataError(
            f"Odoo answered {what} with an unreadable XML-RPC body: {exc}", backend=http.backend
        ) from None
    if len(params) != 1:
        raise BackendDataError(
            f"Odoo answered {what} with {len(params)} values instead of one",
            backend=http.backend,
        )
    return params[0]


def fault_error(fault: xmlrpc.client.Fault, *, backend: str) -> BackendError:
    """The typed error of an Odoo fault: by its code, or by the exception its traceback
    ends in (faultCode 1), never with the traceback itself in the message."""
    text = str(fault.faultString)
    name = _FAULT_NAMES.get(fault.faultCode) if isinstance(fault.faultCode, int) else None
    if name is not None:
        return odoo_error(name, text, backend=backend)
    for line in reversed(text.strip().splitlines()):
        match = _EXCEPTION_LINE.match(line)
        if match is not None:
            exception, message = match.groups()
            dotted = exception if "." in exception else f"builtins.{exception}"
            return odoo_error(dotted, message, backend=backend)
    return odoo_error("unknown", text[:200], backend=backend)


def _http_error(http: BackendHttp, status: int, what: str) -> BackendError:
    if status >= 500:
        return BackendUnavailable(f"Odoo answered {what} with HTTP {status}", backend=http.backend)
    return BackendRequestError(
        f"Odoo answered {what} with HTTP {status}; is {http.base_url} an Odoo server that"
        " speaks the xmlrpc protocol?",
        backend=http.backend,
    )
