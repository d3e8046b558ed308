"""A read declared once is cached and customer-scoped: a port of notes, made up here,
gets both layers from its one table, with nothing written per method."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import pytest

from erp_backends.models import Customer, Order
from erp_backends.paging import Page, PageRequest
from erp_backends.ports import ErpBackend
from gateway.auth.principal import Principal, PrincipalKind
from gateway.cache.caching import CachePolicy, CacheStats, Caching
from gateway.cache.entities import Entity
from gateway.cache.ports import cached
from gateway.cache.reads import CRM, ERP, SHOP, Reads, lists, pages, records, search
from gateway.cache.store import RecordStore, open_cache
from resolvers.loaders import Loaders
from resolvers.loading import ByKeyLoader, PageLoader
from resolvers.ownership import customer_scoped


@dataclass(frozen=True, slots=True)
class Note:
    id: str
    customer_id: str
    text: str


class NotesBackend(Protocol):
    async def get_notes(self, ids: Sequence[str]) -> Mapping[str, Note]: ...

    async def notes_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[Note]]: ...

    async def replies(self, note_ids: Sequence[str]) -> Mapping[str, Sequence[Note]]: ...

    async def search_notes(self, text: str | None, page: PageRequest) -> Page[Note]: ...


def _customer_of(note: Note) -> str:
    return note.customer_id


# The whole declaration of the four reads (borrowing entities: the enum is closed).
NOTES = Reads(
    NotesBackend,
    records(NotesBackend.get_notes, Entity.ERP_INVOICE, ttl=60, owner=_customer_of),
    pages(
        NotesBackend.notes_for_customers,
        Entity.ERP_INVOICES_BY_CUSTOMER,
        ttl=60,
        owner=_customer_of,
        keys_are_customers=True,
    ),
    lists(NotesBackend.replies, Entity.ERP_PAYMENTS_BY_INVOICE, ttl=60, owner=_customer_of),
    search(NotesBackend.search_notes, Entity.ERP_CUSTOMER_SEARCH, ttl=60, owner=_customer_of),
)

NOTES_BY_ID = {
    "1": Note("1", "7", "mine"),
    "2": Note("2", "8", "theirs"),
}


class Notes:
    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    async def get_notes(self, ids: Sequence[str]) -> Mapping[str, Note]:
        self.calls.append(("get_notes", list(ids)))
        return {key: NOTES_BY_ID[key] for key in ids if key in NOTES_BY_ID}

    async def notes_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[Note]]:
        self.calls.append(("notes_for_customers", list(customer_ids)))
        return {key: Page(tuple(NOTES_BY_ID.values()), 0, 2) for key in customer_ids}

    async def replies(self, note_ids: Sequence[str]) -> Mapping[str, Sequence[Note]]:
        self.calls.append(("replies", list(note_ids)))
        return {key: list(NOTES_BY_ID.values()) for key in note_ids}

    async def search_notes(self, text: str | None, page: PageRequest) -> Page[Note]:
        self.calls.append(("search_notes", [text or ""]))
        return Page(tuple(NOTES_BY_ID.values()), 0, 2)


@pytest.fixture
async def store():
    store = RecordStore(open_cache("memory://"))
    yield store
    await store.clear()
    await store.close()


async def test_a_new_read_declared_once_is_cached(store: RecordStore) -> None:
    backend = Notes()
    notes = cached(backend, NOTES, Caching(store, CachePolicy(stale_ttl=600), CacheStats()))
    page = PageRequest(0, 20)
    for _ in range(2):
        assert await notes.get_notes(["1", "9"]) == {"1": NOTES_BY_ID["1"]}
        assert (await notes.notes_for_customers(["7"], page))["7"].total == 2
        assert len((await notes.replies(["1"]))["1"]) == 2
        assert (await notes.search_notes("x", page)).total == 2
    assert [name for name, _ in backend.calls] == [
        "get_notes",
        "notes_for_customers",
        "replies",
        "search_notes",
    ]
    assert await store.get_many([store.key("erp", "invoice", "1")], Note)


async def test_a_new_read_declared_once_is_customer_scoped(store: RecordStore) -> None:
    backend = Notes()
    caching = Caching(store, CachePolicy(stale_ttl=600), CacheStats())
    notes = customer_scoped(cached(backend, NOTES, caching), NOTES, frozenset({"7"}))
    page = PageRequest(0, 20)
    # Another customer's record is dropped exactly as if absent.
    assert await notes.get_notes(["1", "2"]) == {"1": NOTES_BY_ID["1"]}
    # Lists under another customer are empty without asking the backend...
    assert await notes.notes_for_customers(["8"], page) == {}
    assert backend.calls == [("get_notes", ["1", "2"])]
    # ...and one's own list keeps one's own records only.
    mine = await notes.notes_for_customers(["7", "8"], page)
    assert list(mine) == ["7"]
    assert mine["7"].items == (NOTES_BY_ID["1"],)
    assert backend.calls[-1] == ("notes_for_customers", ["7"])
    assert await notes.replies(["1"]) == {"1": [NOTES_BY_ID["1"]]}
    assert (await notes.search_notes(None, page)).items == (NOTES_BY_ID["1"],)
    # The cache holds the unfiltered records: the next customer sees its own.
    theirs = customer_scoped(cached(backend, NOTES, caching), NOTES, frozenset({"8"}))
    assert await theirs.get_notes(["1", "2"]) == {"2": NOTES_BY_ID["2"]}


class Erp:
    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    async def get_customers(self, ids: Sequence[str]) -> Mapping[str, Customer]:
        self.calls.append(("get_customers", list(ids)))
        return {}

    async def orders_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[Order]]:
        self.calls.append(("orders_for_customers", list(customer_ids)))
        return {}


async def test_loaders_are_derived_per_read_and_scoped_for_a_customer() -> None:
    erp = Erp()
    customer = Principal(
        "c", PrincipalKind.CUSTOMER, frozenset(), customer_id="c", customer_key="7"
    )
    loaders = Loaders.for_principal(customer, erp)  # type: ignore[arg-type]
    by_id: ByKeyLoader[Customer] = loaders.records(ErpBackend.get_customers)
    assert by_id is loaders.customer_by_id  # one loader per read for the request
    orders: PageLoader[Order] = loaders.pages(ErpBackend.orders_for_customers)
    page = PageRequest(0, 20)
    assert await by_id.load_many(["7", "8"]) == [None, None]
    assert (await orders.load(("8", page))).items == ()
    assert erp.calls == [("get_customers", ["7"])]  # no call for customer 8's orders
    assert loaders.shop is None
    assert loaders.crm_profile_by_link is None


def test_the_erp_table_keeps_the_ownership_that_was_written_by_hand() -> None:
    # Keyed by customer: another customer's key is never asked for.
    assert {read.name for read in ERP if read.keys_are_customers} == {
        "get_customers",
        "orders_for_customers",
        "invoices_for_customers",
        "payments_for_customers",
    }
    # Unchecked: public, or reached only through an owned object.
    assert {read.name for read in ERP if read.owner is None} == {
        "lines_for_orders",
        "line_refs_for_orders",
        "get_products",
        "products_by_sku",
        "search_products",
        "stock_for_products",
    }
    assert all(read.owner is None and not read.keys_are_customers for read in (*CRM, *SHOP))
