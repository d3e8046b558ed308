"""The table of reads: every port method declared once, and the cached ports derived
from it keep the keys an older gateway wrote, so a shared Redis stays readable."""

import hashlib
from decimal import Decimal

import pytest

from erp_backends.models import Money, OrderLine, OrderLineRef, Product, Quantity
from erp_backends.paging import Page, PageRequest
from erp_backends.ports import CrmBackend, ErpBackend, ShopBackend
from gateway.cache.caching import DEFAULT_TTLS, CachePolicy
from gateway.cache.entities import Entity
from gateway.cache.reads import CRM, ERP, EVERY_PORT, SHOP, Lists, Pages, Reads, Records, Search
from gateway.cache.reads import records as records_read
from gateway.cache.service import GatewayCache


def product(key):
    return Product(
        key, f"SKU-{key}", f"Product {key}", None, Money(Decimal("9.50"), "EUR"), "C62", True
    )


def line(order_id):
    two, price = Quantity(Decimal(2), "C62"), Money(Decimal("9.50"), "EUR")
    total = Money(Decimal("19.00"), "EUR")
    return OrderLine(
        f"{order_id}-1", order_id, "1", "Product 1", two, two, two, price, Decimal(0), total, total
    )


def test_every_entity_is_one_declared_read_and_its_ttl_the_default():
    declared = [read.entity for reads in EVERY_PORT for read in reads]
    assert declared == list(Entity)
    assert {read.entity: read.ttl for reads in EVERY_PORT for read in reads} == DEFAULT_TTLS


def test_the_tables_declare_every_method_of_their_port():
    for reads, port in ((ERP, ErpBackend), (CRM, CrmBackend), (SHOP, ShopBackend)):
        assert reads.port is port
        assert {read.name for read in reads} == {
            name for name in vars(port) if not name.startswith("_")
        } - {"order_reference_prefix"}


def test_the_record_type_comes_from_the_port_methods_annotation():
    assert ERP.of(ErpBackend.get_products).target is Product
    assert ERP.of(ErpBackend.lines_for_orders).target == tuple[OrderLine, ...]
    assert isinstance(ERP.of(ErpBackend.orders_for_customers), Pages)
    assert isinstance(ERP.of(ErpBackend.search_products), Search)
    assert isinstance(ERP.of(ErpBackend.payments_for_invoices), Lists)
    assert isinstance(CRM.of(CrmBackend.profiles_by_link), Records)


def test_a_port_with_an_undeclared_method_is_refused():
    with pytest.raises(TypeError, match="declared"):
        Reads(ErpBackend, records_read(ErpBackend.get_orders, Entity.ERP_ORDER, ttl=1, owner=None))


def test_a_shape_that_does_not_fit_the_methods_return_is_refused():
    with pytest.raises(TypeError, match="not a record class"):
        records_read(ErpBackend.lines_for_orders, Entity.ERP_ORDER_LINES, ttl=1, owner=None)


class Erp:
    """Just enough of an ERP for the keys below."""

    def __init__(self):
        self.calls = []

    async def get_products(self, ids):
        self.calls.append(("get_products", list(ids)))
        return {key: product(key) for key in ids}

    async def search_products(self, search, page):
        self.calls.append(("search_products", search))
        return Page((product("1"),), page.offset, 1)

    async def lines_for_orders(self, order_ids):
        self.calls.append(("lines_for_orders", list(order_ids)))
        return {key: [line(key)] for key in order_ids}

    async def orders_for_customers(self, customer_ids, page):
        self.calls.append(("orders_for_customers", list(customer_ids)))
        return {key: Page((), page.offset, 0) for key in customer_ids}


async def test_the_derived_cached_erp_writes_the_keys_it_always_wrote(store):
    backend = Erp()
    erp = GatewayCache(store, CachePolicy(stale_ttl=600)).erp(backend)  # type: ignore[arg-type]
    page = PageRequest(0, 20)
    for _ in range(2):
        assert await erp.get_products(["1"]) == {"1": product("1")}
        assert await erp.search_products("chair", page) == Page((product("1"),), 0, 1)
        assert await erp.lines_for_orders(["5"]) == {"5": (line("5"),)}
        assert await erp.orders_for_customers(["7"], page) == {"7": Page((), 0, 0)}
    assert len(backend.calls) == 4  # the second round came from the cache
    digest = hashlib.sha256(b"chair").hexdigest()[:20]
    for key, target in [
        (store.key("erp", "product", "1"), Product),
        (store.key("erp", "product_search", f"{digest}:0+20"), Page[Product]),
        (store.key("erp", "order_lines", "5"), tuple[OrderLine, ...]),
        (store.key("erp", "orders_by_customer", "7", "g0", "0+20"), Page[Product]),
    ]:
        assert await store.get_many([key], target), key


async def test_an_adapter_without_line_references_answers_them_with_its_whole_lines(store):
    """`line_refs_for_orders` came after the first adapters: one that lacks it (as the
    `Erp` above) answers it with `lines_for_orders`, whose lines are references too,
    cached under the references' own entity; its own read stays what it was."""
    backend = Erp()
    erp = GatewayCache(store, CachePolicy(stale_ttl=600)).erp(backend)  # type: ignore[arg-type]
    whole = line("5")
    for _ in range(2):
        (found,) = (await erp.line_refs_for_orders(["5"]))["5"]
        assert (found.id, found.order_id, found.product_id) == (
            whole.id,
            whole.order_id,
            whole.product_id,
        )
    assert backend.calls == [("lines_for_orders", ["5"])]  # the second from the cache
    assert await store.get_many(
        [store.key("erp", "order_line_refs", "5")], tuple[OrderLineRef, ...]
    )
    assert await erp.lines_for_orders(["6"]) == {"6": (line("6"),)}
    assert backend.calls[-1] == ("lines_for_orders", ["6"])
