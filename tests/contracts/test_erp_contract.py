"""The ErpBackend contract: what every ERP must do behind the gateway.

Each test runs on every system under contract (see conftest.py), against the facts of
that system's own data (`erp.facts`), so a new ERP adapter counts as done when it passes
this file. What one adapter does in its own way (how many calls it makes, which id
spellings it accepts) is tested next to that adapter.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from erp_backends.models import AddressKind, PaymentStatus
from erp_backends.paging import MAX_PAGE_SIZE, Page, PageRequest
from tests.contracts.erp_world import ErpUnderTest

# Ids no system has: a number far past any seed, and a word.
UNKNOWN = ("987654321", "no-such-record")

FetchPages = Callable[[Sequence[str], PageRequest], Awaitable[Mapping[str, Page[Any]]]]
Search = Callable[[str | None, PageRequest], Awaitable[Page[Any]]]


async def every_page(fetch: FetchPages, keys: Sequence[str], size: int) -> dict[str, list[Any]]:
    """Each key's whole list, read page after page of `size`, checking on the way that
    the pages follow each other: each starts where the last ended, is as full as the
    total allows, and every page tells the same total."""
    items: dict[str, list[Any]] = {key: [] for key in keys}
    totals: dict[str, int] = {}
    offset = 0
    while offset == 0 or offset < max(totals.values()):
        pages = await fetch(keys, PageRequest(offset, size))
        assert set(pages) <= set(keys), "answers name only the keys asked"
        for key in keys:
            page = pages.get(key, Page((), offset, 0))
            assert page.total is not None, "a page asked with its count has its total"
            total = totals.setdefault(key, page.total)
            assert (page.offset, page.total) == (offset, total), f"{key} at {offset}"
            assert len(page.items) == max(0, min(size, total - offset)), f"{key} at {offset}"
            items[key].extend(page.items)
        offset += size
    for key, found in items.items():
        assert len({item.id for item in found}) == len(found) == totals[key], key
    return items


def search_pages(search: Search, text: str | None) -> FetchPages:
    """A search as a fetch of pages under one key, for `every_page`."""

    async def fetch(keys: Sequence[str], page: PageRequest) -> Mapping[str, Page[Any]]:
        return {keys[0]: await search(text, page)}

    return fetch


def smaller(total: int) -> int:
    """A page size that splits `total` items into about six pages, at page boundaries
    other than MAX_PAGE_SIZE's."""
    return min(MAX_PAGE_SIZE - 1, max(1, -(-total // 6)))


def ids(records: Sequence[Any]) -> list[str]:
    return [record.id for record in records]


def newest_first(dates: Sequence[date | datetime | None]) -> bool:
    known = [d for d in dates if d is not None]
    return known == sorted(known, reverse=True)


# Records by id ----------------------------------------------------------------------


async def test_records_by_id_leave_out_unknown_ids(erp: ErpUnderTest) -> None:
    facts, reader = erp.facts, erp.reader
    invoice_ids = [*facts.paid_invoice_ids, *facts.unpaid_invoice_ids]
    payments = await reader.payments_for_invoices(facts.paid_invoice_ids)
    asked: list[tuple[Callable[[Sequence[str]], Awaitable[Mapping[str, Any]]], list[str]]] = [
        (reader.get_customers, list(facts.customers)),
        (reader.get_orders, list(facts.order_lines)),
        (reader.get_products, [facts.sku[1], facts.untracked_product_id]),
        (reader.get_invoices, invoice_ids),
        (reader.get_payments, sorted({p.id for found in payments.values() for p in found})),
    ]
    for get, known in asked:
        assert known, get.__name__
        found = await get([UNKNOWN[0], *known, UNKNOWN[1]])
        assert set(found) == set(known), get.__name__
        assert all(record.id == key for key, record in found.items()), get.__name__


async def test_empty_input_gives_empty_answers(erp: ErpUnderTest) -> None:
    reader, page = erp.reader, PageRequest(0, 10)
    for get in (
        reader.get_customers,
        reader.get_orders,
        reader.orders_by_reference,
        reader.lines_for_orders,
        reader.get_products,
        reader.products_by_sku,
        reader.stock_for_products,
        reader.get_invoices,
        reader.get_payments,
        reader.payments_for_invoices,
    ):
        assert await get([]) == {}, get.__name__
    for pages in (
        reader.orders_for_customers,
        reader.invoices_for_customers,
        reader.payments_for_customers,
    ):
        assert await pages([], page) == {}, pages.__name__


async def test_lists_of_unknown_keys_are_empty(erp: ErpUnderTest) -> None:
    # Absent or empty: the loaders read both as "nothing"; a key nobody asked for is wrong.
    reader, page = erp.reader, PageRequest(0, 10)
    for pages in (
        reader.orders_for_customers,
        reader.invoices_for_customers,
        reader.payments_for_customers,
    ):
        found = await pages(UNKNOWN, page)
        assert set(found) <= set(UNKNOWN), pages.__name__
        assert all(p.items == () and p.total == 0 for p in found.values()), pages.__name__
    for groups in (reader.lines_for_orders, reader.payments_for_invoices):
        grouped: Mapping[str, Sequence[Any]] = await groups(UNKNOWN)
        assert set(grouped) <= set(UNKNOWN), groups.__name__
        assert all(len(group) == 0 for group in grouped.values()), groups.__name__


# Customers --------------------------------------------------------------------------


async def test_customers_come_with_their_main_address_first(erp: ErpUnderTest) -> None:
    found = await erp.reader.get_customers(list(erp.facts.customers))
    for customer in found.values():
        assert customer.addresses, customer.id
        assert customer.addresses[0].kind is AddressKind.MAIN, customer.id
        for address in customer.addresses:
            code = address.country_code
            assert code is None or (len(code) == 2 and code.isupper()), customer.id


async def test_a_contact_is_no_customer_and_its_documents_are_its_companys(
    erp: ErpUnderTest,
) -> None:
    facts, reader = erp.facts, erp.reader
    assert facts.contact_order_ids or facts.contact_invoice_ids
    found = await reader.get_customers([facts.company_id, facts.contact_id])
    assert list(found) == [facts.company_id]
    assert found[facts.company_id].is_company
    orders = await reader.get_orders(facts.contact_order_ids)
    invoices = await reader.get_invoices(facts.contact_invoice_ids)
    assert set(orders) == set(facts.contact_order_ids)
    assert set(invoices) == set(facts.contact_invoice_ids)
    owners = {o.customer_id for o in orders.values()} | {i.customer_id for i in invoices.values()}
    assert owners == {facts.company_id}
    company = [facts.company_id]
    all_orders = await every_page(reader.orders_for_customers, company, MAX_PAGE_SIZE)
    all_invoices = await every_page(reader.invoices_for_customers, company, MAX_PAGE_SIZE)
    assert set(orders) <= set(ids(all_orders[facts.company_id]))
    assert set(invoices) <= set(ids(all_invoices[facts.company_id]))
    everyone = await every_page(search_pages(reader.search_customers, None), ["*"], MAX_PAGE_SIZE)
    assert facts.contact_id not in ids(everyone["*"])
    assert facts.company_id in ids(everyone["*"])


async def test_customer_search_matches_name_email_or_reference_in_any_case(
    erp: ErpUnderTest,
) -> None:
    text, expected = erp.facts.search
    found = (
        await every_page(search_pages(erp.reader.search_customers, text), ["*"], MAX_PAGE_SIZE)
    )["*"]
    assert expected in ids(found)
    for customer in found:
        fields = (customer.name, customer.email or "", customer.reference or "")
        assert any(text.casefold() in field.casefold() for field in fields), customer


@pytest.mark.parametrize("search", ["search_customers", "search_products"])
async def test_search_pages_follow_each_other_without_overlap_or_gap(
    erp: ErpUnderTest, search: str
) -> None:
    fetch = search_pages(getattr(erp.reader, search), None)
    whole = (await every_page(fetch, ["*"], MAX_PAGE_SIZE))["*"]
    assert len(whole) > 1
    assert ids((await every_page(fetch, ["*"], smaller(len(whole))))["*"]) == ids(whole)
    past_the_end = (await fetch(["*"], PageRequest(len(whole) + 5, 10)))["*"]
    assert (past_the_end.items, past_the_end.total) == ((), len(whole))


@pytest.mark.parametrize("search", ["search_customers", "search_products"])
async def test_a_search_page_of_no_items_still_counts_the_whole_list(
    erp: ErpUnderTest, search: str
) -> None:
    # `first: 0` asks for a count alone; a page of more than its limit breaks paging.
    searching: Search = getattr(erp.reader, search)
    total = (await searching(None, PageRequest(0, 1))).total
    page = await searching(None, PageRequest(0, 0))
    assert (len(page.items), page.total) == (0, total)


# Orders, invoices, payments per customer ----------------------------------------------

DOCUMENTS = {
    # the kind, its list per customer, by id, its date
    "orders": ("orders_for_customers", "get_orders", "ordered_at"),
    "invoices": ("invoices_for_customers", "get_invoices", "issued_on"),
    "payments": ("payments_for_customers", "get_payments", "paid_on"),
}


@pytest.mark.parametrize("kind", DOCUMENTS)
async def test_documents_of_several_customers_are_theirs_newest_first(
    erp: ErpUnderTest, kind: str
) -> None:
    listing, by_id, dated = DOCUMENTS[kind]
    fetch: FetchPages = getattr(erp.reader, listing)
    customers = list(erp.facts.customers)
    keys = [*customers, UNKNOWN[0]]
    whole = await every_page(fetch, keys, MAX_PAGE_SIZE)
    assert whole[UNKNOWN[0]] == []
    for customer, documents in erp.facts.customers.items():
        found = whole[customer]
        assert len(found) == getattr(documents, kind), customer
        assert {d.customer_id for d in found} <= {customer}
        assert newest_first([getattr(d, dated) for d in found]), customer
    biggest = max(len(found) for found in whole.values())
    assert biggest > 1, "the facts name no customer with several documents"
    paged = await every_page(fetch, keys, smaller(biggest))
    assert {k: ids(v) for k, v in paged.items()} == {k: ids(v) for k, v in whole.items()}
    everything = {d.id: d for found in whole.values() for d in found}
    assert await getattr(erp.reader, by_id)(list(everything)) == everything


async def test_lines_come_grouped_per_order_in_sequence(erp: ErpUnderTest) -> None:
    expected = erp.facts.order_lines
    lines = await erp.reader.lines_for_orders([*expected, UNKNOWN[0]])
    orders = await erp.reader.get_orders(list(expected))
    assert set(lines) <= {*expected, UNKNOWN[0]}
    assert len(lines.get(UNKNOWN[0], ())) == 0
    for order_id, line_ids in expected.items():
        found = lines[order_id]
        assert ids(found) == list(line_ids), order_id
        assert {line.order_id for line in found} == {order_id}
        untaxed = orders[order_id].untaxed
        assert {line.subtotal.currency for line in found} == {untaxed.currency}
        assert sum((line.subtotal.amount for line in found), Decimal(0)) == untaxed.amount


async def test_line_references_are_the_lines_as_far_as_order_and_product(
    erp: ErpUnderTest,
) -> None:
    asked = [*erp.facts.order_lines, UNKNOWN[0]]
    whole = await erp.reader.lines_for_orders(asked)
    references = await erp.reader.line_refs_for_orders(asked)
    assert set(references) == set(whole)
    for order_id, lines in whole.items():
        expected = [(line.id, line.order_id, line.product_id) for line in lines]
        found = [(ref.id, ref.order_id, ref.product_id) for ref in references[order_id]]
        assert found == expected, order_id
    assert any(ref.product_id for found in references.values() for ref in found)


async def test_orders_by_reference_match_exactly(erp: ErpUnderTest) -> None:
    reference, order_id = erp.facts.reference
    near = {reference.lower(), reference.upper(), reference[:-1], f"{reference} "} - {reference}
    found = await erp.reader.orders_by_reference([reference, *near, "NO-SUCH-REFERENCE"])
    assert list(found) == [reference]
    assert found[reference].id == order_id
    assert found[reference].customer_reference == reference


# Products and stock -----------------------------------------------------------------


async def test_products_by_sku_match_exactly(erp: ErpUnderTest) -> None:
    sku, product_id = erp.facts.sku
    near = {sku.lower(), sku.upper(), sku[:-1], f"{sku} ", f"{sku}X"} - {sku}
    found = await erp.reader.products_by_sku([sku, *near])
    assert list(found) == [sku]
    assert (found[sku].id, found[sku].sku) == (product_id, sku)
    assert (await erp.reader.get_products([product_id]))[product_id] == found[sku]


async def test_archived_products_are_found_by_id_but_not_by_search(erp: ErpUnderTest) -> None:
    archived_id = erp.facts.archived_product_id
    sku, sellable_id = erp.facts.sku
    archived = (await erp.reader.get_products([archived_id]))[archived_id]
    assert not archived.sellable
    assert (await erp.reader.get_products([sellable_id]))[sellable_id].sellable
    fetch = search_pages(erp.reader.search_products, None)
    found = (await every_page(fetch, ["*"], MAX_PAGE_SIZE))["*"]
    assert all(product.sellable for product in found)
    offered = ids(found)
    assert archived_id not in offered
    assert sellable_id in offered
    if archived.sku:
        by_sku = await erp.reader.search_products(archived.sku, PageRequest(0, MAX_PAGE_SIZE))
        assert archived_id not in ids(by_sku.items)
    by_sku = await erp.reader.search_products(sku, PageRequest(0, MAX_PAGE_SIZE))
    assert sellable_id in ids(by_sku.items)


async def test_stock_only_for_products_that_track_it(erp: ErpUnderTest) -> None:
    on_hand, untracked = erp.facts.on_hand, erp.facts.untracked_product_id
    assert any(on_hand.values()), "the facts name no product in stock"
    products = await erp.reader.get_products([*on_hand, untracked])
    assert all(products[key].tracks_stock for key in on_hand)
    assert not products[untracked].tracks_stock
    stock = await erp.reader.stock_for_products([*on_hand, untracked, *UNKNOWN])
    assert set(stock) <= set(on_hand)
    for key, expected in on_hand.items():
        level = stock.get(key)
        assert (level.on_hand.value if level else Decimal(0)) == expected, key
        if level is not None:
            assert (level.product_id, level.unit) == (key, products[key].sales_unit)
            for warehouse in level.warehouses:
                assert warehouse.on_hand.unit == warehouse.reserved.unit == level.unit


# Invoices and payments --------------------------------------------------------------


async def test_credit_notes_are_not_invoices(erp: ErpUnderTest) -> None:
    assert erp.facts.credit_note_ids
    assert await erp.reader.get_invoices(erp.facts.credit_note_ids) == {}


async def test_payments_settle_their_invoices(erp: ErpUnderTest) -> None:
    paid, unpaid = erp.facts.paid_invoice_ids, erp.facts.unpaid_invoice_ids
    invoices = await erp.reader.get_invoices([*paid, *unpaid])
    payments = await erp.reader.payments_for_invoices([*paid, *unpaid, UNKNOWN[0]])
    assert len(payments.get(UNKNOWN[0], ())) == 0
    for key in paid:
        invoice = invoices[key]
        assert invoice.payment_status is PaymentStatus.PAID
        assert invoice.amount_due.amount == 0
        assert payments[key], f"paid invoice {key} without payments"
        for payment in payments[key]:
            assert key in payment.invoice_ids
            assert payment.customer_id == invoice.customer_id
            assert payment.amount.currency == invoice.total.currency
    for key in unpaid:
        invoice = invoices[key]
        assert invoice.payment_status is PaymentStatus.NOT_PAID
        assert invoice.amount_due == invoice.total
        assert len(payments.get(key, ())) == 0
    settled = {p.id: p for found in payments.values() for p in found}
    assert await erp.reader.get_payments(list(settled)) == settled
