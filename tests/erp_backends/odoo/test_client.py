"""Protocol edge cases of the Odoo client, against canned answers (respx).

The normal path runs against the emulator over HTTP in test_adapter.py; this file
covers answers the emulator does not give on demand.
"""

import asyncio
import json

import httpx
import pytest
import respx

from erp_backends.errors import (
    BackendDataError,
    BackendRateLimited,
    BackendRequestError,
    BackendTimeout,
    BackendUnavailable,
)
from erp_backends.http import BackendHttp, Resilience
from erp_backends.odoo.adapter import OdooErp
from erp_backends.odoo.client import OdooClient, OdooConnection
from erp_backends.odoo.errors import (
    OdooAccessDenied,
    OdooAccessError,
    OdooMissingError,
    OdooServerError,
    OdooValidationError,
)

URL = "http://odoo.test"
API_KEY = "key-that-must-never-leak"


async def no_sleep(_):
    pass


def client(http, protocol="jsonrpc", **resilience):
    connection = OdooConnection("demo", "admin", API_KEY, protocol)
    policy = Resilience(retries=0, **resilience)
    backend_http = BackendHttp(
        http, URL, backend="erp", system="Odoo", resilience=policy, sleep=no_sleep
    )
    return OdooClient(backend_http, connection)


def rpc_result(result):
    return httpx.Response(200, json={"jsonrpc": "2.0", "id": 1, "result": result})


def rpc_error(name, message, code=200):
    error = {
        "code": code,
        "message": "Odoo Server Error",
        "data": {
            "name": name,
            "message": message,
            "arguments": [message],
            "context": {},
            "debug": "Traceback (most recent call last): ...",
        },
    }
    return httpx.Response(200, json={"jsonrpc": "2.0", "id": 1, "error": error})


def route_jsonrpc(mock, *, login=7, answer):
    def respond(request):
        params = json.loads(request.content)["params"]
        if params["service"] == "common":
            return rpc_result(login)
        return answer

    return mock.post(f"{URL}/jsonrpc").mock(side_effect=respond)


@pytest.fixture
async def http():
    async with httpx.AsyncClient() as http:
        yield http


@respx.mock
async def test_jsonrpc_logs_in_once_and_sends_execute_kw_with_named_arguments(http):
    route = route_jsonrpc(respx, answer=rpc_result([{"id": 1, "name": "Azure"}]))
    odoo = client(http)

    rows = await asyncio.gather(*(odoo.search_read("res.partner", [], ["name"]) for _ in range(3)))

    assert rows[0] == [{"id": 1, "name": "Azure"}]
    calls = [json.loads(c.request.content)["params"] for c in route.calls]
    assert [c["method"] for c in calls].count("authenticate") == 1
    execute = next(c for c in calls if c["method"] == "execute_kw")
    assert execute["args"] == [
        "demo",
        7,
        API_KEY,
        "res.partner",
        "search_read",
        [],
        {"domain": [], "fields": ["name"], "offset": 0},
    ]


@pytest.mark.parametrize("protocol", ["jsonrpc", "json2"])
@respx.mock
async def test_requests_are_the_json_httpx_would_write(http, protocol):
    # The client encodes with orjson for speed: the bytes are those of httpx's `json=`
    # (compact, UTF-8, not ASCII-escaped), keys that are not strings written as strings.
    route_jsonrpc(respx, answer=rpc_result(True))
    json2 = respx.post(f"{URL}/json/2/res.partner/write").mock(
        return_value=httpx.Response(200, json=True)
    )
    values = {"name": "Zoë Ångström", "comment": 'say "hi"'}
    context = {"lang": "de_DE", 7: "seven"}

    await client(http, protocol).call("res.partner", "write", [5], vals=values, context=context)

    routes = respx.calls if protocol == "jsonrpc" else json2.calls
    request = routes.last.request
    assert request.headers["Content-Type"] == "application/json"
    body = json.loads(request.content)
    named = body["params"]["args"][-1] if protocol == "jsonrpc" else body
    assert named["context"] == {"lang": "de_DE", "7": "seven"}
    as_httpx_writes = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    assert request.content == as_httpx_writes.encode()


@respx.mock
async def test_a_refused_login_is_access_denied_without_the_key(http):
    route_jsonrpc(respx, login=False, answer=rpc_result([]))
    with pytest.raises(OdooAccessDenied) as raised:
        await client(http).search_count("res.partner", [])
    assert "'admin'" in str(raised.value)
    assert API_KEY not in str(raised.value)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("odoo.exceptions.AccessDenied", OdooAccessDenied),
        ("odoo.exceptions.AccessError", OdooAccessError),
        ("odoo.exceptions.MissingError", OdooMissingError),
        ("odoo.exceptions.ValidationError", OdooValidationError),
        ("builtins.ValueError", OdooServerError),
    ],
)
@respx.mock
async def test_jsonrpc_error_objects_become_typed_errors(http, name, expected):
    route_jsonrpc(respx, answer=rpc_error(name, "Invalid field 'nope' on model 'sale.order'"))
    with pytest.raises(expected) as raised:
        await client(http).search_read("sale.order", [], ["nope"])
    assert raised.value.odoo_name == name
    assert raised.value.backend == "erp"
    assert "Traceback" not in str(raised.value)


@respx.mock
async def test_a_session_error_without_data_is_still_typed(http):
    expired = {"code": 100, "message": "Odoo Session Expired"}
    answer = httpx.Response(200, json={"jsonrpc": "2.0", "id": 1, "error": expired})
    route_jsonrpc(respx, answer=answer)
    with pytest.raises(OdooAccessDenied):
        await client(http).search_count("res.partner", [])


@respx.mock
async def test_http_429_is_rate_limited_with_retry_after(http):
    route_jsonrpc(respx, answer=httpx.Response(429, headers={"Retry-After": "3"}, text="slow"))
    with pytest.raises(BackendRateLimited) as raised:
        await client(http).search_count("res.partner", [])
    assert raised.value.retry_after == 3.0


@respx.mock
async def test_a_proxy_503_page_is_unavailable(http):
    route_jsonrpc(respx, answer=httpx.Response(503, text="<html>503 Service Unavailable</html>"))
    with pytest.raises(BackendUnavailable, match="HTTP 503"):
        await client(http).search_count("res.partner", [])


@respx.mock
async def test_connection_failures_and_timeouts_are_typed(http):
    respx.post(f"{URL}/jsonrpc").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(BackendUnavailable, match="unreachable"):
        await client(http).search_count("res.partner", [])
    respx.post(f"{URL}/jsonrpc").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(BackendTimeout):
        await client(http).search_count("res.partner", [])


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="<html>login</html>"),
        httpx.Response(200, json={"jsonrpc": "2.0", "id": 1}),
        rpc_result({"not": "a list"}),
        rpc_result([1, 2]),
    ],
)
@respx.mock
async def test_answers_of_the_wrong_shape_are_data_errors(http, answer):
    route_jsonrpc(respx, answer=answer)
    with pytest.raises(BackendDataError, match="unexpected shape"):
        await client(http).search_read("res.partner", [], ["name"])


@respx.mock
async def test_json2_sends_bearer_key_database_and_named_arguments(http):
    route = respx.post(f"{URL}/json/2/sale.order/read").mock(
        return_value=httpx.Response(200, json=[{"id": 4, "name": "S00004"}])
    )
    result = await client(http, "json2").call("sale.order", "read", [4], fields=["name"])
    assert result == [{"id": 4, "name": "S00004"}]
    request = route.calls.last.request
    assert request.headers["Authorization"] == f"bearer {API_KEY}"
    assert request.headers["X-Odoo-Database"] == "demo"
    assert json.loads(request.content) == {"ids": [4], "fields": ["name"]}


@pytest.mark.parametrize(
    ("status", "name", "expected"),
    [
        (401, "werkzeug.exceptions.Unauthorized", OdooAccessDenied),
        (403, "odoo.exceptions.AccessError", OdooAccessError),
        (422, "builtins.ValueError", OdooServerError),
        (500, "builtins.KeyError", OdooServerError),
    ],
)
@respx.mock
async def test_json2_error_bodies_become_typed_errors(http, status, name, expected):
    body = {
        "name": name,
        "message": "nope",
        "arguments": ["nope", status],
        "context": {},
        "debug": "Traceback ...",
    }
    respx.post(f"{URL}/json/2/res.partner/search_count").mock(
        return_value=httpx.Response(status, json=body)
    )
    with pytest.raises(expected):
        await client(http, "json2").search_count("res.partner", [])


@respx.mock
async def test_json2_against_a_server_without_it_says_so(http):
    respx.post(f"{URL}/json/2/res.partner/search_count").mock(
        return_value=httpx.Response(404, text="<html>Not Found</html>")
    )
    with pytest.raises(BackendRequestError, match="speaks the json2 protocol"):
        await client(http, "json2").search_count("res.partner", [])


# --- lines read with their products (web_search_read) ----------------------------------


def product_row(key: int, **changes: object) -> dict:
    row = {
        "id": key,
        "default_code": f"SKU-{key}",
        "name": f"Product {key}",
        "barcode": False,
        "lst_price": 12.5,
        "currency_id": {"id": 1, "display_name": "EUR"},
        "uom_id": {"id": 1, "display_name": "Units"},
        "type": "consu",
        "sale_ok": True,
        "active": True,
        "is_storable": True,
    }
    return {**row, **changes}


def route_line_references(mock, lines: object):
    def respond(request):
        params = json.loads(request.content)["params"]
        if params["service"] == "common":
            return rpc_result(7)
        method = params["args"][4]
        if method == "fields_get":
            return rpc_result({"is_storable": {"type": "boolean"}})
        assert method == "web_search_read", method
        return rpc_result(lines)

    return mock.post(f"{URL}/jsonrpc").mock(side_effect=respond)


@respx.mock
async def test_a_product_read_with_its_line_that_does_not_map_is_left_to_its_line(http):
    # Given a line whose product lacks its name, beside a line whose product is whole
    records = [
        {"id": 1, "order_id": 5, "product_id": product_row(21)},
        {"id": 2, "order_id": 5, "product_id": product_row(22, name=False)},
        {"id": 3, "order_id": 5, "product_id": False},
    ]
    route_line_references(respx, {"length": 3, "records": records})
    # When the order's lines are read as references
    (refs,) = (await OdooErp(client(http)).line_refs_for_orders(["5"])).values()
    # Then each line names its product; the whole one comes with it, the other is left
    # for the line's field to read (and report) on its own
    assert [(r.id, r.product_id) for r in refs] == [("1", "21"), ("2", "22"), ("3", None)]
    assert refs[0].product is not None
    assert (refs[0].product.sku, refs[0].product.sales_unit) == ("SKU-21", "C62")
    assert refs[1].product is None
    assert refs[2].product is None


@pytest.mark.parametrize(
    "answer",
    [
        [{"id": 1, "order_id": 5, "product_id": 21}],  # search_read's list, not web's
        {"length": 1, "records": {"id": 1}},
        {"length": 1, "records": [{"id": 1, "order_id": 5, "product_id": {"id": "x"}}]},
    ],
)
@respx.mock
async def test_a_line_answer_of_the_wrong_shape_is_a_data_error(http, answer):
    route_line_references(respx, answer)
    with pytest.raises(BackendDataError):
        await OdooErp(client(http)).line_refs_for_orders(["5"])
