"""Every DataLoader a request may use, created fresh for each request.

Per request, so a loader's memo never outlives the request that filled it: caching
across requests (and across users) is the shared cache's job, behind the ports.

Loaders are derived from the table of reads (`gateway.cache.reads`): a resolver asks for
the loader of a port method by its shape, e.g. `loaders.records(ErpBackend.get_orders)`
(a `ByKeyLoader[Order]`), `loaders.pages(ErpBackend.orders_for_customers)`, and gets the
same loader for the whole request, created on first use. The named loaders below are
those same loaders, named for the resolvers that read them.

Loaders are deliberately not primed with records that another branch of the query
fetched: a sibling answered from memory resolves a tick earlier than the rest, its
children's loads then miss the batch of their siblings, and one backend call becomes
two. Without priming, a level of a query is one batch, so its cost is predictable.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

from strawberry.dataloader import DataLoader

from erp_backends.models import (
    CrmProfile,
    Customer,
    Invoice,
    Order,
    OrderLine,
    OrderLineRef,
    Payment,
    Product,
    StockLevel,
)
from erp_backends.paging import Page, PageRequest
from erp_backends.ports import CrmBackend, ErpBackend, ShopBackend
from gateway.auth.principal import Principal
from gateway.cache.reads import CRM, ERP, EVERY_PORT, SHOP, Lists, Pages, Read, Reads, Records
from gateway.cache.reads import Search as SearchRead
from resolvers.errors import BackendNotConfigured
from resolvers.loading import ByKeyLoader, GroupLoader, PageLoader, RequestLoader, SearchLoader
from resolvers.ownership import customer_scoped
from resolvers.shop.loaders import ShopLoaders

P = TypeVar("P")
R = TypeVar("R")
K = TypeVar("K")


class Loaders:
    """The loaders of one request, one per declared read of each configured port."""

    # No attribute leads back here (the shop's view is made on access, a derived loader
    # holds a weak reference): without a cycle, a request's loaders and every record in
    # their memos are freed when the request ends, not by the collector's full pass.
    __slots__ = ("__weakref__", "_loaders", "_ports")

    def __init__(
        self, erp: ErpBackend, crm: CrmBackend | None = None, shop: ShopBackend | None = None
    ) -> None:
        self._ports: dict[Reads[Any], object | None] = {ERP: erp, CRM: crm, SHOP: shop}
        self._loaders: dict[Callable[..., Awaitable[object]], DataLoader[Any, Any]] = {}

    @property
    def shop(self) -> ShopLoaders | None:
        """None when no shop is configured; its fields then answer with an error."""
        return None if self._ports[SHOP] is None else ShopLoaders(self)

    @classmethod
    def for_principal(
        cls,
        principal: Principal,
        erp: ErpBackend,
        crm: CrmBackend | None = None,
        shop: ShopBackend | None = None,
    ) -> Loaders:
        """Loaders that show the principal what it may see: a principal bound to
        customers reads every port through the ownership filter."""
        keys = principal.customer_keys
        if keys is not None:
            erp = customer_scoped(erp, ERP, keys)
            crm = None if crm is None else customer_scoped(crm, CRM, keys)
            shop = None if shop is None else customer_scoped(shop, SHOP, keys)
        return cls(erp, crm, shop)

    @classmethod
    def for_request(
        cls, erp: ErpBackend, crm: CrmBackend | None = None, shop: ShopBackend | None = None
    ) -> Loaders:
        return cls(erp, crm, shop)

    # By shape: the loader of any declared port method.

    def records(
        self, method: Callable[[P, Sequence[str]], Awaitable[Mapping[str, R]]]
    ) -> ByKeyLoader[R]:
        return cast(ByKeyLoader[R], self._loader(method))

    def lists(
        self, method: Callable[[P, Sequence[str]], Awaitable[Mapping[str, Sequence[R]]]]
    ) -> GroupLoader[R]:
        return cast(GroupLoader[R], self._loader(method))

    def pages(
        self, method: Callable[[P, Sequence[str], PageRequest], Awaitable[Mapping[str, Page[R]]]]
    ) -> PageLoader[R]:
        return cast(PageLoader[R], self._loader(method))

    def search(
        self, method: Callable[[P, str | None, PageRequest], Awaitable[Page[R]]]
    ) -> SearchLoader[R]:
        return cast(SearchLoader[R], self._loader(method))

    def derived(self, build: Callable[[Loaders, list[K]], Awaitable[list[R]]]) -> DataLoader[K, R]:
        """The request's loader of what `build` makes of a batch of keys with the other
        loaders, e.g. orders' lines with their products (`resolvers.orders.lines`): a
        field can return its future, already batched, instead of awaiting loads in a
        coroutine of its own."""
        loader = self._loaders.get(build)
        if loader is None:
            loaders = weakref.ref(self)

            async def load(keys: list[K]) -> list[R]:
                owner = loaders()
                if owner is None:  # the request is over (cancelled): nobody waits for these
                    raise asyncio.CancelledError
                return await build(owner, keys)

            loader = self._loaders[build] = RequestLoader(load)
        return cast(DataLoader[K, R], loader)

    def configured(self, reads: Reads[Any]) -> bool:
        return self._ports.get(reads) is not None

    def _loader(self, method: Callable[..., Awaitable[object]]) -> DataLoader[Any, Any]:
        loader = self._loaders.get(method)
        if loader is None:
            declared = _DECLARED.get(method)
            if declared is None:
                raise KeyError(f"{method.__qualname__} is not a declared read")
            reads, read = declared
            port = self._ports.get(reads)
            if port is None:
                raise BackendNotConfigured(read.entity.role)
            loader = self._loaders[method] = _new_loader(read, getattr(port, read.name))
        return loader

    # Named, for the resolvers.

    @property
    def customer_by_id(self) -> ByKeyLoader[Customer]:
        return self.records(ErpBackend.get_customers)

    @property
    def customer_search(self) -> SearchLoader[Customer]:
        return self.search(ErpBackend.search_customers)

    @property
    def order_by_id(self) -> ByKeyLoader[Order]:
        return self.records(ErpBackend.get_orders)

    @property
    def order_by_reference(self) -> ByKeyLoader[Order]:
        return self.records(ErpBackend.orders_by_reference)

    @property
    def orders_by_customer_id(self) -> PageLoader[Order]:
        return self.pages(ErpBackend.orders_for_customers)

    @property
    def order_lines_by_order_id(self) -> GroupLoader[OrderLine]:
        return self.lists(ErpBackend.lines_for_orders)

    @property
    def order_line_refs_by_order_id(self) -> GroupLoader[OrderLineRef]:
        return self.lists(ErpBackend.line_refs_for_orders)

    @property
    def product_by_id(self) -> ByKeyLoader[Product]:
        return self.records(ErpBackend.get_products)

    @property
    def product_by_sku(self) -> ByKeyLoader[Product]:
        return self.records(ErpBackend.products_by_sku)

    @property
    def product_search(self) -> SearchLoader[Product]:
        return self.search(ErpBackend.search_products)

    @property
    def stock_by_product_id(self) -> ByKeyLoader[StockLevel]:
        return self.records(ErpBackend.stock_for_products)

    @property
    def invoice_by_id(self) -> ByKeyLoader[Invoice]:
        return self.records(ErpBackend.get_invoices)

    @property
    def invoices_by_customer_id(self) -> PageLoader[Invoice]:
        return self.pages(ErpBackend.invoices_for_customers)

    @property
    def payment_by_id(self) -> ByKeyLoader[Payment]:
        return self.records(ErpBackend.get_payments)

    @property
    def payments_by_customer_id(self) -> PageLoader[Payment]:
        return self.pages(ErpBackend.payments_for_customers)

    @property
    def payments_by_invoice_id(self) -> GroupLoader[Payment]:
        return self.lists(ErpBackend.payments_for_invoices)

    @property
    def crm_profile_by_link(self) -> ByKeyLoader[CrmProfile] | None:
        """None when no CRM is configured; its fields then answer with an error."""
        return self.records(CrmBackend.profiles_by_link) if self.configured(CRM) else None


_DECLARED: dict[Callable[..., Awaitable[object]], tuple[Reads[Any], Read[Any, Any]]] = {
    read.method: (reads, read) for reads in EVERY_PORT for read in reads
}


def _new_loader(read: Read[Any, Any], fetch: Callable[..., Any]) -> DataLoader[Any, Any]:
    match read:
        case Records():
            return ByKeyLoader[Any](fetch)
        case Lists():
            return GroupLoader[Any](fetch)
        case Pages():
            return PageLoader[Any](fetch)
        case SearchRead():
            return SearchLoader[Any](fetch)
    raise TypeError(f"no loader for {read!r}")
