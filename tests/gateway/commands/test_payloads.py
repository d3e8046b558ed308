"""Command payloads: typed in the resolvers and the worker, JSON in the queue.

The JSON is a format kept across versions. `LEGACY` below is what the previous version's
resolvers stored, key for key and in their order: it must read back, run the same ERP
calls, and be written out again byte for byte; a retried request must keep its
idempotency fingerprint."""

import json
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from erp_backends.models import Address, AddressKind, Money, Quantity
from erp_backends.writes import DraftLine, OrderDraft, ReturnDraft
from gateway.commands.execution import execute
from gateway.commands.fields import to_json as stored_text
from gateway.commands.model import Command, CommandKind, fingerprint_of
from gateway.commands.payloads import (
    PAYLOAD_TYPES,
    CancelOrder,
    CommandPayload,
    MalformedPayload,
    PayInvoice,
    PlaceOrder,
    RequestReturn,
    payload_of,
)
from gateway.commands.queue import open_command_queue
from gateway.commands.service import CommandService, IdempotencyKeyReused

ADDRESS_JSON: dict[str, str | None] = {
    "name": "Ada Lovelace",
    "street": "Hauptstraße 1",
    "street2": None,
    "postal_code": "10115",
    "city": "Berlin",
    "region": None,
    "country_code": "DE",
}
LEGACY: dict[str, dict[str, Any]] = {
    "place_order": {
        "customer_id": "7",
        "lines": [
            {"product_id": "5", "quantity": "2.500", "unit": "KGM"},
            {"product_id": "9", "quantity": "12", "unit": "C62"},
        ],
        "note": "Lieferung bis Freitag, bitte",
        "shipping_address": ADDRESS_JSON,
    },
    "reorder": {  # a reorder is a place_order without an address
        "customer_id": "7",
        "lines": [{"product_id": "5", "quantity": "1E+1", "unit": "KGM"}],
        "note": "Reorder of S00042",
        "shipping_address": None,
    },
    "cancel_order": {"order_id": "42", "customer_id": "7", "product_ids": ["5", "9"]},
    "pay_invoice": {"invoice_id": "17", "customer_id": "7", "currency": "EUR", "amount": "119.00"},
    "request_return": {
        "order_id": "42",
        "customer_id": "7",
        "lines": [{"product_id": "5", "quantity": "0.5", "unit": "KGM"}],
        "reason": "damaged",
    },
    "return_everything": {"order_id": "42", "customer_id": "7", "lines": [], "reason": None},
}
ADDRESS = Address(
    AddressKind.SHIPPING, "Ada Lovelace", "Hauptstraße 1", None, "10115", "Berlin", None, "DE"
)
TYPED: dict[str, CommandPayload] = {
    "place_order": PlaceOrder(
        customer_id="7",
        lines=(
            DraftLine("5", Quantity(Decimal("2.500"), "KGM")),
            DraftLine("9", Quantity(Decimal("12"), "C62")),
        ),
        note="Lieferung bis Freitag, bitte",
        shipping_address=ADDRESS,
    ),
    "reorder": PlaceOrder(
        customer_id="7",
        lines=(DraftLine("5", Quantity(Decimal("1E+1"), "KGM")),),
        note="Reorder of S00042",
    ),
    "cancel_order": CancelOrder(order_id="42", customer_id="7", product_ids=("5", "9")),
    "pay_invoice": PayInvoice(
        invoice_id="17", customer_id="7", amount=Money(Decimal("119.00"), "EUR")
    ),
    "request_return": RequestReturn(
        order_id="42",
        customer_id="7",
        lines=(DraftLine("5", Quantity(Decimal("0.5"), "KGM")),),
        reason="damaged",
    ),
    "return_everything": RequestReturn(order_id="42", customer_id="7"),
}
CASES = list(LEGACY)


def command_of(kind, payload, *, fingerprint="f"):
    return Command(
        id="c1",
        kind=CommandKind(kind),
        payload=payload,
        idempotency_scope="customer:user-7",
        idempotency_key="k1",
        fingerprint=fingerprint,
        submitted_by="user-7",
        created_at=datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
    )


def test_every_kind_has_its_payload_type():
    assert set(PAYLOAD_TYPES) == set(CommandKind)
    for kind, payload_type in PAYLOAD_TYPES.items():
        assert payload_type.kind is kind


# --- Round trips and the stored format ------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_a_payload_survives_json_text_unchanged(case):
    payload = TYPED[case]
    text = json.dumps(payload.to_json())

    assert type(payload).from_json(json.loads(text)) == payload


@pytest.mark.parametrize("case", CASES)
def test_what_the_previous_version_stored_reads_as_the_typed_payload(case):
    legacy = LEGACY[case]
    kind = TYPED[case].kind

    assert payload_of(command_of(kind, legacy)) == TYPED[case]


@pytest.mark.parametrize("case", CASES)
def test_a_typed_payload_is_stored_byte_for_byte_as_before(case):
    payload, legacy = TYPED[case], LEGACY[case]

    # key for key and in the same order: the queue's stored text is the same
    assert json.dumps(payload.to_json()) == json.dumps(legacy)
    assert stored_text(payload.to_json()) == stored_text(legacy)
    assert fingerprint_of(payload.kind, payload.to_json()) == fingerprint_of(payload.kind, legacy)


@pytest.mark.parametrize(
    ("payload_type", "stored", "expected"),
    [
        (PlaceOrder, {"customer_id": "7", "lines": []}, PlaceOrder("7", ())),
        (
            PlaceOrder,
            {"customer_id": "7", "lines": [], "shipping_address": {"city": "Berlin"}},
            PlaceOrder(
                "7",
                (),
                shipping_address=Address(
                    AddressKind.SHIPPING, None, None, None, None, "Berlin", None, None
                ),
            ),
        ),
        (CancelOrder, {"order_id": "42", "customer_id": "7"}, CancelOrder("42", "7")),
        (RequestReturn, {"order_id": "42", "customer_id": "7"}, RequestReturn("42", "7")),
    ],
)
def test_keys_the_worker_always_did_without_may_be_absent(payload_type, stored, expected):
    assert payload_type.from_json(stored) == expected


# --- Malformed payloads ---------------------------------------------------------------


def place_order(**changes):
    return {**LEGACY["place_order"], **changes}


def line(**changes):
    return {"product_id": "5", "quantity": "1", "unit": "C62", **changes}


def without(case, key):
    return {name: value for name, value in LEGACY[case].items() if name != key}


@pytest.mark.parametrize(
    ("kind", "stored", "problem"),
    [
        ("place_order", without("place_order", "customer_id"), "customer_id is missing"),
        ("place_order", without("place_order", "lines"), "lines is missing"),
        ("place_order", place_order(customer_id=7), "customer_id is int, not a string"),
        ("place_order", place_order(lines={"0": line()}), "lines is dict, not a list"),
        ("place_order", place_order(lines=["5"]), "lines[0] is not an object"),
        (
            "place_order",
            place_order(lines=[line(), {"product_id": "5", "unit": "C62"}]),
            "lines[1].quantity is missing",
        ),
        (
            "place_order",
            place_order(lines=[line(quantity=2.5)]),
            "lines[0].quantity is float, not a string",
        ),
        (
            "place_order",
            place_order(lines=[line(quantity="two")]),
            "lines[0].quantity is not a finite decimal",
        ),
        (
            "place_order",
            place_order(lines=[line(quantity="NaN")]),
            "lines[0].quantity is not a finite decimal",
        ),
        ("place_order", place_order(note=["a note"]), "note is list, not a string or null"),
        (
            "place_order",
            place_order(shipping_address="Berlin"),
            "shipping_address is not an object",
        ),
        (
            "place_order",
            place_order(shipping_address={**ADDRESS_JSON, "postal_code": 10115}),
            "shipping_address.postal_code is int, not a string or null",
        ),
        (
            "cancel_order",
            {"order_id": None, "customer_id": "7", "product_ids": []},
            "order_id is null, not a string",
        ),
        (
            "cancel_order",
            {"order_id": "42", "customer_id": "7", "product_ids": [5]},
            "product_ids[0] is int, not a string",
        ),
        ("pay_invoice", without("pay_invoice", "amount"), "amount is missing"),
        ("pay_invoice", without("pay_invoice", "currency"), "currency is missing"),
        ("pay_invoice", {**LEGACY["pay_invoice"], "amount": None}, "amount is null, not a string"),
        (
            "request_return",
            {**LEGACY["request_return"], "lines": None},
            "lines is null, not a list",
        ),
        ("request_return", ["42"], "the payload is not an object"),
    ],
)
def test_a_malformed_payload_is_one_clear_error_naming_the_key(kind, stored, problem):
    with pytest.raises(MalformedPayload) as raised:
        payload_of(command_of(kind, stored))

    assert str(raised.value) == f"malformed {kind} payload: {problem}"
    assert raised.value.kind is CommandKind(kind)
    assert isinstance(raised.value, ValueError)


# --- The worker runs what the previous version stored ---------------------------------


class RecordingWriter:
    def __init__(self):
        self.calls = []

    async def place_order(self, draft):
        self.calls.append(draft)
        return SimpleNamespace(id="42", number="S00042", customer_id=draft.customer_id)

    async def cancel_order(self, order_id, reference):
        self.calls.append((order_id, reference))
        return SimpleNamespace(id=order_id, number="S00042", customer_id="7")

    async def pay_invoice(self, invoice_id, amount, reference):
        self.calls.append((invoice_id, amount, reference))
        return SimpleNamespace(id="3", number="PAY/3", customer_id="7")

    async def request_return(self, draft):
        self.calls.append(draft)
        return SimpleNamespace(id="8", number="RET/8", order_id=draft.order_id)


LINES = (
    DraftLine("5", Quantity(Decimal("2.500"), "KGM")),
    DraftLine("9", Quantity(Decimal("12"), "C62")),
)
EXPECTED_CALLS = {
    "place_order": OrderDraft("EGW-c1", "7", LINES, ADDRESS, "Lieferung bis Freitag, bitte"),
    "cancel_order": ("42", "EGW-c1"),
    "pay_invoice": ("17", Money(Decimal("119.00"), "EUR"), "EGW-c1"),
    "request_return": ReturnDraft(
        "EGW-c1", "42", (DraftLine("5", Quantity(Decimal("0.5"), "KGM")),), "damaged"
    ),
}


@pytest.mark.parametrize("kind", list(EXPECTED_CALLS))
async def test_a_command_the_previous_version_queued_makes_the_same_erp_call(kind):
    writer = RecordingWriter()

    await execute(command_of(kind, LEGACY[kind]), writer)  # type: ignore[arg-type]

    assert writer.calls == [EXPECTED_CALLS[kind]]


async def test_a_malformed_payload_never_reaches_the_erp():
    writer = RecordingWriter()
    malformed = command_of("pay_invoice", without("pay_invoice", "amount"))

    with pytest.raises(MalformedPayload):
        await execute(malformed, writer)  # type: ignore[arg-type]
    assert writer.calls == []


# --- Idempotency across an upgrade ----------------------------------------------------

# What placeOrder fingerprinted (its input, as `accepting._plain` gives it) and the
# fingerprint the previous version computed for it.
REQUEST = {
    "customer_id": None,
    "lines": [{"sku": "A-1", "quantity": Decimal("2.500"), "unit": "kg"}],
    "shipping_address": {
        **ADDRESS_JSON,
        "name": "Ada",
        "street": None,
        "postal_code": None,
        "country_code": "DE",
    },
    "note": "bitte",
}
REQUEST_FINGERPRINT = "62c9825151adf938f16412bbee21c85fc5529c7d4c17b2cf9143730cf7349ee1"


@pytest.fixture
async def service(tmp_path):
    queue = open_command_queue(f"sqlite:///{tmp_path}/queue.sqlite3")
    yield CommandService(queue, sync_wait_s=0)
    await queue.close()


async def test_a_request_keeps_its_fingerprint(service):
    command = await service.submit(
        TYPED["place_order"], request=REQUEST, scope="s", idempotency_key="k1", submitted_by="t"
    )

    assert command.fingerprint == REQUEST_FINGERPRINT
    assert command.payload == LEGACY["place_order"]


async def test_a_request_retried_after_an_upgrade_gets_the_command_queued_before(service):
    # given a command the previous version queued under key k1
    before = command_of("place_order", LEGACY["place_order"], fingerprint=REQUEST_FINGERPRINT)
    queued, _ = await service.queue.submit(before)

    # when the client retries the same request with the same key
    found = await service.earlier(
        CommandKind.PLACE_ORDER, REQUEST, scope=before.idempotency_scope, key="k1"
    )
    again = await service.submit(
        TYPED["place_order"],
        request=REQUEST,
        scope=before.idempotency_scope,
        idempotency_key="k1",
        submitted_by="user-7",
    )

    # then it is the same command, not a refusal as another request
    assert found == queued
    assert again == queued
    with pytest.raises(IdempotencyKeyReused):
        await service.earlier(
            CommandKind.PLACE_ORDER,
            {**REQUEST, "note": "other"},
            scope=before.idempotency_scope,
            key="k1",
        )
