"""What each kind of command carries: one frozen dataclass per `CommandKind`, built by
the mutation that accepts the command and read back by the worker that runs it.

The queue stores a payload as the JSON of its `to_json()`, and that JSON is a format
kept across versions: a command queued by one version is run by the next. Its shape
(keys are the ERP's own record keys; amounts and quantities decimal strings, since a
float would lose cents):

    place_order     {customer_id, lines: [LINE], note, shipping_address: ADDRESS | null}
    cancel_order    {order_id, customer_id, product_ids: [product_id]}
    pay_invoice     {invoice_id, customer_id, currency, amount}
    request_return  {order_id, customer_id, lines: [LINE], reason}

    LINE            {product_id, quantity, unit}
    ADDRESS         {name, street, street2, postal_code, city, region, country_code}

Keys the worker has always done without (note, shipping_address, product_ids, a
return's lines and reason, an address's fields) may be absent. Nothing outside this
module reads a payload's keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, ClassVar, Self, TypeAlias

from erp_backends.models import Address, AddressKind, Money, Quantity
from erp_backends.writes import DraftLine
from gateway.commands.model import Command, CommandKind

Json = dict[str, Any]


class MalformedPayload(ValueError):
    """A stored payload this version cannot read: a key missing, a value of the wrong
    type. Never the client's doing (mutations build payloads), so the worker treats it
    as any other unexpected error: retried, then DEAD for a human to look at."""

    def __init__(self, kind: CommandKind, problem: str) -> None:
        super().__init__(f"malformed {kind.value} payload: {problem}")
        self.kind = kind


@dataclass(frozen=True, slots=True)
class PlaceOrder:
    kind: ClassVar[CommandKind] = CommandKind.PLACE_ORDER

    customer_id: str
    lines: tuple[DraftLine, ...]  # quantities in each product's sales unit
    note: str | None = None
    # Always a shipping address: its kind is not stored, and reads back as SHIPPING.
    shipping_address: Address | None = None

    def to_json(self) -> Json:
        return {
            "customer_id": self.customer_id,
            "lines": [_line_json(line) for line in self.lines],
            "note": self.note,
            "shipping_address": _address_json(self.shipping_address),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        read = _Reader(cls.kind, data)
        address = read.optional_object("shipping_address")
        return cls(
            customer_id=read.text("customer_id"),
            lines=tuple(_line_of(line) for line in read.objects("lines")),
            note=read.optional_text("note"),
            shipping_address=None if address is None else _address_of(address),
        )


@dataclass(frozen=True, slots=True)
class CancelOrder:
    kind: ClassVar[CommandKind] = CommandKind.CANCEL_ORDER

    order_id: str
    customer_id: str
    product_ids: tuple[str, ...] = ()  # whose stock the cancellation gives back

    def to_json(self) -> Json:
        return {
            "order_id": self.order_id,
            "customer_id": self.customer_id,
            "product_ids": list(self.product_ids),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        read = _Reader(cls.kind, data)
        return cls(
            order_id=read.text("order_id"),
            customer_id=read.text("customer_id"),
            product_ids=read.texts("product_ids", absent_is_empty=True),
        )


@dataclass(frozen=True, slots=True)
class PayInvoice:
    kind: ClassVar[CommandKind] = CommandKind.PAY_INVOICE

    invoice_id: str
    customer_id: str
    amount: Money

    def to_json(self) -> Json:
        return {
            "invoice_id": self.invoice_id,
            "customer_id": self.customer_id,
            "currency": self.amount.currency,
            "amount": str(self.amount.amount),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        read = _Reader(cls.kind, data)
        return cls(
            invoice_id=read.text("invoice_id"),
            customer_id=read.text("customer_id"),
            amount=Money(read.decimal("amount"), read.text("currency")),
        )


@dataclass(frozen=True, slots=True)
class RequestReturn:
    kind: ClassVar[CommandKind] = CommandKind.REQUEST_RETURN

    order_id: str
    customer_id: str
    lines: tuple[DraftLine, ...] = ()  # what comes back; all the order delivered when empty
    reason: str | None = None

    def to_json(self) -> Json:
        return {
            "order_id": self.order_id,
            "customer_id": self.customer_id,
            "lines": [_line_json(line) for line in self.lines],
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        read = _Reader(cls.kind, data)
        return cls(
            order_id=read.text("order_id"),
            customer_id=read.text("customer_id"),
            lines=tuple(_line_of(line) for line in read.objects("lines", absent_is_empty=True)),
            reason=read.optional_text("reason"),
        )


CommandPayload: TypeAlias = PlaceOrder | CancelOrder | PayInvoice | RequestReturn

_PAYLOAD_TYPES: tuple[type[CommandPayload], ...] = (
    PlaceOrder,
    CancelOrder,
    PayInvoice,
    RequestReturn,
)
PAYLOAD_TYPES: Mapping[CommandKind, type[CommandPayload]] = MappingProxyType(
    {payload_type.kind: payload_type for payload_type in _PAYLOAD_TYPES}
)


def payload_of(command: Command) -> CommandPayload:
    """The command's payload, typed; MalformedPayload when it cannot be read."""
    return PAYLOAD_TYPES[command.kind].from_json(command.payload)


# --- Lines and addresses --------------------------------------------------------------

# An address as stored: the fields of `Address`, less its kind (always SHIPPING here).
_ADDRESS_KEYS = tuple(field.name for field in fields(Address) if field.name != "kind")


def _line_json(line: DraftLine) -> Json:
    quantity = line.quantity
    return {"product_id": line.product_id, "quantity": str(quantity.value), "unit": quantity.unit}


def _line_of(read: _Reader) -> DraftLine:
    return DraftLine(read.text("product_id"), Quantity(read.decimal("quantity"), read.text("unit")))


def _address_json(address: Address | None) -> Json | None:
    if address is None:
        return None
    return {key: getattr(address, key) for key in _ADDRESS_KEYS}


def _address_of(read: _Reader) -> Address:
    parts = {key: read.optional_text(key) for key in _ADDRESS_KEYS}
    return Address(AddressKind.SHIPPING, **parts)


# --- Reading JSON ---------------------------------------------------------------------

_REQUIRED: Any = object()  # a key without a default


class _Reader:
    """Typed reads of one JSON object of a payload; every failure is a MalformedPayload
    naming the key at fault, e.g. "lines[0].quantity"."""

    def __init__(self, kind: CommandKind, data: object, path: str = "") -> None:
        if not isinstance(data, Mapping):
            raise MalformedPayload(kind, f"{path or 'the payload'} is not an object")
        self._kind = kind
        self._data: Mapping[str, Any] = data
        self._path = path

    def text(self, key: str) -> str:
        value = self._value(key)
        if not isinstance(value, str):
            raise self._wrong(key, "a string", value)
        return value

    def optional_text(self, key: str) -> str | None:
        """None when absent, as when null."""
        value = self._value(key, default=None)
        if value is not None and not isinstance(value, str):
            raise self._wrong(key, "a string or null", value)
        return value

    def decimal(self, key: str) -> Decimal:
        text = self.text(key)  # a string: a JSON number may already have lost digits
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite():
            raise MalformedPayload(self._kind, f"{self._where(key)} is not a finite decimal")
        return value

    def texts(self, key: str, *, absent_is_empty: bool = False) -> tuple[str, ...]:
        items = self._list(key, absent_is_empty)
        for index, item in enumerate(items):
            if not isinstance(item, str):
                raise self._wrong(f"{key}[{index}]", "a string", item)
        return tuple(items)

    def objects(self, key: str, *, absent_is_empty: bool = False) -> tuple[_Reader, ...]:
        where = self._where(key)
        return tuple(
            _Reader(self._kind, item, f"{where}[{index}]")
            for index, item in enumerate(self._list(key, absent_is_empty))
        )

    def optional_object(self, key: str) -> _Reader | None:
        """None when absent, as when null."""
        value = self._value(key, default=None)
        return None if value is None else _Reader(self._kind, value, self._where(key))

    def _list(self, key: str, absent_is_empty: bool) -> list[Any]:
        value = self._value(key, default=[] if absent_is_empty else _REQUIRED)
        if not isinstance(value, list):
            raise self._wrong(key, "a list", value)
        return value

    def _value(self, key: str, default: Any = _REQUIRED) -> Any:
        if key in self._data:
            return self._data[key]
        if default is _REQUIRED:
            raise MalformedPayload(self._kind, f"{self._where(key)} is missing")
        return default

    def _wrong(self, key: str, expected: str, value: object) -> MalformedPayload:
        # The type only: a payload's values are customers' data, and this goes to logs.
        found = "null" if value is None else type(value).__name__
        return MalformedPayload(self._kind, f"{self._where(key)} is {found}, not {expected}")

    def _where(self, key: str) -> str:
        return f"{self._path}.{key}" if self._path else key
