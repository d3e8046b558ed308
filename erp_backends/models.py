"""The canonical model: plain, frozen records that every adapter produces.

GraphQL types are built from these records, the cache stores them, and nothing
above `erp_backends` sees a backend's native shapes. Ids are strings: each adapter
chooses its own native key (Odoo's integer id, ERPNext's document name) and keeps it
stable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in an ISO 4217 currency, exact to the currency's minor unit."""

    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Quantity:
    """An amount of something in a unit of measure (a UN/ECE Recommendation 20 code)."""

    value: Decimal
    unit: str


class AddressKind(Enum):
    MAIN = "main"
    BILLING = "billing"
    SHIPPING = "shipping"


@dataclass(frozen=True, slots=True)
class Address:
    kind: AddressKind
    name: str | None
    street: str | None
    street2: str | None
    postal_code: str | None
    city: str | None
    region: str | None  # ISO 3166-2 subdivision code, e.g. "US-CA"
    country_code: str | None  # ISO 3166-1 alpha-2


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    name: str
    email: str | None
    phone: str | None
    is_company: bool
    reference: str | None
    vat: str | None
    addresses: tuple[Address, ...]


class OrderStatus(Enum):
    QUOTATION = "quotation"
    QUOTATION_SENT = "quotation_sent"
    CONFIRMED = "confirmed"
    DONE = "done"
    CANCELLED = "cancelled"


class InvoicingStatus(Enum):
    NOTHING_TO_INVOICE = "nothing_to_invoice"
    TO_INVOICE = "to_invoice"
    INVOICED = "invoiced"
    UPSELLING = "upselling"


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    number: str
    customer_id: str
    status: OrderStatus
    invoicing_status: InvoicingStatus
    ordered_at: datetime
    customer_reference: str | None
    untaxed: Money
    tax: Money
    total: Money
    invoice_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OrderLineRef:
    """An order line as far as its order and product: all a query that selects nothing
    of the lines but their products needs (`ErpBackend.line_refs_for_orders`).

    `product` is the product itself where the backend read it with the line (one call
    instead of two, one after the other); None where it did not, and the product is
    read by `product_id`."""

    id: str
    order_id: str
    product_id: str | None
    product: Product | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class OrderLine(OrderLineRef):
    description: str
    quantity: Quantity
    delivered: Quantity
    invoiced: Quantity
    unit_price: Money
    discount_percent: Decimal
    subtotal: Money
    total: Money


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    sku: str | None
    name: str
    barcode: str | None
    list_price: Money
    sales_unit: str
    tracks_stock: bool
    # Whether it can be ordered now: false for a product archived or not for sale in the
    # ERP (still found by id and SKU, since old orders' lines name it).
    sellable: bool = True


@dataclass(frozen=True, slots=True)
class WarehouseStock:
    warehouse_code: str
    warehouse_name: str
    on_hand: Quantity
    reserved: Quantity

    @property
    def available(self) -> Quantity:
        return Quantity(self.on_hand.value - self.reserved.value, self.on_hand.unit)


@dataclass(frozen=True, slots=True)
class StockLevel:
    """A product's stock in each warehouse, all in the product's stock unit."""

    product_id: str
    unit: str
    warehouses: tuple[WarehouseStock, ...]

    @property
    def on_hand(self) -> Quantity:
        return Quantity(sum((w.on_hand.value for w in self.warehouses), Decimal(0)), self.unit)

    @property
    def reserved(self) -> Quantity:
        return Quantity(sum((w.reserved.value for w in self.warehouses), Decimal(0)), self.unit)

    @property
    def available(self) -> Quantity:
        return Quantity(self.on_hand.value - self.reserved.value, self.unit)


class InvoiceStatus(Enum):
    DRAFT = "draft"
    POSTED = "posted"
    CANCELLED = "cancelled"


class PaymentStatus(Enum):
    NOT_PAID = "not_paid"
    IN_PAYMENT = "in_payment"
    PAID = "paid"
    PARTIAL = "partial"
    REVERSED = "reversed"
    BLOCKED = "blocked"
    LEGACY = "legacy"


@dataclass(frozen=True, slots=True)
class Invoice:
    id: str
    number: str
    customer_id: str
    status: InvoiceStatus
    payment_status: PaymentStatus
    issued_on: date | None
    due_on: date | None
    origin: str | None  # the number of the order it invoices, when known
    untaxed: Money
    tax: Money
    total: Money
    amount_due: Money


class PaymentState(Enum):
    DRAFT = "draft"
    IN_PROCESS = "in_process"
    PAID = "paid"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Payment:
    id: str
    number: str
    customer_id: str
    state: PaymentState
    paid_on: date
    amount: Money
    method: str | None
    memo: str | None
    invoice_ids: tuple[str, ...]


# CRM -------------------------------------------------------------------------------


class LifecycleStage(Enum):
    SUBSCRIBER = "subscriber"
    LEAD = "lead"
    MARKETING_QUALIFIED_LEAD = "marketing_qualified_lead"
    SALES_QUALIFIED_LEAD = "sales_qualified_lead"
    OPPORTUNITY = "opportunity"
    CUSTOMER = "customer"
    EVANGELIST = "evangelist"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class AccountManager:
    name: str
    email: str | None


@dataclass(frozen=True, slots=True)
class Deal:
    id: str
    name: str
    stage: str  # the CRM's own pipeline stage, e.g. "appointmentscheduled"
    amount: Money | None
    closes_on: date | None


@dataclass(frozen=True, slots=True)
class CrmProfile:
    """What the CRM knows of a customer, found by the identity link (email by default)."""

    id: str  # the CRM's contact id
    email: str
    company_name: str | None
    account_manager: AccountManager | None
    lifecycle_stage: LifecycleStage | None
    last_activity_at: datetime | None
    open_deals: tuple[Deal, ...]


# Shop ------------------------------------------------------------------------------


class ShopOrderStatus(Enum):
    PENDING = "pending"
    PROCESSING = "processing"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    FAILED = "failed"
    DRAFT = "draft"


@dataclass(frozen=True, slots=True)
class ShopCustomer:
    id: str
    email: str
    first_name: str | None
    last_name: str | None
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class ShopOrder:
    id: str
    number: str  # what the shop shows the customer, e.g. "1234"
    status: ShopOrderStatus
    created_at: datetime
    total: Money
    customer_id: str | None  # the shop customer, None for a guest checkout
    email: str | None  # the billing email


@dataclass(frozen=True, slots=True)
class ShopListing:
    """A product as the shop lists it."""

    id: str
    sku: str
    name: str
    published: bool
    price: Money
    listed_stock: Decimal | None  # None when the shop does not track the product's stock
