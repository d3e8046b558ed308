"""What an ERP under contract brings: its ports and what its own data says.

The contract suite checks every ERP against the same properties, but the right answers
(which customers exist, which product is archived) differ per system. So each system
under test hands the suite its reader and its `ErpFacts`, taken from its own seeded data
by a way other than the adapter under test (the emulator's own API, or the tables of
an in-memory system), and the suite names no system itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from erp_backends.ports import ErpBackend


@dataclass(frozen=True, slots=True)
class Documents:
    """How many documents of each kind belong to one customer."""

    orders: int
    invoices: int
    payments: int


@dataclass(frozen=True, slots=True)
class ErpFacts:
    # Several customers and how many documents each has: those addressed to its contact
    # persons or addresses included, since they are the customer's too.
    customers: Mapping[str, Documents]
    # A company, and a contact person or address of it: a partner, not a customer itself.
    company_id: str
    contact_id: str
    # Documents addressed to that contact (one of the two may be empty, not both).
    contact_order_ids: tuple[str, ...]
    contact_invoice_ids: tuple[str, ...]
    search: tuple[str, str]  # a search text and a customer id that it finds
    order_lines: Mapping[str, tuple[str, ...]]  # orders with their line ids, in sequence
    reference: tuple[str, str]  # a customer's order reference and the order id it names
    sku: tuple[str, str]  # a product's SKU and its id
    on_hand: Mapping[str, Decimal]  # stock-tracked products by id, with their stock on hand
    untracked_product_id: str  # a sellable product that tracks no stock (a service)
    archived_product_id: str
    paid_invoice_ids: tuple[str, ...]
    unpaid_invoice_ids: tuple[str, ...]
    credit_note_ids: tuple[str, ...]  # documents the ERP keeps that are not invoices


@dataclass(frozen=True, slots=True)
class ErpUnderTest:
    reader: ErpBackend
    facts: ErpFacts
    # Contract tests this system is known to fail, by test name, with the reason: they
    # run as strict xfails, so a fix shows up as XPASS and the entry must go.
    known_faults: Mapping[str, str] = field(default_factory=dict)
