"""The mutations over HTTP, against an Odoo emulator, with the worker in the gateway:
what is accepted reaches the ERP once; what breaks a rule is refused with a user error."""

import uuid
from decimal import Decimal

import httpx
import pytest

from tests.commands.conftest import STAFF, SYNC_WAIT_MS, customer_token, orders_with_reference
from tests.harness import bearer, data_of, graphql, odoo_rpc

# Starts an emulator and gateways on sockets, and workers.
pytestmark = pytest.mark.slow

PLACE = """
mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    receipt { commandId status order { id number } }
    userErrors { field code message }
  }
}
"""


def place(gateway, token, lines, **fields):
    variables = {"input": {"lines": lines, **fields}}
    return data_of(graphql(gateway, PLACE, variables, token=token))["placeOrder"]


def delivered_order(odoo: str) -> str:
    """The id of an order the ERP has delivered something of."""
    from resolvers.node import encode_id

    delivered = [["qty_delivered", ">", 0]]
    options = {"fields": ["order_id"], "limit": 1}
    [line] = odoo_rpc(odoo, "sale.order.line", "search_read", [delivered], options)
    return encode_id("Order", str(line["order_id"][0]))


def codes(payload):
    return [error["code"] for error in payload["userErrors"]]


def test_a_customer_places_an_order_that_reaches_the_erp_once(gateway, odoo, catalogue):
    customer = catalogue["customers"][0]["id"]
    sku = catalogue["products"][0]["sku"]
    key = uuid.uuid4().hex
    first = place(
        gateway, customer_token(customer), [{"sku": sku, "quantity": "2"}], idempotencyKey=key
    )
    assert first["userErrors"] == []
    receipt = first["receipt"]
    assert receipt["status"] == "CONFIRMED"
    assert receipt["order"]["number"].startswith("S")

    again = place(
        gateway, customer_token(customer), [{"sku": sku, "quantity": "2"}], idempotencyKey=key
    )
    assert again["receipt"]["commandId"] == receipt["commandId"]
    orders = orders_with_reference(odoo, f"EGW-{receipt['commandId']}")
    assert [o["name"] for o in orders] == [receipt["order"]["number"]]
    assert orders[0]["state"] == "sale"


def test_the_same_key_with_another_request_is_refused(gateway, catalogue):
    token = customer_token(catalogue["customers"][0]["id"])
    sku = catalogue["products"][0]["sku"]
    key = uuid.uuid4().hex
    assert place(gateway, token, [{"sku": sku, "quantity": "1"}], idempotencyKey=key)["receipt"]
    other = place(gateway, token, [{"sku": sku, "quantity": "3"}], idempotencyKey=key)
    assert codes(other) == ["IDEMPOTENCY_KEY_REUSED"]
    assert other["receipt"] is None


def test_the_idempotency_key_header_works_too(gateway, catalogue):
    token = customer_token(catalogue["customers"][0]["id"])
    variables = {"input": {"lines": [{"sku": catalogue["products"][0]["sku"], "quantity": "1"}]}}
    headers = {**bearer(token), "Idempotency-Key": uuid.uuid4().hex}
    answers = [
        httpx.post(
            f"{gateway}/graphql", json={"query": PLACE, "variables": variables}, headers=headers
        ).json()["data"]["placeOrder"]
        for _ in range(2)
    ]
    assert answers[0]["receipt"]["commandId"] == answers[1]["receipt"]["commandId"]


def test_keys_belong_to_their_principal(gateway, catalogue):
    first, second = catalogue["customers"][0]["id"], catalogue["customers"][1]["id"]
    line = [{"sku": catalogue["products"][0]["sku"], "quantity": "1"}]
    key = uuid.uuid4().hex
    a = place(gateway, customer_token(first), line, idempotencyKey=key)["receipt"]
    b = place(gateway, customer_token(second), line, idempotencyKey=key)["receipt"]
    assert a["commandId"] != b["commandId"]


def test_each_line_error_names_its_input(gateway, catalogue):
    token = customer_token(catalogue["customers"][0]["id"])
    sku = catalogue["products"][0]["sku"]
    answer = place(
        gateway,
        token,
        [
            {"sku": "NO-SUCH-SKU", "quantity": "1"},
            {"sku": sku, "quantity": "0"},
            {"sku": sku, "quantity": "-2"},
            {"sku": sku, "quantity": "1", "unit": "KGM"},
            {"sku": sku, "quantity": "1", "unit": "furlong"},
        ],
    )
    assert answer["receipt"] is None
    assert [(e["code"], e["field"]) for e in answer["userErrors"]] == [
        ("UNKNOWN_SKU", ["lines", "0", "sku"]),
        ("INVALID_QUANTITY", ["lines", "1", "quantity"]),
        ("INVALID_QUANTITY", ["lines", "2", "quantity"]),
        ("UNIT_NOT_CONVERTIBLE", ["lines", "3", "unit"]),
        ("UNIT_NOT_CONVERTIBLE", ["lines", "4", "unit"]),
    ]
    assert "furlong" in answer["userErrors"][4]["message"]


def test_a_pack_of_12_becomes_12_units(gateway, odoo, catalogue):
    token = customer_token(catalogue["customers"][0]["id"])
    sku = catalogue["products"][1]["sku"]
    receipt = place(gateway, token, [{"sku": sku, "quantity": "2", "unit": "Pack of 12"}])[
        "receipt"
    ]
    assert receipt["status"] == "CONFIRMED"
    [order] = orders_with_reference(odoo, f"EGW-{receipt['commandId']}")
    lines = odoo_rpc(
        odoo,
        "sale.order.line",
        "search_read",
        [[["order_id.name", "=", order["name"]]]],
        {"fields": ["product_uom_qty"]},
    )
    assert [Decimal(str(line["product_uom_qty"])) for line in lines] == [Decimal(24)]


def test_more_than_the_stock_is_refused_live(gateway, catalogue):
    product = catalogue["products"][0]
    token = customer_token(catalogue["customers"][0]["id"])
    answer = place(gateway, token, [{"sku": product["sku"], "quantity": "100000"}])
    assert "INSUFFICIENT_STOCK" in codes(answer)
    assert answer["receipt"] is None


def test_an_order_past_the_credit_limit_is_refused(gateway, odoo, catalogue):
    limited = odoo_rpc(
        odoo,
        "res.partner",
        "search_read",
        [[["use_partner_credit_limit", "=", True], ["credit_limit", ">", 0]]],
        {"fields": ["id", "credit_limit", "credit"], "limit": 1},
    )
    assert limited, "the seeded world has customers with a credit limit"
    from resolvers.node import encode_id

    customer = encode_id("Customer", str(limited[0]["id"]))
    product = catalogue["products"][0]
    answer = place(
        gateway, STAFF, [{"sku": product["sku"], "quantity": "40"}] * 40, customerId=customer
    )
    assert "CREDIT_LIMIT_EXCEEDED" in codes(answer)


def test_staff_must_name_the_customer_and_customers_cannot_name_another(gateway, catalogue):
    line = [{"sku": catalogue["products"][0]["sku"], "quantity": "1"}]
    assert codes(place(gateway, STAFF, line)) == ["CUSTOMER_REQUIRED"]
    mine, theirs = catalogue["customers"][0]["id"], catalogue["customers"][1]["id"]
    answer = place(gateway, customer_token(mine), line, customerId=theirs)
    assert codes(answer) == ["NOT_FOUND"]


def test_writes_need_their_scope(gateway, catalogue):
    reader = customer_token(catalogue["customers"][0]["id"], scopes={"orders:read"})
    variables = {"input": {"lines": [{"sku": catalogue["products"][0]["sku"], "quantity": "1"}]}}
    answer = graphql(gateway, PLACE, variables, token=reader)
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "orders:write" in answer["errors"][0]["message"]


CANCEL = """
mutation($input: CancelOrderInput!) {
  cancelOrder(input: $input) { receipt { status order { status } } userErrors { code } }
}
"""


def test_an_order_is_cancelled_once_and_a_delivered_one_is_not(gateway, odoo, catalogue):
    token = customer_token(catalogue["customers"][0]["id"])
    receipt = place(gateway, token, [{"sku": catalogue["products"][0]["sku"], "quantity": "1"}])[
        "receipt"
    ]
    cancel = data_of(
        graphql(gateway, CANCEL, {"input": {"orderId": receipt["order"]["id"]}}, token=token)
    )["cancelOrder"]
    assert cancel["userErrors"] == []
    assert cancel["receipt"]["status"] == "CONFIRMED"
    assert cancel["receipt"]["order"]["status"] == "CANCELLED"
    refused = data_of(
        graphql(gateway, CANCEL, {"input": {"orderId": delivered_order(odoo)}}, token=STAFF)
    )["cancelOrder"]
    assert [e["code"] for e in refused["userErrors"]] == ["ORDER_NOT_CANCELLABLE"]


PAY = """
mutation($input: PayInvoiceInput!) {
  payInvoice(input: $input) {
    receipt { status payment { amount { amount currency } } }
    userErrors { code field }
  }
}
"""


def open_invoice(gateway):
    query = """{ customers(first: 40) { nodes { id invoices(first: 10) { nodes {
                 id paymentStatus amountDue { amount currency } } } } } }"""
    for customer in data_of(graphql(gateway, query, token=STAFF))["customers"]["nodes"]:
        for invoice in customer["invoices"]["nodes"]:
            if (
                invoice["paymentStatus"] == "NOT_PAID"
                and Decimal(invoice["amountDue"]["amount"]) > 10
            ):
                return customer["id"], invoice
    raise AssertionError("the seeded world has unpaid invoices")


def test_an_invoice_is_paid_in_part_and_not_beyond_what_is_due(gateway):
    customer, invoice = open_invoice(gateway)
    token = customer_token(customer)
    currency = invoice["amountDue"]["currency"]
    too_much = str(Decimal(invoice["amountDue"]["amount"]) + 1)
    refused = data_of(
        graphql(
            gateway,
            PAY,
            {
                "input": {
                    "invoiceId": invoice["id"],
                    "amount": {"amount": too_much, "currency": currency},
                }
            },
            token=token,
        )
    )
    assert [e["code"] for e in refused["payInvoice"]["userErrors"]] == ["AMOUNT_EXCEEDS_DUE"]
    paid = data_of(
        graphql(
            gateway,
            PAY,
            {
                "input": {
                    "invoiceId": invoice["id"],
                    "amount": {"amount": "10.00", "currency": currency},
                }
            },
            token=token,
        )
    )
    receipt = paid["payInvoice"]["receipt"]
    assert receipt["status"] == "CONFIRMED"
    assert receipt["payment"]["amount"] == {"amount": "10.00", "currency": currency}
    after = data_of(
        graphql(
            gateway,
            "query($id: ID!) { invoice(id: $id) { amountDue { amount } } }",
            {"id": invoice["id"]},
            token=token,
        )
    )
    expected = Decimal(invoice["amountDue"]["amount"]) - 10
    assert Decimal(after["invoice"]["amountDue"]["amount"]) == expected


def test_paying_while_acting_as_a_customer_needs_its_own_scope(gateway):
    from gateway.auth.principal import PrincipalKind
    from tests.commands.conftest import ALL_SCOPES
    from tests.harness import token_for

    customer, invoice = open_invoice(gateway)
    helper = token_for(PrincipalKind.STAFF, scopes=ALL_SCOPES, subject="staff-dan")
    variables = {"input": {"invoiceId": invoice["id"]}}
    answer = graphql(gateway, PAY, variables, token=helper, headers={"X-Act-As-Customer": customer})
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "payments:write-impersonated" in answer["errors"][0]["message"]


RETURN = """
mutation($input: RequestReturnInput!) {
  requestReturn(input: $input) { receipt { status returnNumber } userErrors { code } }
}
"""


def test_a_return_needs_a_delivery(gateway, odoo, catalogue):
    accepted = data_of(
        graphql(
            gateway,
            RETURN,
            {"input": {"orderId": delivered_order(odoo), "reason": "damaged"}},
            token=STAFF,
        )
    )
    assert accepted["requestReturn"]["receipt"]["status"] == "CONFIRMED"
    assert accepted["requestReturn"]["receipt"]["returnNumber"]
    fresh = place(
        gateway,
        customer_token(catalogue["customers"][0]["id"]),
        [{"sku": catalogue["products"][0]["sku"], "quantity": "1"}],
    )["receipt"]
    refused = data_of(
        graphql(gateway, RETURN, {"input": {"orderId": fresh["order"]["id"]}}, token=STAFF)
    )
    assert [e["code"] for e in refused["requestReturn"]["userErrors"]] == ["ORDER_NOT_RETURNABLE"]


REORDER = """
mutation($input: ReorderInput!) {
  reorder(input: $input) {
    receipt { status order { id lines { quantity { value } product { sku } } } }
    userErrors { code }
  }
}
"""


def test_reorder_repeats_a_past_order_with_changed_quantities(gateway, catalogue):
    token = customer_token(catalogue["customers"][0]["id"])
    first, second = catalogue["products"][0]["sku"], catalogue["products"][1]["sku"]
    past = place(
        gateway, token, [{"sku": first, "quantity": "1"}, {"sku": second, "quantity": "2"}]
    )
    changed = data_of(
        graphql(
            gateway,
            REORDER,
            {
                "input": {
                    "orderId": past["receipt"]["order"]["id"],
                    "lines": [{"sku": second, "quantity": "5"}],
                }
            },
            token=token,
        )
    )["reorder"]
    assert changed["userErrors"] == []
    lines = {
        line["product"]["sku"]: Decimal(line["quantity"]["value"])
        for line in changed["receipt"]["order"]["lines"]
    }
    assert lines == {first: 1, second: 5}


COMMAND = "query($id: ID!) { command(id: $id) { status attempts kind order { number } } }"


def test_a_command_can_be_followed_by_its_submitter_only(gateway, catalogue):
    mine, theirs = catalogue["customers"][0]["id"], catalogue["customers"][1]["id"]
    receipt = place(
        gateway, customer_token(mine), [{"sku": catalogue["products"][0]["sku"], "quantity": "1"}]
    )["receipt"]
    seen = data_of(
        graphql(gateway, COMMAND, {"id": receipt["commandId"]}, token=customer_token(mine))
    )
    assert seen["command"] == {
        "status": "CONFIRMED",
        "attempts": 1,
        "kind": "PLACE_ORDER",
        "order": {"number": receipt["order"]["number"]},
    }
    other = graphql(gateway, COMMAND, {"id": receipt["commandId"]}, token=customer_token(theirs))
    assert other["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert data_of(graphql(gateway, COMMAND, {"id": receipt["commandId"]}, token=STAFF))["command"]


def test_a_mutation_the_queue_cannot_persist_is_refused_with_a_clear_error(
    odoo, catalogue, tmp_path
):

    from dataclasses import replace

    from tests.harness import odoo_settings, own_queue, running_gateway

    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the queue's folder should be")
    queue = replace(own_queue(), url=f"sqlite:///{blocked}/queue.sqlite3")
    token = customer_token(catalogue["customers"][0]["id"])
    line = {"sku": catalogue["products"][0]["sku"], "quantity": "1"}
    with running_gateway(replace(odoo_settings(odoo), queue=queue)) as gateway:
        answer = graphql(gateway, PLACE, {"input": {"lines": [line]}}, token=token)
    assert answer["data"] is None
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "QUEUE_UNAVAILABLE"
    assert "nothing was accepted" in error["message"]
    assert str(blocked) not in str(answer)


def test_mutations_and_their_outcomes_are_audited(gateway, catalogue):
    import asyncio

    from gateway.auth.audit import open_audit_log
    from tests.harness import TEST_STORE

    customer = catalogue["customers"][0]["id"]
    token = customer_token(customer)
    line = {"sku": catalogue["products"][0]["sku"], "quantity": "1"}
    receipt = place(gateway, token, [line])["receipt"]
    # Written inline, without variables: the audit still records what was ordered.
    inline = f"""mutation Inline {{ placeOrder(input: {{
        lines: [{{sku: "{line["sku"]}", quantity: "3"}}], note: "ring twice" }}) {{
        receipt {{ commandId }} }} }}"""
    assert "errors" not in graphql(gateway, inline, token=token)

    async def entries():
        log = open_audit_log(TEST_STORE)
        try:
            return await log.tail(500)
        finally:
            await log.close()

    seen = asyncio.run(entries())
    [worker] = [e for e in seen if e.variables.get("commandId") == receipt["commandId"]]
    assert (worker.operation_name, worker.outcome) == ("place_order", "confirmed")
    assert worker.customer_id == customer  # whom the worker's write was for
    subject = f"user-{customer}"
    mutations = [e for e in seen if e.operation_type == "mutation" and e.subject == subject]
    placed = next(e for e in mutations if e.operation_name == "Place")
    assert placed.outcome == "ok"
    assert placed.arguments == {"placeOrder": {"input": placed.variables["input"]}}
    [written_inline] = [e for e in mutations if e.operation_name == "Inline"]
    assert written_inline.variables == {}
    assert written_inline.arguments == {
        "placeOrder": {
            "input": {"lines": [{"sku": line["sku"], "quantity": "3"}], "note": "ring twice"}
        }
    }


def test_a_confirmed_order_refreshes_the_cached_order_list(odoo, catalogue):
    from dataclasses import replace

    from gateway.config import CacheSettings
    from tests.harness import odoo_settings, own_queue, running_gateway

    customer = catalogue["customers"][0]["id"]
    token = customer_token(customer)
    query = "{ viewer { customer { orders(first: 1) { totalCount } } } }"
    queue = own_queue(sync_wait_ms=SYNC_WAIT_MS)
    settings = replace(odoo_settings(odoo), cache=CacheSettings(), queue=queue)
    with running_gateway(settings) as cached:

        def count() -> int:
            answer = data_of(graphql(cached, query, token=token))
            return answer["viewer"]["customer"]["orders"]["totalCount"]

        before = count()
        assert count() == before  # now served from the cache
        line = {"sku": catalogue["products"][0]["sku"], "quantity": "1"}
        assert place(cached, token, [line])["receipt"]["status"] == "CONFIRMED"
        assert count() == before + 1


def test_orders_go_through_a_queue_in_redis_too(odoo, catalogue, redis_url):
    from dataclasses import replace

    from tests.harness import odoo_settings, own_queue, running_gateway

    queue = replace(own_queue(sync_wait_ms=SYNC_WAIT_MS), url=redis_url)
    token = customer_token(catalogue["customers"][0]["id"])
    line = {"sku": catalogue["products"][0]["sku"], "quantity": "1"}
    key = uuid.uuid4().hex
    with running_gateway(replace(odoo_settings(odoo), queue=queue)) as gateway:
        first = place(gateway, token, [line], idempotencyKey=key)["receipt"]
        again = place(gateway, token, [line], idempotencyKey=key)["receipt"]
    assert first["status"] == "CONFIRMED"
    assert again["commandId"] == first["commandId"]
    assert len(orders_with_reference(odoo, f"EGW-{first['commandId']}")) == 1


def test_the_mobile_place_order_operation_runs_with_a_customer_token(gateway, catalogue):
    from pathlib import Path

    root = Path(__file__).parents[2]
    operation = (root / "mobile_examples/operations/PlaceOrder.graphql").read_text()
    variables = {
        "lines": [{"sku": catalogue["products"][0]["sku"], "quantity": "1"}],
        "idempotencyKey": uuid.uuid4().hex,
    }
    token = customer_token(catalogue["customers"][0]["id"])
    payload = data_of(graphql(gateway, operation, variables, token=token))["placeOrder"]
    assert payload["userErrors"] == []
    assert payload["receipt"]["status"] == "CONFIRMED"
    assert payload["receipt"]["order"]["number"]
