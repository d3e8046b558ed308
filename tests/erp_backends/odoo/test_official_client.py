"""The Odoo emulator through the client libraries integrators use, over real HTTP: the
standard library's `xmlrpc.client` (Odoo's documented external API) and `odoorpc`
(JSON-RPC, the web client's routes, a cookie session).

Neither library was written against the emulator, so what they accept is what a real
Odoo 19 must answer: reads, writes, paging, errors and refused logins, in the shapes of
../shared/backend_apis.md section 1 (many2one pairs, `False` for unset values,
"YYYY-MM-DD HH:MM:SS" datetimes, Odoo's fault codes and error objects). The module
serves its own emulator, since it writes.
"""

from __future__ import annotations

import re
import xmlrpc.client
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import odoorpc  # type: ignore[import-untyped]
import pytest

from erp_backends.odoo.emulator import EmulatorOptions, create_app
from tests.servers import serve_in_thread

pytestmark = pytest.mark.slow

DB, LOGIN, PASSWORD = "demo", "admin", "admin"
DATETIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
COMPANIES = [["is_company", "=", True]]


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serve_in_thread(create_app(EmulatorOptions(seed=1))) as served:
        yield served


# --- xmlrpc.client: Odoo's documented external API ----------------------------------------


@pytest.fixture(scope="module")
def common(url: str) -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")


@pytest.fixture(scope="module")
def models(url: str) -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")


@pytest.fixture(scope="module")
def uid(common: xmlrpc.client.ServerProxy) -> int:
    found = common.authenticate(DB, LOGIN, PASSWORD, {})
    assert isinstance(found, int)
    return found


def call(
    models: xmlrpc.client.ServerProxy, uid: int, model: str, method: str, *args: Any, **kw: Any
) -> Any:
    """`execute_kw` as the documentation's examples write it: positional args, keywords."""
    return models.execute_kw(DB, uid, PASSWORD, model, method, list(args), kw)


def test_version_answers_without_a_login(common):
    version = common.version()
    assert version["server_version"] == "19.0"
    assert version["server_version_info"][:2] == [19, 0]
    assert version["protocol_version"] == 1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((DB, LOGIN, PASSWORD, {}), 2),
        ((DB, LOGIN, "wrong", {}), False),
        ((DB, "nobody", PASSWORD, {}), False),
    ],
)
def test_authenticate_answers_the_uid_or_false(common, args, expected):
    found = common.authenticate(*args)
    assert (found, type(found)) == (expected, type(expected))


def test_login_to_a_database_that_does_not_exist_is_a_traceback_fault(common):
    with pytest.raises(xmlrpc.client.Fault) as raised:
        common.login("nope", LOGIN, PASSWORD)
    assert raised.value.faultCode == 1
    assert raised.value.faultString.startswith("Traceback (most recent call last):")
    last_line = raised.value.faultString.strip().splitlines()[-1]
    assert last_line.startswith("psycopg2.OperationalError:")


def test_search_read_answers_odoo_wire_shapes(models, uid):
    fields = ["name", "partner_id", "date_order", "amount_total", "client_order_ref", "state"]
    rows = call(models, uid, "sale.order", "search_read", [], fields=fields, limit=40)
    assert len(rows) == 40
    for row in rows:
        assert set(row) == {"id", *fields}
        partner_id, partner_name = row["partner_id"]  # many2one: [id, display name]
        assert (type(partner_id), type(partner_name)) == (int, str)
        assert DATETIME.match(row["date_order"])
        assert isinstance(row["amount_total"], float)
    # Unset values are False: XML-RPC has no None, and Odoo never sends one.
    assert False in [row["client_order_ref"] for row in rows]


def test_search_read_without_display_names_answers_bare_ids(models, uid):
    # `load` is `read`'s, passed on by search_read; XML-RPC has no None, and any value
    # but "_classic_read" leaves the names out.
    fields = ["partner_id", "currency_id"]
    rows = call(models, uid, "sale.order", "search_read", [], fields=fields, limit=5, load=False)
    assert rows
    assert all(type(row["partner_id"]) is int for row in rows)
    assert all(type(row["currency_id"]) is int for row in rows)


def test_web_search_read_nests_the_many2ones_the_specification_opens(models, uid):
    # As Odoo 17+'s web client reads a list: each line with its product's own fields,
    # the product's currency by display name, its order as a bare id.
    specification: dict[str, Any] = {
        "order_id": {},
        "product_id": {
            "fields": {"default_code": {}, "currency_id": {"fields": {"display_name": {}}}}
        },
    }
    domain = [["product_id", "!=", False]]
    answer = call(models, uid, "sale.order.line", "web_search_read", domain, specification, limit=5)
    assert answer["length"] == call(models, uid, "sale.order.line", "search_count", domain)
    assert len(answer["records"]) == 5
    for line in answer["records"]:
        assert set(line) == {"id", "order_id", "product_id"}
        assert type(line["order_id"]) is int
        product = line["product_id"]
        assert set(product) == {"id", "default_code", "currency_id"}
        [read] = call(models, uid, "product.product", "read", [product["id"]], ["currency_id"])
        currency_id, currency_name = read["currency_id"]
        assert product["currency_id"] == {"id": currency_id, "display_name": currency_name}


def test_web_search_read_counts_only_past_a_full_page(models, uid):
    domain = [["is_company", "=", True]]
    total = call(models, uid, "res.partner", "search_count", domain)
    last = call(models, uid, "res.partner", "web_search_read", domain, {"name": {}}, offset=2)
    assert last["length"] == total  # the records left, plus the offset
    assert len(last["records"]) == total - 2
    none = call(models, uid, "res.partner", "web_search_read", [["id", "=", 0]], {})
    assert none == {"length": 0, "records": []}


def test_paging_with_offset_and_limit_walks_the_search(models, uid):
    everything = call(models, uid, "res.partner", "search", COMPANIES, order="id")
    pages = [
        call(models, uid, "res.partner", "search", COMPANIES, offset=offset, limit=50, order="id")
        for offset in range(0, len(everything), 50)
    ]
    assert [i for page in pages for i in page] == everything
    assert call(models, uid, "res.partner", "search_count", COMPANIES) == len(everything)


def test_read_drops_ids_that_do_not_exist(models, uid):
    rows = call(models, uid, "res.partner", "read", [999999, 3, 1], ["name"])
    assert [row["id"] for row in rows] == [3, 1]
    assert call(models, uid, "res.partner", "exists", [999999, 3]) == [3]


def test_a_datetime_argument_is_read_as_odoo_reads_it(models, uid):
    when = "2024-06-01 00:00:00"
    as_text = call(models, uid, "sale.order", "search_count", [["date_order", ">=", when]])
    as_datetime = call(
        models,
        uid,
        "sale.order",
        "search_count",
        [["date_order", ">=", xmlrpc.client.DateTime("20240601T00:00:00")]],
    )
    assert as_text == as_datetime > 0


def test_create_write_name_search_unlink_round_trip(models, uid):
    one = call(models, uid, "res.partner", "create", {"name": "Round Trip SA", "is_company": True})
    two = call(models, uid, "res.partner", "create", [{"name": "Trip A"}, {"name": "Trip B"}])
    assert isinstance(one, int)
    assert two == [one + 1, one + 2]

    assert call(models, uid, "res.partner", "write", [one], {"email": "hi@trip.test"}) is True
    row = call(models, uid, "res.partner", "read", [one], ["name", "email", "parent_id"])[0]
    assert row == {"id": one, "name": "Round Trip SA", "email": "hi@trip.test", "parent_id": False}
    assert call(models, uid, "res.partner", "name_search", "Round Trip") == [[one, "Round Trip SA"]]

    assert call(models, uid, "res.partner", "unlink", [one, *two]) is True
    assert call(models, uid, "res.partner", "read", [one], ["name"]) == []


def test_default_get_and_fields_get_describe_new_records(models, uid):
    defaults = call(models, uid, "sale.order", "default_get", ["state", "active", "name"])
    assert defaults == {"state": "draft"}
    described = call(models, uid, "sale.order", "fields_get", attributes=["type", "relation"])
    assert described["partner_id"] == {"type": "many2one", "relation": "res.partner"}


@pytest.mark.parametrize(
    ("model", "method", "args", "code", "text"),
    [
        # UserError and its kin (MissingError, ValidationError): code 2, the message
        (
            "res.partner",
            "write",
            [[999999], {"name": "x"}],
            2,
            "One of the documents you are trying to access has been deleted",
        ),
        ("res.partner", "unlink", [[999999]], 2, "Record does not exist or has been deleted."),
        ("sale.order", "create", [{"client_order_ref": "no customer"}], 2, "mandatory field"),
        ("foo.bar", "search", [[]], 2, "Object foo.bar doesn't exist"),
        # AccessError: code 4
        ("res.partner", "_private", [[]], 4, "cannot be called remotely"),
        # Anything else: code 1, the server's traceback ending in the exception
        ("res.partner", "search", [[["foo", "=", 1]]], 1, "ValueError: Invalid field 'foo'"),
        ("res.partner", "frobnicate", [[]], 1, "AttributeError: The method"),
    ],
)
def test_errors_are_odoo_faults(models, uid, model, method, args, code, text):
    with pytest.raises(xmlrpc.client.Fault) as raised:
        models.execute_kw(DB, uid, PASSWORD, model, method, args, {})
    assert raised.value.faultCode == code
    assert text in raised.value.faultString
    if code == 1:
        assert raised.value.faultString.startswith("Traceback (most recent call last):")


@pytest.mark.parametrize(("user", "password"), [(2, "wrong"), (7, PASSWORD)])
def test_bad_credentials_in_execute_kw_are_fault_3(models, user, password):
    with pytest.raises(xmlrpc.client.Fault) as raised:
        models.execute_kw(DB, user, password, "res.partner", "search", [[]], {})
    assert (raised.value.faultCode, raised.value.faultString) == (3, "Access Denied")


def test_the_older_route_sends_string_fault_codes(url, uid):
    legacy = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/object")
    with pytest.raises(xmlrpc.client.Fault) as raised:
        legacy.execute_kw(DB, uid, PASSWORD, "res.partner", "unlink", [[999999]], {})
    code: object = raised.value.faultCode  # a string on this route, whatever typeshed says
    assert isinstance(code, str)
    assert code.startswith("warning -- MissingError\n\n")


def test_a_request_with_a_dtd_is_refused(url):
    request = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]>'
        b"<methodCall><methodName>version</methodName><params/></methodCall>"
    )
    transport = xmlrpc.client.Transport()
    host = urlsplit(url).netloc
    with pytest.raises(xmlrpc.client.Fault) as raised:
        transport.request(host, "/xmlrpc/2/common", request)
    assert "a DTD or an entity declaration" in raised.value.faultString


# --- odoorpc: JSON-RPC and the web client's routes ----------------------------------------


@pytest.fixture(scope="module")
def odoo(url: str) -> odoorpc.ODOO:
    parts = urlsplit(url)
    client = odoorpc.ODOO(parts.hostname, port=parts.port)
    client.login(DB, LOGIN, PASSWORD)
    return client


def test_odoorpc_reads_the_version_before_logging_in(url):
    parts = urlsplit(url)
    assert odoorpc.ODOO(parts.hostname, port=parts.port).version == "19.0"


@pytest.mark.parametrize(("database", "password"), [(DB, "wrong"), ("nope", PASSWORD)])
def test_odoorpc_refused_logins_are_rpc_errors(url, database, password):
    parts = urlsplit(url)
    client = odoorpc.ODOO(parts.hostname, port=parts.port)
    with pytest.raises(odoorpc.error.RPCError):
        client.login(database, LOGIN, password)


def test_odoorpc_session_knows_its_user_and_the_models(odoo):
    assert odoo.env.uid == 2
    assert {"lang", "tz", "uid"} <= set(odoo.env.context)
    assert odoo.env.user.login == LOGIN
    assert "res.partner" in odoo.env
    assert "foo.bar" not in odoo.env


def test_odoorpc_browses_records_and_their_relations(odoo):
    partners = odoo.env["res.partner"]
    with_children = partners.search([["child_ids", "!=", False], *COMPANIES], limit=1)
    without = partners.search([["child_ids", "=", False], *COMPANIES], limit=1)
    parent = partners.browse(with_children[0])
    assert parent.child_ids
    assert all(child.parent_id.id == parent.id for child in parent.child_ids)
    # The bug: an empty x2many made odoorpc call default_get, which was missing.
    assert len(partners.browse(without[0]).child_ids) == 0
    order = odoo.env["sale.order"].browse(1)
    assert order.partner_id.name
    assert isinstance(order.amount_total, float)


def test_odoorpc_pages_and_counts(odoo):
    orders = odoo.env["sale.order"]
    first = orders.search([], offset=0, limit=5, order="id")
    second = orders.search([], offset=5, limit=5, order="id")
    assert first + second == orders.search([], limit=10, order="id")
    assert orders.search_count([]) >= 10


def test_odoorpc_creates_writes_and_unlinks(odoo):
    partners = odoo.env["res.partner"]
    record = partners.browse(partners.create({"name": "Odoorpc Ltd", "is_company": True}))
    record.email = "odoorpc@example.test"  # written at once (auto_commit)
    again = partners.browse(record.id)
    assert (again.name, again.email) == ("Odoorpc Ltd", "odoorpc@example.test")
    record.unlink()
    assert partners.search_count([["id", "=", record.id]]) == 0
    with pytest.raises(ValueError, match=r"There is no 'res\.partner' record"):
        partners.browse(record.id)  # read() drops the deleted id, as on a real Odoo


def test_odoorpc_server_errors_carry_odoo_error_objects(odoo):
    with pytest.raises(odoorpc.error.RPCError) as raised:
        odoo.env["res.partner"].search([["foo", "=", 1]])
    error = raised.value.info
    assert (error["code"], error["message"]) == (200, "Odoo Server Error")
    assert error["data"]["name"] == "builtins.ValueError"
    assert error["data"]["debug"].startswith("Traceback (most recent call last):")


def test_a_web_session_calls_the_orm_with_its_cookie(url):
    # odoorpc's opener keeps cookies, as a browser does: the session's web routes
    parts = urlsplit(url)
    client = odoorpc.ODOO(parts.hostname, port=parts.port)
    call_kw = {"model": "res.partner", "method": "search_count", "args": [[]], "kwargs": {}}
    with pytest.raises(odoorpc.error.RPCError) as expired:
        client.json("/web/dataset/call_kw", call_kw)
    assert (expired.value.info["code"], expired.value.info["message"]) == (
        100,
        "Odoo Session Expired",
    )
    with pytest.raises(odoorpc.error.RPCError) as refused:
        client.json("/web/session/authenticate", {"db": DB, "login": LOGIN, "password": "x"})
    assert refused.value.info["data"]["name"] == "odoo.exceptions.AccessDenied"

    login = {"db": DB, "login": LOGIN, "password": PASSWORD}
    session = client.json("/web/session/authenticate", login)["result"]
    assert session["uid"] == 2
    assert session["db"] == DB
    assert session["server_version"] == "19.0"
    assert {"lang", "tz", "uid"} <= set(session["user_context"])
    assert set(session["user_companies"]) == {"current_company", "allowed_companies"}
    count = client.json("/web/dataset/call_kw/res.partner/search_count", call_kw)["result"]
    assert isinstance(count, int)
    assert count > 0
    assert client.json("/web/session/get_session_info", {})["result"]["uid"] == 2
    client.json("/web/session/destroy", {})
    with pytest.raises(odoorpc.error.RPCError):
        client.json("/web/dataset/call_kw", call_kw)
