"""The Odoo emulator over real HTTP: Odoo 19's JSON-2 endpoint, its results and errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

CUSTOMERS = [["customer_rank", ">", 0], ["parent_id", "=", False]]
ERROR_DATA_KEYS = {"name", "message", "arguments", "context", "debug"}
NOT_FOUND = "werkzeug.exceptions.NotFound"
UNPROCESSABLE = "werkzeug.exceptions.UnprocessableEntity"
Json = dict[str, Any]


def json2(
    url: str,
    model: str,
    method: str,
    body: Json | None = None,
    *,
    key: str | None = "admin",
    scheme: str = "bearer",
    **headers: str,
) -> httpx.Response:
    if key is not None:
        headers["Authorization"] = f"{scheme} {key}"
    path = f"{url}/json/2/{model}/{method}"
    return httpx.post(path, json=body or {}, headers=headers, timeout=30)


@pytest.mark.parametrize("scheme", ["bearer", "Bearer", "BEARER"])
def test_json2_answers_the_raw_result(odoo_emulator_url, scheme):
    query = {
        "domain": CUSTOMERS,
        "fields": ["name", "country_id"],
        "limit": 2,
        "context": {"lang": "en_US"},
    }
    database = {"X-Odoo-Database": "demo"}
    response = json2(
        odoo_emulator_url, "res.partner", "search_read", query, scheme=scheme, **database
    )
    assert response.status_code == 200
    rows = response.json()
    assert [set(row) for row in rows] == [{"id", "name", "country_id"}] * 2


def test_json2_reads_records_by_ids(odoo_emulator_url):
    response = json2(odoo_emulator_url, "sale.order", "read", {"ids": [3, 1], "fields": ["name"]})
    assert response.json() == [{"id": 3, "name": "S00003"}, {"id": 1, "name": "S00001"}]


@pytest.mark.parametrize(
    ("key", "message"),
    [(None, 'User not authenticated, use the "Authorization" header'), ("wrong", "Invalid apikey")],
)
def test_json2_refuses_a_missing_or_wrong_api_key(odoo_emulator_url, key, message):
    response = json2(odoo_emulator_url, "res.partner", "search_count", {"domain": []}, key=key)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "name": "werkzeug.exceptions.Unauthorized",
        "message": message,
        "arguments": [message, 401],
        "context": {},
        "debug": "",
    }


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (
            ("foo.bar", "search", {"domain": []}),
            (404, NOT_FOUND, "the model 'foo.bar' does not exist"),
        ),
        (
            ("sale.order", "frobnicate", {}),
            (404, NOT_FOUND, "The method 'sale.order.frobnicate' does not exist"),
        ),
        (
            ("sale.order", "search_count", {"domain": [], "badparameter": 1}),
            (422, UNPROCESSABLE, "got an unexpected keyword argument 'badparameter'"),
        ),
        (
            ("sale.order", "search_count", {}),
            (422, UNPROCESSABLE, "missing a required argument: 'domain'"),
        ),
        (
            ("sale.order", "search_read", {"ids": [1]}),
            (422, UNPROCESSABLE, "cannot call sale.order.search_read with ids"),
        ),
        (
            ("sale.order", "write", {"ids": [999999], "vals": {"note": "x"}}),
            (404, "odoo.exceptions.MissingError", "One of the documents you are trying to access"),
        ),
        (
            ("sale.order", "_private", {}),
            (403, "odoo.exceptions.AccessError", "cannot be called remotely"),
        ),
        # Odoo's JSON-2 dispatcher maps exceptions other than UserError and HTTP ones to 500
        (
            ("sale.order", "search_read", {"domain": [["foo", "=", 1]]}),
            (500, "builtins.ValueError", "Invalid field 'foo' on model 'sale.order'"),
        ),
        (
            ("sale.order", "search_read", {"domain": [], "limit": 1, "badparameter": 1}),
            (500, "builtins.TypeError", "BaseModel.read() got an unexpected keyword argument"),
        ),
    ],
)
def test_json2_errors_carry_http_statuses(odoo_emulator_url, call, error):
    model, method, body = call
    status, name, message = error
    response = json2(odoo_emulator_url, model, method, body)
    assert response.status_code == status
    assert set(response.json()) == ERROR_DATA_KEYS
    assert response.json()["name"] == name
    assert message in response.json()["message"]


def test_json2_unknown_database_and_paths_are_not_found(odoo_emulator_url):
    other = {"X-Odoo-Database": "other"}
    other_db = json2(odoo_emulator_url, "res.partner", "search_count", {"domain": []}, **other)
    root = httpx.get(f"{odoo_emulator_url}/json/2")
    assert other_db.status_code == root.status_code == 404
    assert "Did you mean POST /json/2/<model>/<method>?" in root.json()["message"]


def test_json2_body_that_is_not_json_is_a_bad_request(odoo_emulator_url):
    path = f"{odoo_emulator_url}/json/2/res.partner/search_count"
    response = httpx.post(path, content=b"{x", headers={"Authorization": "bearer admin"})
    assert response.status_code == 400
    assert response.json()["message"].startswith("could not parse the body as json")


def test_res_users_context_get_tells_who_the_key_belongs_to(odoo_emulator_url):
    assert json2(odoo_emulator_url, "res.users", "context_get").json()["uid"] == 2
