"""The ShopBackend contract: what every web shop must do behind the gateway.

Each test runs on every registered shop (see conftest.py), against the facts of that
system's own data (`shop.facts`), so a new shop adapter counts as done when it passes
this file. How many calls an adapter makes, and how it maps its statuses, are tested next
to that adapter.
"""

from __future__ import annotations

from collections.abc import Sequence

from erp_backends.models import ShopOrder
from erp_backends.paging import MAX_PAGE_SIZE, Page, PageRequest
from tests.contracts.shop_world import ShopUnderTest

# Keys no shop has: a number far past any seed, and a word.
UNKNOWN = ("987654321", "no-such-record")
NOBODY = "nobody@nowhere.invalid"


async def test_empty_input_gives_empty_answers(shop: ShopUnderTest) -> None:
    port = shop.port
    for get in (port.customers_by_email, port.orders_by_number, port.listings_by_sku):
        assert await get([]) == {}, get.__name__
    assert await port.orders_for_customers([], PageRequest(0, 10)) == {}


async def test_unknown_keys_are_absent(shop: ShopUnderTest) -> None:
    facts, port = shop.facts, shop.port
    assert facts.no_account
    assert facts.unlisted
    assert await port.customers_by_email([NOBODY, *facts.no_account]) == {}
    assert await port.orders_by_number(UNKNOWN) == {}
    assert await port.listings_by_sku([*UNKNOWN, *facts.unlisted]) == {}
    pages = await port.orders_for_customers(UNKNOWN, PageRequest(0, 10))
    assert set(pages) <= set(UNKNOWN)
    assert all(p.items == () and p.total == 0 for p in pages.values())


async def test_customers_by_email_in_any_case_under_the_keys_as_given(
    shop: ShopUnderTest,
) -> None:
    emails = list(shop.facts.accounts)
    keys = [*emails, emails[0].upper(), NOBODY]
    found = await shop.port.customers_by_email(keys)
    assert list(found) == keys[:-1]
    for key, customer in found.items():
        assert customer.email.casefold() == key.casefold(), key
    assert found[emails[0].upper()] == found[emails[0]]
    assert len({found[email].id for email in emails}) == len(emails)


async def test_orders_by_number_are_the_orders_named(shop: ShopUnderTest) -> None:
    expected = shop.facts.orders
    assert any(fact.guest for fact in expected.values())
    found = await shop.port.orders_by_number([*expected, UNKNOWN[0]])
    assert set(found) == set(expected)
    for number, order in found.items():
        fact = expected[number]
        assert order.number == number
        assert order.total == fact.total, number
        assert (order.email or "").casefold() == fact.email.casefold(), number
        assert (order.customer_id is None) == fact.guest, number


async def test_orders_of_several_customers_are_theirs_newest_first(shop: ShopUnderTest) -> None:
    accounts = shop.facts.accounts
    customers = await shop.port.customers_by_email(list(accounts))
    keys = [customers[email].id for email in accounts]
    whole = await all_orders(shop, [*keys, UNKNOWN[0]], MAX_PAGE_SIZE)
    assert whole[UNKNOWN[0]] == []
    for email, numbers in accounts.items():
        found = whole[customers[email].id]
        assert {order.customer_id for order in found} == {customers[email].id}, email
        assert set(numbers) <= {order.number for order in found}, email
        dates = [order.created_at for order in found]
        assert dates == sorted(dates, reverse=True), email
    biggest = max(len(found) for found in whole.values())
    assert biggest > 1, "the facts name no customer with several orders"
    paged = await all_orders(shop, [*keys, UNKNOWN[0]], max(1, biggest // 4))
    assert paged == whole


async def test_listings_by_sku_are_the_products_named(shop: ShopUnderTest) -> None:
    listed = shop.facts.listed
    found = await shop.port.listings_by_sku([*listed, UNKNOWN[0]])
    assert set(found) == set(listed)
    for sku, listing in found.items():
        assert (listing.sku, listing.name) == (sku, listed[sku])


async def all_orders(
    shop: ShopUnderTest, keys: Sequence[str], size: int
) -> dict[str, list[ShopOrder]]:
    """Each key's whole list of orders, read page after page of `size`, checking that
    every page of a key tells the same total and is as full as that total allows."""
    orders: dict[str, list[ShopOrder]] = {key: [] for key in keys}
    totals: dict[str, int] = {}
    offset = 0
    while offset == 0 or offset < max(totals.values()):
        pages = await shop.port.orders_for_customers(keys, PageRequest(offset, size))
        assert set(pages) <= set(keys), "answers name only the keys asked"
        for key in keys:
            page = pages.get(key, Page((), offset, 0))  # absent: no orders
            assert page.total is not None, "a page asked with its count has its total"
            total = totals.setdefault(key, page.total)
            assert page.total == total, f"{key} at {offset}"
            assert len(page.items) == max(0, min(size, total - offset)), f"{key} at {offset}"
            orders[key].extend(page.items)
        offset += size
    for key, found in orders.items():
        assert len({order.id for order in found}) == len(found) == totals[key], key
    return orders
