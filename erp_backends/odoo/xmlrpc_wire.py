"""XML-RPC bodies read and written as Odoo's `/xmlrpc/2/*` routes do, for the client
(`client.py`) and the emulator alike.

Reading XML from the network is reading untrusted input. The standard library's parser
(expat) fetches no external entity, and expat 2.4+ caps entity expansion, but
`defusedxml`'s advice is to refuse what an XML-RPC body never needs rather than to
count on limits: this parser refuses any DTD (so no entity can be declared: no
"billion laughs", no external entity), and bodies over a size limit, before parsing.
That is `defusedxml.xmlrpc`'s `forbid_dtd=True` without a dependency or a global
monkey-patch of `xmlrpc.client`.
"""

from __future__ import annotations

import xmlrpc.client
from typing import Any, NoReturn
from xml.parsers import expat

# Odoo's XML-RPC fault codes (odoo/addons/base/controllers/rpc.py).
FAULT_APPLICATION_ERROR = 1  # faultString: the server's traceback, ending in the exception
FAULT_WARNING = 2  # UserError and its kin (MissingError, ValidationError): the message
FAULT_ACCESS_DENIED = 3  # a bad login, password or API key
FAULT_ACCESS_ERROR = 4  # the user may not read or write this

# XML-RPC's <int> is a signed 32-bit integer; Python's marshaller refuses bigger ones.
MAXINT = xmlrpc.client.MAXINT


class XmlRpcBodyError(ValueError):
    """A body that is not a well-formed XML-RPC document without a DTD."""


def loads(data: bytes, *, limit: int) -> tuple[tuple[Any, ...], str | None]:
    """The params and the method name (None in a response) of an XML-RPC document.

    Raises `xmlrpc.client.Fault` for a fault response, `XmlRpcBodyError` for anything
    that is not XML-RPC (over `limit` bytes, not XML, a DTD, unknown values).
    """
    if len(data) > limit:
        raise XmlRpcBodyError(f"an XML-RPC body of {len(data)} bytes is over the {limit} limit")
    unmarshaller = xmlrpc.client.Unmarshaller()
    # expat hands over decoded text: no encoding to decode with (as ExpatParser sets it).
    unmarshaller.xml(None, None)  # type: ignore[arg-type]
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = unmarshaller.start
    parser.EndElementHandler = unmarshaller.end
    parser.CharacterDataHandler = unmarshaller.data
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    try:
        parser.Parse(data, True)
        return unmarshaller.close(), unmarshaller.getmethodname()
    except xmlrpc.client.Fault:
        raise
    except expat.ExpatError as exc:
        raise XmlRpcBodyError(f"not well-formed XML: {exc}") from None
    except (xmlrpc.client.ResponseError, ValueError, TypeError, IndexError) as exc:
        raise XmlRpcBodyError(f"not an XML-RPC document: {exc!r}") from None


def _refuse_dtd(*_args: object) -> NoReturn:
    raise XmlRpcBodyError("a DTD or an entity declaration: XML-RPC has none")


def dumps_call(method: str, params: tuple[Any, ...]) -> bytes:
    """A methodCall. `<nil/>` for None: Odoo's parser (the standard library's) reads it."""
    return xmlrpc.client.dumps(params, method, allow_none=True, encoding="utf-8").encode()


def odoo_text(value: str) -> str:
    """Text without the control characters XML 1.0 cannot carry: Odoo drops them
    (its `OdooMarshaller.dump_unicode`) so that a stray one never breaks an answer."""
    return value.translate(_CONTROL_CHARACTERS)


_CONTROL_CHARACTERS = dict.fromkeys(set(range(32)) - {9, 10, 13})
