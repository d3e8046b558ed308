"""The Odoo emulator's write side over real HTTP, in Odoo's shapes: `create` over
JSON-RPC and JSON-2, business methods and their refusals, the payment wizard, and the
faults (rate limit, 503s) that writes meet like reads. Each test serves its own
emulator, since writes change the world."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from erp_backends.emulation.faults import FaultOptions
from erp_backends.odoo.emulator import EmulatorOptions, create_app
from erp_backends.rate_limit import RateLimit
from tests.servers import serve_in_thread

Json = dict[str, Any]
CUSTOMERS = [["customer_rank", ">", 0], ["parent_id", "=", False]]


@pytest.fixture(scope="module")
def url():
    with serve_in_thread(create_app(EmulatorOptions(seed=1))) as served:
        yield served


def execute_kw(url: str, model: str, method: str, args: list[Any], kwargs: Json | None = None):
    envelope = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": ["demo", 2, "admin", model, method, args, kwargs or {}],
        },
    }
    response = httpx.post(f"{url}/jsonrpc", json=envelope, timeout=30)
    assert response.status_code == 200
    return response.json()


def result(body: Json) -> Any:
    assert "error" not in body, body["error"]["data"]["message"]
    return body["result"]


def json2(url: str, model: str, method: str, body: Json) -> httpx.Response:
    return httpx.post(
        f"{url}/json/2/{model}/{method}",
        json=body,
        headers={"Authorization": "bearer admin"},
        timeout=30,
    )


def order_vals(url: str, ref: str, qty: float = 2) -> Json:
    customer = result(execute_kw(url, "res.partner", "search", [CUSTOMERS], {"limit": 1}))[0]
    product = result(
        execute_kw(url, "product.product", "search", [[["is_storable", "=", True]]], {"limit": 1})
    )[0]
    line = {"product_id": product, "product_uom_qty": qty}
    return {"partner_id": customer, "client_order_ref": ref, "order_line": [[0, 0, line]]}


def read(url: str, model: str, ids: list[int], fields: list[str]) -> list[Json]:
    return result(execute_kw(url, model, "read", [ids, fields]))


# --- sale.order ------------------------------------------------------------------------


def test_jsonrpc_create_answers_an_id_for_a_dict_and_ids_for_a_list(url):
    one = result(execute_kw(url, "sale.order", "create", [order_vals(url, "W-1")]))
    two = result(
        execute_kw(url, "sale.order", "create", [[order_vals(url, "W-2"), order_vals(url, "W-3")]])
    )
    assert isinstance(one, int)
    assert two == [one + 1, one + 2]
    order = read(url, "sale.order", [one], ["name", "state", "amount_total", "order_line"])[0]
    assert order["name"] == f"S{one:05d}"
    assert order["state"] == "draft"
    assert order["amount_total"] > 0
    assert len(order["order_line"]) == 1


def test_jsonrpc_create_needs_its_values_positionally_as_in_odoo(url):
    body = execute_kw(url, "sale.order", "create", [], {"vals_list": order_vals(url, "W-4")})
    assert body["error"]["data"]["name"] == "builtins.IndexError"


def test_json2_create_takes_vals_list_and_answers_ids(url):
    response = json2(url, "sale.order", "create", {"vals_list": order_vals(url, "W-5")})
    assert response.status_code == 200
    [order_id] = response.json()
    confirmed = json2(url, "sale.order", "action_confirm", {"ids": [order_id]})
    assert confirmed.json() is True
    again = json2(url, "sale.order", "action_confirm", {"ids": [order_id]})
    assert again.status_code == 422
    assert again.json()["name"] == "odoo.exceptions.UserError"
    assert "not in a state requiring confirmation" in again.json()["message"]


def test_an_unknown_line_field_is_odoos_value_error(url):
    vals = order_vals(url, "W-6")
    vals["order_line"][0][2]["product_uom"] = 1  # Odoo 19 calls it product_uom_id
    body = execute_kw(url, "sale.order", "create", [vals])
    assert body["error"]["data"]["name"] == "builtins.ValueError"
    assert "product_uom" in body["error"]["data"]["message"]


def test_confirming_reserves_and_cancelling_asks_for_the_wizard_unless_told(url):
    order_id = result(execute_kw(url, "sale.order", "create", [order_vals(url, "W-7", 4)]))
    product = read(url, "sale.order", [order_id], ["order_line"])[0]["order_line"]
    product_id = read(url, "sale.order.line", product, ["product_id"])[0]["product_id"][0]
    before = read(url, "product.product", [product_id], ["free_qty"])[0]["free_qty"]

    assert result(execute_kw(url, "sale.order", "action_confirm", [[order_id]])) is True
    reserved = read(url, "product.product", [product_id], ["free_qty"])[0]["free_qty"]
    wizard = result(execute_kw(url, "sale.order", "action_cancel", [[order_id]]))
    done = execute_kw(
        url,
        "sale.order",
        "action_cancel",
        [[order_id]],
        {"context": {"disable_cancel_warning": True}},
    )

    assert reserved == before - 4 or reserved == 0
    assert wizard["res_model"] == "sale.order.cancel"
    assert result(done) is True
    assert read(url, "sale.order", [order_id], ["state"])[0]["state"] == "cancel"
    assert read(url, "product.product", [product_id], ["free_qty"])[0]["free_qty"] == before


# --- payments and returns --------------------------------------------------------------


def test_the_payment_wizard_pays_the_invoice_in_its_context(url):
    domain = [["payment_state", "=", "not_paid"], ["state", "=", "posted"]]
    options = {"fields": ["amount_residual"], "limit": 1}
    [invoice] = result(execute_kw(url, "account.move", "search_read", [domain], options))
    context = {"active_model": "account.move", "active_ids": [invoice["id"]]}
    vals = {
        "amount": invoice["amount_residual"] + 5,
        "communication": "W-PAY",
        "payment_date": "2026-11-02",
    }
    register = "account.payment.register"
    wizard = json2(url, register, "create", {"vals_list": [vals], "context": context}).json()
    action = json2(url, register, "action_create_payments", {"ids": wizard, "context": context})
    fields = ["memo", "amount", "state", "invoice_ids", "date"]
    payment = read(url, "account.payment", [action.json()["res_id"]], fields)[0]
    move = read(url, "account.move", [invoice["id"]], ["amount_residual", "payment_state"])[0]
    assert payment["memo"] == "W-PAY"
    assert payment["invoice_ids"] == [invoice["id"]]
    assert (payment["state"], payment["date"]) == ("in_process", "2026-11-02")
    assert move == {"id": invoice["id"], "amount_residual": 0.0, "payment_state": "in_payment"}


def test_the_payment_wizard_refuses_a_paid_invoice_and_a_missing_context(url):
    paid = result(
        execute_kw(url, "account.move", "search", [[["payment_state", "=", "paid"]]], {"limit": 1})
    )
    context = {"active_model": "account.move", "active_ids": paid}
    refused = execute_kw(
        url, "account.payment.register", "create", [{"amount": 1}], {"context": context}
    )
    assert "nothing left to pay" in refused["error"]["data"]["message"]
    no_context = execute_kw(url, "account.payment.register", "create", [{"amount": 1}])
    assert no_context["error"]["data"]["name"] == "odoo.exceptions.UserError"


def test_a_transfer_needs_its_operation_type(url):
    body = execute_kw(url, "stock.picking", "create", [{"origin": "W-RET"}])
    assert body["error"]["data"]["name"] == "odoo.exceptions.ValidationError"
    assert "Operation Type" in body["error"]["data"]["message"]


# --- the ORM methods of every model -----------------------------------------------------


def error_of(body: Json) -> tuple[str, str]:
    data = body["error"]["data"]
    return data["name"], data["message"]


def test_write_checks_values_as_odoos_orm_does(url):
    partner = result(execute_kw(url, "res.partner", "create", [{"name": "Checked"}]))
    cases = [
        ({"nope": 1}, "builtins.ValueError", "Invalid field 'nope' on model 'res.partner'"),
        ({"type": "moon"}, "builtins.ValueError", "Wrong value for res.partner.type: 'moon'"),
        ({"country_id": 999999}, "odoo.exceptions.ValidationError", "does not exist"),
        ({"customer_rank": "high"}, "builtins.ValueError", "Wrong value"),
        ({"child_ids": [[0, 0, {"name": "x"}]]}, "builtins.ValueError", "one2many"),
    ]
    for vals, name, message in cases:
        found_name, found_message = error_of(
            execute_kw(url, "res.partner", "write", [[partner], vals])
        )
        assert found_name == name
        assert message in found_message
    # And nothing was written by the refused calls
    row = read(url, "res.partner", [partner], ["type", "country_id", "customer_rank"])[0]
    assert (row["type"], row["country_id"], row["customer_rank"]) == ("contact", False, 0)


def test_write_takes_many2many_commands_and_plain_ids(url):
    taxes = result(execute_kw(url, "account.tax", "search", [[]], {"limit": 3, "order": "id"}))
    line = result(execute_kw(url, "sale.order.line", "search", [[]], {"limit": 1}))
    writes = [
        ([[6, 0, taxes[:2]]], taxes[:2]),
        ([[4, taxes[2], 0]], taxes),
        ([[3, taxes[0], 0]], taxes[1:]),
        ([[5, 0, 0]], []),
        (taxes[:1], taxes[:1]),
    ]
    for commands, expected in writes:
        result(execute_kw(url, "sale.order.line", "write", [line, {"tax_ids": commands}]))
        assert read(url, "sale.order.line", line, ["tax_ids"])[0]["tax_ids"] == expected


def test_unlink_refuses_a_record_others_refer_to(url):
    customer = result(execute_kw(url, "res.partner", "search", [CUSTOMERS], {"limit": 1}))
    name, message = error_of(execute_kw(url, "res.partner", "unlink", [customer]))
    assert name == "odoo.exceptions.ValidationError"
    assert "another model requires the record being deleted" in message
    assert read(url, "res.partner", customer, ["id"]) == [{"id": customer[0]}]


def test_renaming_a_contact_keeps_odoos_display_name(url):
    company = result(execute_kw(url, "res.partner", "create", [{"name": "Parent Co"}]))
    contact = result(
        execute_kw(url, "res.partner", "create", [{"name": "Ann", "parent_id": company}])
    )
    result(execute_kw(url, "res.partner", "write", [[contact], {"name": "Anna"}]))
    row = read(url, "res.partner", [contact], ["display_name", "commercial_partner_id"])[0]
    assert row["display_name"] == "Parent Co, Anna"
    assert row["commercial_partner_id"][0] == company


def test_only_quotations_are_deleted_and_their_lines_with_them(url):
    quotation = result(execute_kw(url, "sale.order", "create", [order_vals(url, "DEL-1")]))
    confirmed = result(execute_kw(url, "sale.order", "create", [order_vals(url, "DEL-2")]))
    result(execute_kw(url, "sale.order", "action_confirm", [[confirmed]]))
    lines = read(url, "sale.order", [quotation], ["order_line"])[0]["order_line"]

    name, message = error_of(execute_kw(url, "sale.order", "unlink", [[confirmed]]))
    assert name == "odoo.exceptions.UserError"
    assert "You must first cancel it" in message
    assert result(execute_kw(url, "sale.order", "unlink", [[quotation]])) is True
    assert read(url, "sale.order", [quotation, confirmed], ["id"]) == [{"id": confirmed}]
    assert lines
    assert read(url, "sale.order.line", lines, ["id"]) == []


def test_generic_create_fills_defaults_and_checks_required_fields(url):
    country = result(execute_kw(url, "res.country", "search", [[]], {"limit": 1}))[0]
    state = result(
        execute_kw(url, "res.country.state", "create", [{"name": "Nowhere", "country_id": country}])
    )
    row = read(url, "res.country.state", [state], ["name", "country_id", "display_name"])[0]
    assert (row["name"], row["display_name"]) == ("Nowhere", "Nowhere")
    assert row["country_id"][0] == country
    name, message = error_of(execute_kw(url, "res.country.state", "create", [{"name": "No"}]))
    assert name == "odoo.exceptions.ValidationError"
    assert "Field: Country" in message


def test_name_search_matches_names_within_a_domain(url):
    found = result(execute_kw(url, "res.country", "name_search", ["Belg"]))
    assert [name for _, name in found] == ["Belgium"]
    limited = result(
        execute_kw(url, "res.partner", "name_search", [""], {"domain": CUSTOMERS, "limit": 3})
    )
    assert len(limited) == 3
    assert all(isinstance(i, int) and isinstance(n, str) for i, n in limited)


# --- faults --------------------------------------------------------------------------


@pytest.mark.slow
def test_writes_spend_the_rate_limit_and_are_counted_like_reads():
    # Given an emulator that allows 2 calls a minute
    faults = FaultOptions(rate_limit=RateLimit(2, 60.0))
    with serve_in_thread(create_app(EmulatorOptions(faults=faults))) as url:
        httpx.delete(f"{url}/_emulator/calls")
        vals = {"partner_id": 7, "order_line": []}
        # When three orders are created
        answers = [json2(url, "sale.order", "create", {"vals_list": vals}) for _ in range(3)]
        counted = httpx.get(f"{url}/_emulator/calls").json()
    # Then the third is throttled with Retry-After, and only two reached Odoo
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[2].headers["Retry-After"]) >= 1
    assert (counted["total"], counted["calls"]) == (2, {"sale.order.create": 2})


@pytest.mark.slow
def test_writes_meet_injected_failures():
    faults = FaultOptions(fail_rate=1.0)
    with serve_in_thread(create_app(EmulatorOptions(faults=faults))) as url:
        answer = json2(url, "sale.order", "create", {"vals_list": {"partner_id": 7}})
        counted = httpx.get(f"{url}/_emulator/calls").json()
    assert answer.status_code == 503
    assert counted["total"] == 0
