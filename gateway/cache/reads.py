"""What each read of a port is, declared once: the table every layer above derives from.

One line per port method says its shape (records by key, lists per key, pages per
parent, search by text and page), the cache `Entity` and TTL its answers are kept under,
and its owner: how to find the customer of a record, and whether its keys are customer
ids. From this table `gateway.cache.ports` builds the cached port,
`resolvers.ownership` the customer-scoped port and `resolvers.loaders` the DataLoaders,
so a new read is its port method, its adapter method, one line here (with its `Entity`
member) and its resolver.

The table lives here, not next to the ports in `erp_backends`, because it names cache
entities, and `erp_backends` (the bottom layer) imports nothing above it; the layers
above the cache (resolvers) read it from here. Each constructor takes the port method
itself (`ErpBackend.get_orders`), so mypy checks that the shape fits the method's
signature and the owner fits its record; the record type the codec reads back is taken
from the method's return annotation.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, get_args, get_origin, get_type_hints

from erp_backends.models import Customer, Invoice, Order, Payment
from erp_backends.paging import Page, PageRequest
from erp_backends.ports import CrmBackend, ErpBackend, ShopBackend
from gateway.cache.entities import Entity

P = TypeVar("P")  # the port (a Protocol) the read belongs to
R = TypeVar("R")  # the record it returns

CustomerOf = Callable[[R], str]


@dataclass(frozen=True, slots=True)
class Read(Generic[P, R]):
    """One read of a port. `owner` is the customer key of a record, None when the read
    needs no check (a public record, or one reached only through an object that passed
    the check); `keys_are_customers` says its keys are customer ids, so another
    customer's key is answered empty without asking the backend."""

    method: Callable[..., Awaitable[object]]
    entity: Entity
    ttl: float  # seconds served fresh, unless configured otherwise
    record: type[R]
    owner: CustomerOf[R] | None
    keys_are_customers: bool
    # The read an adapter without this method answers it with (one that can only read
    # more, written before this read was added), if any.
    otherwise: Callable[..., Awaitable[object]] | None = None

    @property
    def name(self) -> str:
        """The port method's name, which every derived port implements."""
        return self.method.__name__

    @property
    def target(self) -> object:
        """The type the codec reads a cached answer back as."""
        return self.record


class Records(Read[P, R]):
    """`method(keys) -> {key: record}`: one record per key, absent when unknown."""


class Lists(Read[P, R]):
    """`method(keys) -> {key: [record, ...]}`: every record belonging to each key."""

    @property
    def target(self) -> object:
        return tuple[self.record, ...]  # type: ignore[name-defined]


class Pages(Read[P, R]):
    """`method(parents, page) -> {parent: Page}`: the same page of each parent's list."""

    @property
    def target(self) -> object:
        return Page[self.record]  # type: ignore[name-defined]


class Search(Read[P, R]):
    """`method(text, page) -> Page`: one page of the records matching a text."""

    @property
    def target(self) -> object:
        return Page[self.record]  # type: ignore[name-defined]


def records(
    method: Callable[[P, Sequence[str]], Awaitable[Mapping[str, R]]],
    entity: Entity,
    *,
    ttl: float,
    owner: CustomerOf[R] | None,
    keys_are_customers: bool = False,
) -> Records[P, R]:
    record: type[R] = _record(method, Mapping)
    return Records(method, entity, ttl, record, owner, keys_are_customers)


def lists(
    method: Callable[[P, Sequence[str]], Awaitable[Mapping[str, Sequence[R]]]],
    entity: Entity,
    *,
    ttl: float,
    owner: CustomerOf[R] | None,
    keys_are_customers: bool = False,
    otherwise: Callable[[P, Sequence[str]], Awaitable[Mapping[str, Sequence[R]]]] | None = None,
) -> Lists[P, R]:
    record: type[R] = _record(method, Mapping, Sequence)
    return Lists(method, entity, ttl, record, owner, keys_are_customers, otherwise)


def pages(
    method: Callable[[P, Sequence[str], PageRequest], Awaitable[Mapping[str, Page[R]]]],
    entity: Entity,
    *,
    ttl: float,
    owner: CustomerOf[R] | None,
    keys_are_customers: bool = False,
) -> Pages[P, R]:
    record: type[R] = _record(method, Mapping, Page)
    return Pages(method, entity, ttl, record, owner, keys_are_customers)


def search(
    method: Callable[[P, str | None, PageRequest], Awaitable[Page[R]]],
    entity: Entity,
    *,
    ttl: float,
    owner: CustomerOf[R] | None,
) -> Search[P, R]:
    record: type[R] = _record(method, Page)
    return Search(method, entity, ttl, record, owner, keys_are_customers=False)


class Reads(Generic[P]):
    """Every read of one port, checked complete: each of the port's methods is declared
    once, so a port derived from the table implements the whole Protocol."""

    def __init__(self, port: type[object], *reads: Read[P, Any]) -> None:
        self.port = port
        self.reads = reads
        declared = [read.name for read in reads]
        methods = [name for name, value in vars(port).items() if inspect.iscoroutinefunction(value)]
        if sorted(declared) != sorted(methods):
            raise TypeError(f"{port.__name__}: declared {declared}, port has {methods}")
        for read in reads:
            if getattr(port, read.name) is not read.method:
                raise TypeError(f"{read.name} is not a method of {port.__name__}")
        self._by_name = {read.name: read for read in reads}

    def named(self, name: str) -> Read[P, Any] | None:
        """The declaration of the port's method of this name, if any."""
        return self._by_name.get(name)

    def __iter__(self) -> Iterator[Read[P, Any]]:
        return iter(self.reads)

    def of(self, method: Callable[..., Awaitable[object]]) -> Read[P, Any]:
        """The declaration of one of the port's methods."""
        read = self._by_name.get(method.__name__)
        if read is None or read.method is not method:
            raise KeyError(method.__qualname__)
        return read


def _record(method: Callable[..., object], *containers: object) -> Any:
    """The record class inside the method's return annotation, after `containers`
    (e.g. `Mapping[str, Page[Order]]` with Mapping, Page: Order)."""
    hint: Any = get_type_hints(method)["return"]
    for container in containers:
        origin = get_origin(hint)
        if origin is None or not _is(origin, container):
            raise TypeError(f"{method.__qualname__} returns {hint}, not a {container}")
        hint = get_args(hint)[-1]
    if not isinstance(hint, type) or get_origin(hint) is not None:
        raise TypeError(f"{method.__qualname__}: {hint} is not a record class")
    return hint


def _is(origin: object, container: object) -> bool:
    return origin is container or (
        isinstance(origin, type) and isinstance(container, type) and issubclass(origin, container)
    )


def _customer_id(record: Order | Invoice | Payment) -> str:
    return record.customer_id


def _the_customer(customer: Customer) -> str:
    return customer.id


# Owner None: not checked, because the record is public (the catalogue, stock) or is
# reached only through an object that passed the check (an order's lines; every CRM and
# shop record hangs off an ERP customer or order).
ERP = Reads(
    ErpBackend,
    records(
        ErpBackend.get_customers,
        Entity.ERP_CUSTOMER,
        ttl=300,
        owner=_the_customer,
        keys_are_customers=True,
    ),
    search(ErpBackend.search_customers, Entity.ERP_CUSTOMER_SEARCH, ttl=60, owner=_the_customer),
    records(ErpBackend.get_orders, Entity.ERP_ORDER, ttl=60, owner=_customer_id),
    records(
        ErpBackend.orders_by_reference, Entity.ERP_ORDER_BY_REFERENCE, ttl=60, owner=_customer_id
    ),
    pages(
        ErpBackend.orders_for_customers,
        Entity.ERP_ORDERS_BY_CUSTOMER,
        ttl=60,
        owner=_customer_id,
        keys_are_customers=True,
    ),
    lists(ErpBackend.lines_for_orders, Entity.ERP_ORDER_LINES, ttl=60, owner=None),
    lists(
        ErpBackend.line_refs_for_orders,
        Entity.ERP_ORDER_LINE_REFS,
        ttl=60,
        owner=None,
        otherwise=ErpBackend.lines_for_orders,  # whole lines are references too
    ),
    records(ErpBackend.get_products, Entity.ERP_PRODUCT, ttl=3600, owner=None),
    records(ErpBackend.products_by_sku, Entity.ERP_PRODUCT_BY_SKU, ttl=3600, owner=None),
    search(ErpBackend.search_products, Entity.ERP_PRODUCT_SEARCH, ttl=300, owner=None),
    records(ErpBackend.stock_for_products, Entity.ERP_STOCK, ttl=15, owner=None),
    records(ErpBackend.get_invoices, Entity.ERP_INVOICE, ttl=300, owner=_customer_id),
    pages(
        ErpBackend.invoices_for_customers,
        Entity.ERP_INVOICES_BY_CUSTOMER,
        ttl=300,
        owner=_customer_id,
        keys_are_customers=True,
    ),
    records(ErpBackend.get_payments, Entity.ERP_PAYMENT, ttl=300, owner=_customer_id),
    pages(
        ErpBackend.payments_for_customers,
        Entity.ERP_PAYMENTS_BY_CUSTOMER,
        ttl=300,
        owner=_customer_id,
        keys_are_customers=True,
    ),
    lists(
        ErpBackend.payments_for_invoices,
        Entity.ERP_PAYMENTS_BY_INVOICE,
        ttl=300,
        owner=_customer_id,
    ),
)

CRM = Reads(
    CrmBackend,
    records(CrmBackend.profiles_by_link, Entity.CRM_PROFILE, ttl=300, owner=None),
)

SHOP = Reads(
    ShopBackend,
    records(ShopBackend.customers_by_email, Entity.SHOP_CUSTOMER, ttl=300, owner=None),
    pages(ShopBackend.orders_for_customers, Entity.SHOP_ORDERS_BY_CUSTOMER, ttl=60, owner=None),
    records(ShopBackend.orders_by_number, Entity.SHOP_ORDER, ttl=60, owner=None),
    records(ShopBackend.listings_by_sku, Entity.SHOP_LISTING, ttl=60, owner=None),
)

# Every port's table, in the order of `Entity`.
EVERY_PORT: tuple[Reads[Any], ...] = (ERP, CRM, SHOP)
