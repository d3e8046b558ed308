"""A tiny ERP in memory, for the tests only: the proof that adding a backend is local.

To the gateway it is a system like any other: a `BackendKind` (name "tiny", role erp)
whose `open` returns its ports. `tiny_plugin.py` registers it, so `erp-gateway serve`
serves it with `[backends] plugins = ["tests.contracts.tiny_plugin"]` and
`kind = "tiny"`; the ERP contract suite checks it next to Odoo against `FACTS`.

Its tables hold canonical records already, so all it shows is the port's rules: batch
first, unknown keys absent, offset pages with their totals, newest first, documents of a
company's contact person belonging to the company, archived products found by id only,
stock only for products that track it, credit notes kept apart from invoices. It takes
no writes (`writer=None`): the gateway then accepts no mutations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol, TypeVar

from erp_backends.models import (
    Address,
    AddressKind,
    Customer,
    Invoice,
    InvoiceStatus,
    InvoicingStatus,
    Money,
    Order,
    OrderLine,
    OrderLineRef,
    OrderStatus,
    Payment,
    PaymentState,
    PaymentStatus,
    Product,
    Quantity,
    StockLevel,
    WarehouseStock,
)
from erp_backends.paging import Page, PageRequest
from erp_backends.registry import BackendKind, Connection, ErpPorts, Role
from tests.contracts.erp_world import Documents, ErpFacts

T = TypeVar("T")
VAT = Decimal("0.20")


def eur(amount: Decimal | str) -> Money:
    return Money(Decimal(amount).quantize(Decimal("0.01")), "EUR")


# Customers, products and stock -----------------------------------------------------


def _customer(
    key: str, name: str, reference: str, city: str, country: str, *, company: bool = True
) -> Customer:
    main = Address(AddressKind.MAIN, None, "Main Street 1", None, "1000", city, None, country)
    billing = Address(
        AddressKind.BILLING, "Accounts", "PO Box 7", None, "1000", city, None, country
    )
    return Customer(
        id=key,
        name=name,
        email=f"{reference.lower()}@example.com",
        phone=None,
        is_company=company,
        reference=reference,
        vat=f"{country}{reference}" if company else None,
        addresses=(main, billing) if company else (main,),
    )


CUSTOMERS = {
    c.id: c
    for c in (
        _customer("c1", "Acme Tools GmbH", "ACME", "Berlin", "DE"),
        _customer("c2", "Bianca Rossi", "ROSSI", "Roma", "IT", company=False),
        _customer("c3", "Chen Trading Ltd", "CHEN", "London", "GB"),
        _customer("c4", "Dubois SARL", "DUBOIS", "Lyon", "FR"),  # a customer without documents
    )
}
# A company's contact person is a partner, not a customer: what she orders is the company's.
ACCOUNT_OF = {"c1-jana": "c1"} | {key: key for key in CUSTOMERS}

PRODUCTS = {
    p.id: p
    for p in (
        Product("p1", "BOLT-M8", "Hex bolt M8", "4006381333931", eur("0.40"), "C62", True),
        Product("p2", "NUT-M8", "Hex nut M8", None, eur("0.10"), "C62", True),
        Product("p3", "FIT-HOUR", "Fitting, per hour", None, eur("65"), "HUR", False),
        # Archived: no longer sold, but still on old orders' lines.
        Product("p4", "BOLT-M6", "Hex bolt M6", None, eur("0.35"), "C62", True, sellable=False),
    )
}

ARCHIVED = {key for key, p in PRODUCTS.items() if not p.sellable}

# product, warehouse code and name, on hand, reserved
_STOCK_ROWS = (
    ("p1", "MAIN", "Main warehouse", 1200, 200),
    ("p1", "NORTH", "North depot", 300, 0),
    ("p2", "MAIN", "Main warehouse", 800, 50),
)


def _stock(product_id: str) -> StockLevel:
    unit = PRODUCTS[product_id].sales_unit
    warehouses = tuple(
        WarehouseStock(code, name, Quantity(Decimal(on_hand), unit), Quantity(Decimal(held), unit))
        for key, code, name, on_hand, held in _STOCK_ROWS
        if key == product_id
    )
    return StockLevel(product_id, unit, warehouses)


STOCK = {row[0]: _stock(row[0]) for row in _STOCK_ROWS}

# Orders, invoices, payments ----------------------------------------------------------

# id, addressed to, ordered on, status, the customer's reference, lines (product, quantity)
_ORDER_ROWS = (
    ("o1", "c1", "2026-01-10", OrderStatus.DONE, None, (("p1", 100), ("p2", 100))),
    ("o2", "c1-jana", "2026-02-14", OrderStatus.CONFIRMED, "PO-4711", (("p3", 2), ("p1", 500))),
    ("o3", "c1", "2026-03-01", OrderStatus.QUOTATION, None, (("p2", 50),)),
    ("o4", "c2", "2025-11-20", OrderStatus.DONE, None, (("p4", 40),)),
    ("o5", "c3", "2026-01-20", OrderStatus.DONE, "SHOP-1001", (("p1", 10),)),
)
# id, order, issued on
_INVOICE_ROWS = (
    ("i1", "o1", "2026-01-12"),
    ("i2", "o2", "2026-02-20"),
    ("i3", "o4", "2025-11-25"),
    ("i4", "o5", "2026-01-21"),
)
# A credit note is a document of the ERP, but no invoice: the ports never show it.
CREDIT_NOTES = {"r1": ("o5", "2026-02-02")}
# id, invoice, paid on, amount (None: all of it)
_PAYMENT_ROWS = (
    ("pay1", "i1", "2026-01-30", None),
    ("pay2", "i2", "2026-03-05", "100.00"),
    ("pay3", "i4", "2026-01-21", None),
)


def _number(prefix: str, key: str) -> str:
    return f"{prefix}-{key.lstrip('abcdefghijklmnopqrstuvwxyz').zfill(4)}"  # "o2" -> "SO-0002"


def _line(order_id: str, n: int, product_id: str, count: int, invoiced: bool) -> OrderLine:
    product = PRODUCTS[product_id]
    quantity = Quantity(Decimal(count), product.sales_unit)
    done = quantity if invoiced else Quantity(Decimal(0), product.sales_unit)
    subtotal = eur(product.list_price.amount * count)
    return OrderLine(
        id=f"{order_id}-{n}",
        order_id=order_id,
        product_id=product_id,
        description=product.name,
        quantity=quantity,
        delivered=done,
        invoiced=done,
        unit_price=product.list_price,
        discount_percent=Decimal(0),
        subtotal=subtotal,
        total=eur(subtotal.amount * (1 + VAT)),
    )


def _order(
    key: str,
    partner: str,
    day: str,
    status: OrderStatus,
    reference: str | None,
    rows: tuple[tuple[str, int], ...],
) -> tuple[Order, tuple[OrderLine, ...]]:
    invoice_ids = tuple(i for i, order, _ in _INVOICE_ROWS if order == key)
    lines = tuple(_line(key, n, *row, bool(invoice_ids)) for n, row in enumerate(rows, 1))
    untaxed = sum((line.subtotal.amount for line in lines), Decimal(0))
    total = sum((line.total.amount for line in lines), Decimal(0))
    if invoice_ids:
        invoicing = InvoicingStatus.INVOICED
    elif status is OrderStatus.CONFIRMED:
        invoicing = InvoicingStatus.TO_INVOICE
    else:
        invoicing = InvoicingStatus.NOTHING_TO_INVOICE
    order = Order(
        id=key,
        number=_number("SO", key),
        customer_id=ACCOUNT_OF[partner],
        status=status,
        invoicing_status=invoicing,
        ordered_at=datetime.fromisoformat(f"{day}T10:00:00+00:00"),
        customer_reference=reference,
        untaxed=eur(untaxed),
        tax=eur(total - untaxed),
        total=eur(total),
        invoice_ids=invoice_ids,
    )
    return order, lines


_BUILT = [_order(*row) for row in _ORDER_ROWS]
ORDERS = {order.id: order for order, _ in _BUILT}
LINES = {order.id: lines for order, lines in _BUILT}


def _payment(key: str, invoice_id: str, paid_on: str, amount: str | None) -> Payment:
    order = ORDERS[next(order for i, order, _ in _INVOICE_ROWS if i == invoice_id)]
    return Payment(
        id=key,
        number=_number("PAY", key),
        customer_id=order.customer_id,
        state=PaymentState.PAID,
        paid_on=date.fromisoformat(paid_on),
        amount=eur(amount or order.total.amount),
        method="bank transfer",
        memo=_number("INV", invoice_id),
        invoice_ids=(invoice_id,),
    )


PAYMENTS = {row[0]: _payment(*row) for row in _PAYMENT_ROWS}


def _invoice(key: str, order_id: str, issued: str) -> Invoice:
    order = ORDERS[order_id]
    paid = sum((p.amount.amount for p in PAYMENTS.values() if key in p.invoice_ids), Decimal(0))
    if not paid:
        status = PaymentStatus.NOT_PAID
    else:
        status = PaymentStatus.PAID if paid >= order.total.amount else PaymentStatus.PARTIAL
    issued_on = date.fromisoformat(issued)
    return Invoice(
        id=key,
        number=_number("INV", key),
        customer_id=order.customer_id,
        status=InvoiceStatus.POSTED,
        payment_status=status,
        issued_on=issued_on,
        due_on=issued_on + timedelta(days=30),
        origin=order.number,
        untaxed=order.untaxed,
        tax=order.tax,
        total=order.total,
        amount_due=eur(order.total.amount - paid),
    )


INVOICES = {row[0]: _invoice(*row) for row in _INVOICE_ROWS}

# Lists per customer come newest first: sorted once here, filtered per call.
_NEWEST_ORDERS = sorted(ORDERS.values(), key=lambda o: (o.ordered_at, o.id), reverse=True)
_NEWEST_INVOICES = sorted(
    INVOICES.values(), key=lambda i: (i.issued_on or date.min, i.id), reverse=True
)
_NEWEST_PAYMENTS = sorted(PAYMENTS.values(), key=lambda p: (p.paid_on, p.id), reverse=True)


# The port --------------------------------------------------------------------------


class TinyErp:
    """The ErpBackend port over the tables above."""

    async def get_customers(self, ids: Sequence[str]) -> Mapping[str, Customer]:
        return _pick(CUSTOMERS, ids)

    async def search_customers(self, search: str | None, page: PageRequest) -> Page[Customer]:
        found = [c for c in CUSTOMERS.values() if _matches(search, c.name, c.email, c.reference)]
        return Page.slice(sorted(found, key=lambda c: (c.name, c.id)), page)

    async def get_orders(self, ids: Sequence[str]) -> Mapping[str, Order]:
        return _pick(ORDERS, ids)

    async def orders_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[Order]]:
        return _pages(_NEWEST_ORDERS, customer_ids, page)

    async def orders_by_reference(self, references: Sequence[str]) -> Mapping[str, Order]:
        by_reference = {o.customer_reference: o for o in ORDERS.values() if o.customer_reference}
        return _pick(by_reference, references)

    async def lines_for_orders(self, order_ids: Sequence[str]) -> Mapping[str, Sequence[OrderLine]]:
        return _pick(LINES, order_ids)

    async def line_refs_for_orders(
        self, order_ids: Sequence[str]
    ) -> Mapping[str, Sequence[OrderLineRef]]:
        return _pick(LINES, order_ids)  # in memory, a whole line costs no more

    async def get_products(self, ids: Sequence[str]) -> Mapping[str, Product]:
        return _pick(PRODUCTS, ids)  # archived ones too: old order lines name them

    async def products_by_sku(self, skus: Sequence[str]) -> Mapping[str, Product]:
        return _pick({p.sku: p for p in PRODUCTS.values() if p.sku}, skus)

    async def search_products(self, search: str | None, page: PageRequest) -> Page[Product]:
        found = [p for p in PRODUCTS.values() if p.sellable and _matches(search, p.name, p.sku)]
        return Page.slice(sorted(found, key=lambda p: (p.sku or "", p.id)), page)

    async def stock_for_products(self, product_ids: Sequence[str]) -> Mapping[str, StockLevel]:
        return _pick(STOCK, product_ids)

    async def get_invoices(self, ids: Sequence[str]) -> Mapping[str, Invoice]:
        return _pick(INVOICES, ids)

    async def invoices_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[Invoice]]:
        return _pages(_NEWEST_INVOICES, customer_ids, page)

    async def get_payments(self, ids: Sequence[str]) -> Mapping[str, Payment]:
        return _pick(PAYMENTS, ids)

    async def payments_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[Payment]]:
        return _pages(_NEWEST_PAYMENTS, customer_ids, page)

    async def payments_for_invoices(
        self, invoice_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Payment]]:
        return {
            key: tuple(p for p in PAYMENTS.values() if key in p.invoice_ids)
            for key in invoice_ids
            if key in INVOICES
        }


class _Owned(Protocol):
    @property
    def customer_id(self) -> str: ...


OwnedT = TypeVar("OwnedT", bound=_Owned)


def _pick(table: Mapping[str, T], keys: Sequence[str]) -> dict[str, T]:
    """The records of the keys the table has; an unknown key is simply absent."""
    return {key: table[key] for key in keys if key in table}


def _pages(
    newest_first: Sequence[OwnedT], customer_ids: Sequence[str], page: PageRequest
) -> dict[str, Page[OwnedT]]:
    """The same page of each customer's records (empty for a customer it does not know)."""
    if not customer_ids:
        return {}
    return {
        key: Page.slice([r for r in newest_first if r.customer_id == key], page)
        for key in customer_ids
    }


def _matches(search: str | None, *fields: str | None) -> bool:
    """Contains `search`, case-insensitively, in any field (everything when None)."""
    return not search or any(search.casefold() in f.casefold() for f in fields if f)


# The system ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TinyOptions:
    """`[backends.erp]` takes no keys of its own for the tiny ERP: `url` and
    `credentials_env`, which every system takes, it leaves unused."""


def open_tiny(connection: Connection, options: TinyOptions) -> ErpPorts:
    return ErpPorts(reader=TinyErp())


KIND: BackendKind[TinyOptions, ErpPorts] = BackendKind(
    name="tiny", title="Tiny ERP", role=Role.ERP, options=TinyOptions, open=open_tiny
)

# What the tables above say, written out by hand: the contract suite checks the port's
# answers against these, not against the port's own reading of the tables.
FACTS = ErpFacts(
    customers={
        "c1": Documents(orders=3, invoices=2, payments=2),
        "c2": Documents(orders=1, invoices=1, payments=0),
        "c3": Documents(orders=1, invoices=1, payments=1),
        "c4": Documents(orders=0, invoices=0, payments=0),
    },
    company_id="c1",
    contact_id="c1-jana",
    contact_order_ids=("o2",),
    contact_invoice_ids=("i2",),
    search=("acme", "c1"),
    order_lines={"o1": ("o1-1", "o1-2"), "o2": ("o2-1", "o2-2"), "o4": ("o4-1",)},
    reference=("PO-4711", "o2"),
    sku=("BOLT-M8", "p1"),
    on_hand={"p1": Decimal(1500), "p2": Decimal(800)},
    untracked_product_id="p3",
    archived_product_id="p4",
    paid_invoice_ids=("i1", "i4"),
    unpaid_invoice_ids=("i3",),
    credit_note_ids=tuple(CREDIT_NOTES),
)
