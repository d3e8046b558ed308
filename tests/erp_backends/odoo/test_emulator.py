"""The Odoo emulator over real HTTP: JSON-RPC shapes and errors, health, calls, faults."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from erp_backends.emulation.faults import FaultOptions
from erp_backends.odoo.emulator import EmulatorOptions, create_app
from erp_backends.rate_limit import RateLimit
from tests.servers import serve_in_thread

ORDER_FIELDS = "name partner_id date_order client_order_ref amount_total invoice_ids state".split()
CUSTOMERS = [["customer_rank", ">", 0], ["parent_id", "=", False]]
SALES = [["state", "=", "sale"]]
ERROR_DATA_KEYS = {"name", "message", "arguments", "context", "debug"}
DATETIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


Json = dict[str, Any]


def rpc(url: str, service: str, method: str, args: list[Any]) -> Json:
    envelope = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {"service": service, "method": method, "args": args},
    }
    response = httpx.post(f"{url}/jsonrpc", json=envelope, timeout=30)
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def execute_kw(
    url: str,
    model: str,
    method: str,
    args: list[Any],
    kwargs: Json | None = None,
    *,
    uid: object = 2,
    password: str = "admin",
) -> Json:
    call = ["demo", uid, password, model, method, args, kwargs or {}]
    return rpc(url, "object", "execute_kw", call)


def result(body: Json) -> Any:
    assert "error" not in body, body["error"]["data"]["message"]
    return body["result"]


def error_data(body: Json) -> Json:
    assert body["error"]["code"] == 200
    assert body["error"]["message"] == "Odoo Server Error"
    data: Json = body["error"]["data"]
    assert set(data) == ERROR_DATA_KEYS
    return data


# --- JSON-RPC ----------------------------------------------------------------------------


def test_version_reports_odoo_19(odoo_emulator_url):
    version = result(rpc(odoo_emulator_url, "common", "version", []))
    assert (version["server_version"], version["protocol_version"]) == ("19.0", 1)


@pytest.mark.parametrize(
    ("method", "args", "uid"),
    [
        ("authenticate", ["demo", "admin", "admin", {}], 2),
        ("authenticate", ["demo", "admin", "wrong", {}], False),
        ("authenticate", ["demo", "someone", "admin", {}], False),
        ("login", ["demo", "admin", "admin"], 2),
        ("login", ["demo", "admin", "wrong"], False),
    ],
)
def test_login_answers_the_uid_or_false(odoo_emulator_url, method, args, uid):
    answer = result(rpc(odoo_emulator_url, "common", method, args))
    assert (answer, type(answer)) == (uid, type(uid))


def test_an_unknown_database_fails_like_postgres(odoo_emulator_url):
    args = ["nope", "admin", "admin", {}]
    data = error_data(rpc(odoo_emulator_url, "common", "authenticate", args))
    assert data["name"] == "psycopg2.OperationalError"
    assert 'database "nope" does not exist' in data["message"]


def test_search_read_answers_odoo_wire_shapes(odoo_emulator_url):
    # When orders are read over JSON-RPC
    query = {"fields": ORDER_FIELDS, "limit": 40}
    rows = result(execute_kw(odoo_emulator_url, "sale.order", "search_read", [SALES], query))
    # Then each row has the id and the asked fields in Odoo's shapes
    assert len(rows) == 40
    for row in rows:
        assert set(row) == {"id", *ORDER_FIELDS}
        partner_id, partner_name = row["partner_id"]
        assert isinstance(partner_id, int)
        assert isinstance(partner_name, str)
        assert DATETIME.match(row["date_order"])
        assert isinstance(row["amount_total"], float)
        assert all(isinstance(i, int) for i in row["invoice_ids"])
    # And unset values are false, never null
    assert False in [row["client_order_ref"] for row in rows]
    assert None not in [value for row in rows for value in row.values()]


def test_default_order_is_the_models_order(odoo_emulator_url):
    options = {"fields": ["date_order"], "limit": 20}
    rows = result(execute_kw(odoo_emulator_url, "sale.order", "search_read", [[]], options))
    keys = [(row["date_order"], row["id"]) for row in rows]
    assert keys == sorted(keys, reverse=True)  # "date_order desc, id desc"


def test_read_keeps_the_order_of_the_ids(odoo_emulator_url):
    options = {"fields": ["name", "parent_id", "state_id"]}
    rows = result(execute_kw(odoo_emulator_url, "res.partner", "read", [[7, 4, 5]], options))
    assert [row["id"] for row in rows] == [7, 4, 5]
    assert all(row["parent_id"] is False or len(row["parent_id"]) == 2 for row in rows)


def test_read_with_load_none_answers_bare_ids(odoo_emulator_url):
    options = {"fields": ["partner_id"], "load": None}
    rows = result(execute_kw(odoo_emulator_url, "sale.order", "read", [[1]], options))
    assert isinstance(rows[0]["partner_id"], int)


def test_search_read_passes_load_on_to_read(odoo_emulator_url):
    """Odoo's `search_read(**read_kwargs)` hands them to `read`: with `load: None` every
    many2one is its id alone, and an empty one stays false."""
    options = {"fields": ["parent_id", "name"], "load": None, "limit": 300}
    rows = result(execute_kw(odoo_emulator_url, "res.partner", "search_read", [[]], options))
    parents = [row["parent_id"] for row in rows]
    assert False in parents  # a company
    assert any(type(parent) is int for parent in parents)  # a contact of one
    assert all(parent is False or type(parent) is int for parent in parents)
    assert all(type(row["name"]) is str for row in rows)  # other fields as they were


def test_read_drops_ids_that_do_not_exist_as_odoo_does(odoo_emulator_url):
    # Odoo's read() leaves out deleted or never created records, without an error
    options = {"fields": ["name"]}
    rows = result(execute_kw(odoo_emulator_url, "sale.order", "read", [[999999, 1]], options))
    assert [row["id"] for row in rows] == [1]
    assert result(execute_kw(odoo_emulator_url, "sale.order", "read", [[999999]], options)) == []


def test_writing_a_missing_record_is_a_missing_error(odoo_emulator_url):
    body = execute_kw(odoo_emulator_url, "sale.order", "write", [[999999], {"note": "x"}])
    assert (body["jsonrpc"], body["id"]) == ("2.0", 1)
    data = error_data(body)
    assert data["name"] == "odoo.exceptions.MissingError"
    assert data["message"].startswith("One of the documents you are trying to access")
    assert "Records: [999999]" in data["message"]
    assert data["context"] == {}
    assert data["debug"].startswith("Traceback (most recent call last):")


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (
            ("sale.order", "search_read", [[]], {"fields": ["foo"]}),
            ("builtins.ValueError", "Invalid field 'foo' on model 'sale.order'"),
        ),
        (
            ("sale.order", "search_count", [[["foo", "=", 1]]], {}),
            ("builtins.ValueError", "Invalid field 'foo' on model 'sale.order'"),
        ),
        (
            ("sale.order", "search", [[["state", "=="]]], {}),
            ("builtins.ValueError", "Invalid domain term"),
        ),
        (
            ("sale.order", "search", [["&", ["state", "=", "sale"]]], {}),
            ("builtins.ValueError", "missing an operand"),
        ),
        (
            ("foo.bar", "search", [[]], {}),
            ("odoo.exceptions.UserError", "Object foo.bar doesn't exist"),
        ),
        (
            ("sale.order", "frobnicate", [[]], {}),
            ("builtins.AttributeError", "The method 'sale.order.frobnicate' does not exist"),
        ),
        (
            ("sale.order", "_private", [[]], {}),
            ("odoo.exceptions.AccessError", "cannot be called remotely"),
        ),
        (
            ("sale.order", "search", [[]], {"badparameter": 1}),
            (
                "builtins.TypeError",
                "BaseModel.search() got an unexpected keyword argument 'badparameter'",
            ),
        ),
        (
            ("sale.order", "search", [[]], {"order": "nope desc"}),
            ("builtins.ValueError", "Invalid field 'nope' on model 'sale.order'"),
        ),
    ],
)
def test_orm_errors_travel_as_odoo_names_them(odoo_emulator_url, call, error):
    model, method, args, kwargs = call
    name, message = error
    data = error_data(execute_kw(odoo_emulator_url, model, method, args, kwargs))
    assert data["name"] == name
    assert message in data["message"]


@pytest.mark.parametrize(("uid", "password"), [(2, "wrong"), (7, "admin"), (False, "admin")])
def test_bad_credentials_in_execute_kw_are_access_denied(odoo_emulator_url, uid, password):
    body = execute_kw(odoo_emulator_url, "res.partner", "search", [[]], uid=uid, password=password)
    data = error_data(body)
    expected = ("odoo.exceptions.AccessDenied", "Access Denied", ["Access Denied"])
    assert (data["name"], data["message"], data["arguments"]) == expected


@pytest.mark.parametrize(
    ("service", "method", "name", "message"),
    [
        ("nope", "version", "builtins.KeyError", "nope"),
        ("common", "nope", "builtins.Exception", "Method not found: nope"),
        ("object", "nope", "builtins.NameError", "Method not available nope"),
    ],
)
def test_unknown_services_and_methods(odoo_emulator_url, service, method, name, message):
    args = ["demo", 2, "admin", "res.partner", "search", [[]]]
    data = error_data(rpc(odoo_emulator_url, service, method, args))
    assert (data["name"], data["message"]) == (name, message)


@pytest.mark.parametrize(
    ("content", "answer"),
    [(b"{not json", "Invalid JSON data"), (b"[1, 2]", "Invalid JSON-RPC data")],
)
def test_unreadable_envelopes_are_plain_400s(odoo_emulator_url, content, answer):
    response = httpx.post(
        f"{odoo_emulator_url}/jsonrpc",
        content=content,
        headers={"Content-Type": "application/json"},
    )
    assert (response.status_code, response.text) == (400, answer)


def test_envelope_errors_come_back_in_the_error_member(odoo_emulator_url):
    url = f"{odoo_emulator_url}/jsonrpc"
    listed = httpx.post(url, json={"jsonrpc": "2.0", "id": 5, "params": [1]}).json()
    no_args = {"service": "common", "method": "version"}
    missing = httpx.post(url, json={"jsonrpc": "2.0", "id": 6, "params": no_args}).json()
    assert (listed["id"], error_data(listed)["name"]) == (5, "werkzeug.exceptions.BadRequest")
    assert error_data(missing)["name"] == "builtins.TypeError"
    assert "missing 1 required positional argument: 'args'" in error_data(missing)["message"]


def test_execute_takes_positional_arguments(odoo_emulator_url):
    args = ["demo", 2, "admin", "res.country", "search_count", [["code", "=", "BE"]]]
    assert result(rpc(odoo_emulator_url, "object", "execute", args)) == 1


def test_context_can_include_archived_records(odoo_emulator_url):
    # Given products, some of them archived
    everything = {"context": {"active_test": False}}
    # When they are counted without and with the context flag
    active = result(execute_kw(odoo_emulator_url, "product.product", "search_count", [[]]))
    all_products = result(
        execute_kw(odoo_emulator_url, "product.product", "search_count", [[]], everything)
    )
    # Then the archived ones only count with it
    assert (active, all_products) == (508, 520)


def test_fields_get_describes_types_relations_and_selections(odoo_emulator_url):
    attributes = {"attributes": ["type", "string", "relation", "selection"]}
    fields = result(execute_kw(odoo_emulator_url, "sale.order", "fields_get", [], attributes))
    assert fields["partner_id"] == {
        "type": "many2one",
        "string": "Customer",
        "relation": "res.partner",
    }
    assert fields["order_line"]["relation"] == "sale.order.line"
    assert ["sale", "Sales Order"] in fields["state"]["selection"]
    assert fields["amount_total"]["type"] == "monetary"


# --- health, call counting, faults --------------------------------------------------------


def test_health_passes(odoo_emulator_url):
    assert httpx.get(f"{odoo_emulator_url}/web/health").json() == {"status": "pass"}


def test_calls_are_counted_per_model_method_over_both_protocols(odoo_emulator_url):
    # Given a reset call log
    httpx.delete(f"{odoo_emulator_url}/_emulator/calls").raise_for_status()
    # When the gateway logs in and makes calls over both protocols, one of them failing
    rpc(odoo_emulator_url, "common", "authenticate", ["demo", "admin", "admin", {}])
    execute_kw(odoo_emulator_url, "sale.order", "search_read", [[]], {"limit": 1})
    execute_kw(odoo_emulator_url, "sale.order", "search_read", [[["foo", "=", 1]]])
    httpx.post(
        f"{odoo_emulator_url}/json/2/res.partner/search_count",
        json={"domain": []},
        headers={"Authorization": "bearer admin"},
    )
    # Then each call is counted under its model and method
    counted = httpx.get(f"{odoo_emulator_url}/_emulator/calls").json()
    assert counted == {
        "total": 4,
        "calls": {
            "common.authenticate": 1,
            "sale.order.search_read": 2,
            "res.partner.search_count": 1,
        },
        "faults": {},
    }


@pytest.mark.slow
def test_faults_wrap_everything_but_the_emulator_controls():
    # Given an emulator that always fails, allows 2 calls a minute and is slow
    faults = FaultOptions(latency_ms=20, fail_rate=1.0, rate_limit=RateLimit(2, 60.0))
    with serve_in_thread(create_app(EmulatorOptions(faults=faults))) as url:
        # When it is called three times
        started = time.perf_counter()
        statuses = [httpx.post(f"{url}/jsonrpc", json={}).status_code for _ in range(3)]
        elapsed = time.perf_counter() - started
        throttled = httpx.post(f"{url}/jsonrpc", json={})
        health = httpx.get(f"{url}/web/health")
        controls = httpx.get(f"{url}/_emulator/calls")
    # Then it answers 503 until the limit is spent, then 429, always late
    assert statuses == [503, 503, 429]
    assert elapsed >= 0.06
    assert int(throttled.headers["Retry-After"]) >= 1
    # And health checks are not rate limited, the controls not faulted at all
    assert (health.status_code, controls.status_code) == (503, 200)
