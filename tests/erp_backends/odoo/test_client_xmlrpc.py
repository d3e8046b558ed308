"""The Odoo client on XML-RPC, against canned answers (respx): the requests it sends,
Odoo's faults as typed errors, and answers that are not XML-RPC, too big or hostile.

The normal path runs against the emulator over HTTP (test_adapter.py, the contract
suite, test_official_client.py); this file covers answers the emulator does not give.
"""

from __future__ import annotations

import xmlrpc.client
from typing import Any

import httpx
import pytest
import respx

from erp_backends.errors import BackendDataError, BackendRequestError, BackendUnavailable
from erp_backends.http import BackendHttp, Resilience
from erp_backends.odoo import client_xmlrpc
from erp_backends.odoo.client import OdooClient, OdooConnection
from erp_backends.odoo.errors import (
    OdooAccessDenied,
    OdooAccessError,
    OdooServerError,
    OdooUserError,
)

URL = "http://odoo.test"
API_KEY = "key-that-must-never-leak"
TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/usr/lib/python3/dist-packages/odoo/http.py", line 2138, in _serve_db\n'
    "    return service_model.retrying(serve_func, env=self.env)\n"
)


def client(http: httpx.AsyncClient) -> OdooClient:
    backend_http = BackendHttp(
        http, URL, backend="erp", system="Odoo", resilience=Resilience(retries=0)
    )
    return OdooClient(backend_http, OdooConnection("demo", "admin", API_KEY, "xmlrpc"))


def answer(*values: Any) -> httpx.Response:
    body = xmlrpc.client.dumps(values, methodresponse=True)
    return httpx.Response(200, content=body.encode(), headers={"Content-Type": "text/xml"})


def fault(code: int, text: str) -> httpx.Response:
    body = xmlrpc.client.dumps(xmlrpc.client.Fault(code, text))
    return httpx.Response(200, content=body.encode(), headers={"Content-Type": "text/xml"})


def route(mock: Any, response: httpx.Response) -> respx.Route:
    """Odoo logging in as uid 7, then answering every object call with `response`."""
    mock.post(f"{URL}/xmlrpc/2/common").mock(return_value=answer(7))
    return mock.post(f"{URL}/xmlrpc/2/object").mock(return_value=response)


@pytest.fixture
async def http():
    async with httpx.AsyncClient() as http:
        yield http


@respx.mock
async def test_it_logs_in_then_sends_execute_kw_with_named_arguments(http):
    rows = [{"id": 1, "name": "Azure", "parent_id": False}]
    object_route = route(respx, answer(rows))

    found = await client(http).search_read("res.partner", [["id", "=", 1]], ["name"])

    assert found == rows
    login = respx.calls[0].request
    assert login.headers["Content-Type"] == "text/xml"
    assert xmlrpc.client.loads(login.content) == (
        ("demo", "admin", API_KEY, {}),
        "authenticate",
    )
    params, method = xmlrpc.client.loads(object_route.calls.last.request.content)
    assert method == "execute_kw"
    assert params == (
        "demo",
        7,
        API_KEY,
        "res.partner",
        "search_read",
        [],
        {"domain": [["id", "=", 1]], "fields": ["name"], "offset": 0},
    )


@respx.mock
async def test_a_refused_login_is_access_denied(http):
    respx.post(f"{URL}/xmlrpc/2/common").mock(return_value=answer(False))
    with pytest.raises(OdooAccessDenied) as raised:
        await client(http).search_count("res.partner", [])
    assert API_KEY not in str(raised.value)


@pytest.mark.parametrize(
    ("code", "text", "expected", "name"),
    [
        (3, "Access Denied", OdooAccessDenied, "odoo.exceptions.AccessDenied"),
        (4, "You are not allowed to access 'Sales Order'", OdooAccessError, None),
        (2, "Record does not exist or has been deleted.", OdooUserError, None),
        (
            1,
            TRACEBACK + "ValueError: Invalid field 'nope' on model 'sale.order'\n",
            OdooServerError,
            "builtins.ValueError",
        ),
        (
            1,
            TRACEBACK + 'psycopg2.OperationalError: FATAL:  database "x" does not exist\n',
            OdooServerError,
            "psycopg2.OperationalError",
        ),
    ],
)
@respx.mock
async def test_faults_become_typed_errors_without_the_traceback(http, code, text, expected, name):
    route(respx, fault(code, text))
    with pytest.raises(expected) as raised:
        await client(http).search_count("res.partner", [])
    if name is not None:
        assert raised.value.odoo_name == name
    assert "Traceback" not in str(raised.value)


@respx.mock
async def test_a_traceback_fault_keeps_the_exception_message(http):
    route(respx, fault(1, TRACEBACK + "ValueError: Invalid field 'nope' on model 'sale.order'\n"))
    with pytest.raises(OdooServerError) as raised:
        await client(http).search_count("res.partner", [])
    assert str(raised.value).endswith("Invalid field 'nope' on model 'sale.order'")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<methodResponse><params><param><value><string>&lol2;</string></value></param></params>
</methodResponse>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<methodResponse><params><param><value><string>&secret;</string></value></param></params>
</methodResponse>"""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (BILLION_LAUGHS, "a DTD or an entity declaration"),
        (EXTERNAL_ENTITY, "a DTD or an entity declaration"),
        (b"<html><body>Login</body></html>", "not an XML-RPC document"),
        (b"{not xml", "not well-formed XML"),
        (b"<methodResponse><params><param><value><int>x</int></value>", "not"),
    ],
)
@respx.mock
async def test_hostile_or_unreadable_answers_are_data_errors(http, body, message):
    route(respx, httpx.Response(200, content=body))
    with pytest.raises(BackendDataError, match=message) as raised:
        await client(http).search_count("res.partner", [])
    assert "passwd" not in str(raised.value.__cause__ or "")


@respx.mock
async def test_an_answer_over_the_size_limit_is_refused_unparsed(http, monkeypatch):
    monkeypatch.setattr(client_xmlrpc, "MAX_ANSWER_BYTES", 1000)
    route(respx, answer(["x" * 2000]))
    with pytest.raises(BackendDataError, match="over the 1000 limit"):
        await client(http).search_read("res.partner", [], ["name"])


@respx.mock
async def test_arguments_xmlrpc_cannot_carry_are_a_request_error(http):
    object_route = route(respx, answer(0))
    with pytest.raises(BackendRequestError, match="cannot be sent over XML-RPC"):
        await client(http).search_count("res.partner", [["id", "=", 2**40]])
    assert not object_route.called


@pytest.mark.parametrize(
    ("response", "expected", "message"),
    [
        (httpx.Response(404, text="<html>Not Found</html>"), BackendRequestError, "xmlrpc"),
        (httpx.Response(500, text="<html>Error</html>"), BackendUnavailable, "HTTP 500"),
    ],
)
@respx.mock
async def test_http_errors_say_what_happened(http, response, expected, message):
    route(respx, response)
    with pytest.raises(expected, match=message):
        await client(http).search_count("res.partner", [])
