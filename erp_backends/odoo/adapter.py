"""The ErpBackend port over Odoo.

Every port call is a fixed few ORM calls whatever the number of keys: records by id are
one `search_read` on `id in [...]` (unknown ids are simply absent, where `read` would
fail), and pages of several parents' children are an index scan plus one read (see
`_pages_by_parent`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from erp_backends.errors import BackendDataError
from erp_backends.models import (
    AddressKind,
    Customer,
    Invoice,
    Order,
    OrderLine,
    OrderLineRef,
    Payment,
    Product,
    StockLevel,
)
from erp_backends.odoo import mapping
from erp_backends.odoo.client import Domain, OdooClient, Row
from erp_backends.odoo.records import OdooRecord, odoo_key
from erp_backends.odoo.reference import ModelFields, ReferenceCodes
from erp_backends.paging import Page, PageRequest

T = TypeVar("T")
L = TypeVar("L", bound=OrderLineRef)

# Archived products still appear on old order lines, so reads by id include them.
WITH_ARCHIVED = {"active_test": False}
LINES_ORDER = "order_id, sequence, id"
# A customer is a commercial entity: a partner whose `commercial_partner_id` is itself
# (`mapping.is_commercial`), which Odoo computes for a company or a partner without a
# parent: this domain, so that a page of customers is paged by the server. A company's
# contact or address is not one (its orders, invoices and credit are the company's), so
# reading it as a customer finds nothing.
COMMERCIAL: Domain = ["|", ("is_company", "=", True), ("parent_id", "=", False)]


class OdooErp:
    """Odoo as the ERP: res.partner, sale.order(.line), product.product, stock.quant,
    account.move (customer invoices) and account.payment."""

    def __init__(self, client: OdooClient, *, backend: str = "erp") -> None:
        self._client = client
        self._backend = backend
        self._fields = ModelFields(client, backend=backend)
        self._codes = ReferenceCodes(client)

    # Customers -----------------------------------------------------------------------

    async def get_customers(self, ids: Sequence[str]) -> Mapping[str, Customer]:
        keys = _int_ids(ids)
        if not keys:
            return {}
        # The customers and their billing and delivery addresses (child partners) in
        # one read, every field either mapping reads, told apart after: one call of
        # the ERP's rate limit per customer read, not two.
        rows = await self._search(
            "res.partner",
            [
                "|",
                "&",
                ("id", "in", keys),
                *COMMERCIAL,
                "&",
                ("parent_id", "in", keys),
                ("type", "in", list(mapping.ADDRESS_KINDS)),
            ],
            mapping.CUSTOMER_AND_ADDRESS_FIELDS,
        )
        asked = set(keys)
        partners = [row for row in rows if row.id in asked]
        children = [row for row in rows if _is_address_of(row, asked)]
        return await self._customers(partners, children)

    async def search_customers(self, search: str | None, page: PageRequest) -> Page[Customer]:
        domain: Domain = [*COMMERCIAL, ("customer_rank", ">", 0)]
        if search:
            domain += [
                "|",
                "|",
                ("name", "ilike", search),
                ("email", "ilike", search),
                ("ref", "ilike", search),
            ]
        partners, total, more = await self._search_page(
            "res.partner", domain, mapping.PARTNER_FIELDS, page, order="name, id"
        )
        children = await self._search(
            "res.partner",
            [
                ("parent_id", "in", [p.id for p in partners]),
                ("type", "in", list(mapping.ADDRESS_KINDS)),
            ],
            mapping.CHILD_ADDRESS_FIELDS,
        )
        found = await self._customers(partners, children)
        customers = tuple(found[str(p.id)] for p in partners if str(p.id) in found)
        return Page(customers, page.offset, total, more)

    async def _customers(
        self, partners: list[OdooRecord], children: list[OdooRecord]
    ) -> dict[str, Customer]:
        partners = [p for p in partners if mapping.is_commercial(p)]
        everyone = partners + children
        countries, states = await asyncio.gather(
            self._codes.codes("res.country", _linked(everyone, "country_id")),
            self._codes.codes("res.country.state", _linked(everyone, "state_id")),
        )
        addresses: dict[int, list[Any]] = {
            p.id: [mapping.address(p, AddressKind.MAIN, countries, states)] for p in partners
        }
        for child in children:
            kind = mapping.ADDRESS_KINDS[child.text("type")]
            parent = child.required_many2one("parent_id")[0]
            if parent in addresses:  # not when the parent is itself a contact of a company
                addresses[parent].append(mapping.address(child, kind, countries, states))
        return {str(p.id): mapping.customer(p, addresses[p.id]) for p in partners}

    # Orders ----------------------------------------------------------------------------

    async def get_orders(self, ids: Sequence[str]) -> Mapping[str, Order]:
        return await self._orders(_int_ids(ids), accounts={})

    async def orders_by_reference(self, references: Sequence[str]) -> Mapping[str, Order]:
        if not references:
            return {}
        # The orders' customers (the commercial partners of their partners) are asked
        # for beside the orders, as the partners of the orders with these references: a
        # shop order's ERP order is a round trip sooner. A partner that answer missed
        # (an order made between the two reads) is looked up after (`_with_accounts`).
        refs = list(references)
        records, accounts = await asyncio.gather(
            self._search("sale.order", [("client_order_ref", "in", refs)], mapping.ORDER_FIELDS),
            self._accounts_where([("sale_order_ids.client_order_ref", "in", refs)]),
        )
        orders = await self._with_accounts(records, accounts)
        by_reference = {o.customer_reference: o for o in orders.values() if o.customer_reference}
        return {ref: by_reference[ref] for ref in references if ref in by_reference}

    async def orders_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[Order]]:
        # An order's partner may be a contact person of the customer's company; the
        # customer is its commercial partner, as in Odoo's own portal.
        keys = _int_ids(customer_ids)
        if len(keys) == 1:
            return await self._orders_of_customer(customer_ids, keys[0], page)
        index = await self._search(
            "sale.order",
            [("partner_id.commercial_partner_id", "in", keys)],
            ["partner_id"],
            order="date_order desc, id desc",
        )
        accounts = await self._accounts(_linked(index, "partner_id"))
        children = _group(index, lambda rec: accounts[rec.required_many2one("partner_id")[0]])
        return await _pages(customer_ids, children, page, lambda ids: self._orders(ids, accounts))

    async def _orders_of_customer(
        self, customer_ids: Sequence[str], key: int, page: PageRequest
    ) -> dict[str, Page[Order]]:
        """The page of one customer's orders. Odoo pages a single list itself, so the
        page is read straight away (with its count beside it), where several customers'
        pages take an index scan and a read after it. Every order found is the
        customer's: no read of its partner's account either."""
        records, total, more = await self._search_page(
            "sale.order",
            [("partner_id.commercial_partner_id", "in", [key])],
            mapping.ORDER_FIELDS,
            page,
            order="date_order desc, id desc",
        )
        orders = await self._with_accounts(
            records, dict.fromkeys(_linked(records, "partner_id"), key)
        )
        found = Page(tuple(orders[str(rec.id)] for rec in records), page.offset, total, more)
        # Only the customer's own spelling of its key names it (see `odoo_key`).
        return {
            customer: found if customer == str(key) else Page((), page.offset, 0)
            for customer in customer_ids
        }

    async def _orders(self, ids: list[int], accounts: dict[int, int]) -> dict[str, Order]:
        """Orders by id, each with its customer: the commercial partner of its partner."""
        if not ids:
            return {}
        records = await self._search("sale.order", [("id", "in", ids)], mapping.ORDER_FIELDS)
        return await self._with_accounts(records, accounts)

    async def _with_accounts(
        self, records: list[OdooRecord], accounts: dict[int, int]
    ) -> dict[str, Order]:
        partners = _linked(records, "partner_id")
        if not partners <= accounts.keys():
            accounts = await self._accounts(partners)
        return {
            str(rec.id): mapping.order(rec, accounts[rec.required_many2one("partner_id")[0]])
            for rec in records
        }

    async def _accounts(self, partner_ids: set[int]) -> dict[int, int]:
        """The commercial partner (the customer account) of each partner."""
        if not partner_ids:
            return {}
        found = await self._accounts_where([("id", "in", sorted(partner_ids))])
        return {partner: found.get(partner, partner) for partner in partner_ids}

    async def _accounts_where(self, domain: Domain) -> dict[int, int]:
        """The commercial partner of each partner the domain finds, archived ones too."""
        rows = await self._search(
            "res.partner", domain, ["commercial_partner_id"], context=WITH_ARCHIVED
        )
        return {rec.id: rec.many2one_id("commercial_partner_id") or rec.id for rec in rows}

    async def lines_for_orders(self, order_ids: Sequence[str]) -> Mapping[str, Sequence[OrderLine]]:
        uom_field = await self._fields.first_of("sale.order.line", "product_uom_id", "product_uom")
        rows = await self._line_rows(order_ids, [*mapping.LINE_FIELDS, uom_field])
        return _by_order(order_ids, [mapping.order_line(rec, uom_field) for rec in rows])

    async def line_refs_for_orders(
        self, order_ids: Sequence[str]
    ) -> Mapping[str, Sequence[OrderLineRef]]:
        # Two many2one fields instead of twelve, seven of them amounts or quantities that
        # Odoo computes and the gateway converts (`resolvers.orders.lines`): the order's
        # id, and the product's own fields, read with the lines by the web client's
        # `web_search_read`. Lines and products are one call, not one after the other.
        storable = await self._storable_field()
        specification = {
            "order_id": {},
            "product_id": {"fields": mapping.product_specification(storable)},
        }
        rows = await self._client.web_search_read(
            "sale.order.line",
            _lines_of(order_ids),
            specification,
            order=LINES_ORDER,
        )
        refs = []
        for row in rows:
            linked, product = row.get("product_id"), None
            if type(linked) is dict:  # else false, or not Odoo's: the record says which
                product = self._product_read_with(linked, storable)
                row = {**row, "product_id": linked.get("id")}
            line = OdooRecord("sale.order.line", row, backend=self._backend)
            refs.append(mapping.order_line_ref(line, product))
        return _by_order(order_ids, refs)

    def _product_read_with(self, row: Row, storable: str | None) -> Product | None:
        """The product a line was read with; None, for its line's field to read it on
        its own, if its record does not map (that field then reports why, and the
        other lines keep their products)."""
        try:
            record = OdooRecord("product.product", mapping.classic_row(row), backend=self._backend)
            return mapping.product(record, storable)
        except BackendDataError:
            return None

    async def _line_rows(self, order_ids: Sequence[str], fields: list[str]) -> list[OdooRecord]:
        """The orders' lines with `fields`, notes and section headings left out."""
        return await self._search(
            "sale.order.line", _lines_of(order_ids), fields, order=LINES_ORDER
        )

    # Products and stock ----------------------------------------------------------------

    async def get_products(self, ids: Sequence[str]) -> Mapping[str, Product]:
        return await self._products([("id", "in", _int_ids(ids))], key=lambda p: p.id)

    async def products_by_sku(self, skus: Sequence[str]) -> Mapping[str, Product]:
        # Odoo's SKUs are not unique: an archived product may share its SKU with the one
        # that replaced it, and then the one on sale is the SKU's (`_products`).
        found = await self._products([("default_code", "in", list(skus))], key=lambda p: p.sku)
        return {sku: product for sku, product in found.items() if sku in skus}

    async def search_products(self, search: str | None, page: PageRequest) -> Page[Product]:
        domain: Domain = [("sale_ok", "=", True)]
        if search:
            domain += ["|", ("name", "ilike", search), ("default_code", "ilike", search)]
        storable = await self._storable_field()
        fields = mapping.PRODUCT_FIELDS + ([storable] if storable else [])
        records, total, more = await self._search_page(
            "product.product", domain, fields, page, order="default_code, id"
        )
        items = tuple(mapping.product(rec, storable) for rec in records)
        return Page(items, page.offset, total, more)

    async def stock_for_products(self, product_ids: Sequence[str]) -> Mapping[str, StockLevel]:
        quants = await self._search(
            "stock.quant",
            [("product_id", "in", _int_ids(product_ids)), ("location_id.usage", "=", "internal")],
            mapping.QUANT_FIELDS,
        )
        quants = [q for q in quants if q.many2one_id("warehouse_id") is not None]
        codes = await self._codes.codes("stock.warehouse", _linked(quants, "warehouse_id"))
        return mapping.stock_levels(quants, codes)

    async def _products(
        self, domain: Domain, key: Callable[[Product], str | None]
    ) -> dict[str, Product]:
        storable = await self._storable_field()
        fields = mapping.PRODUCT_FIELDS + ([storable] if storable else [])
        rows = await self._search("product.product", domain, fields, context=WITH_ARCHIVED)
        # Those on sale last: of several products under one key, the one on sale is kept.
        products = sorted(
            (mapping.product(rec, storable) for rec in rows), key=lambda p: p.sellable
        )
        return {k: p for p in products if (k := key(p)) is not None}

    async def _storable_field(self) -> str | None:
        has = await self._fields.has("product.product", "is_storable")
        return "is_storable" if has else None

    # Invoices and payments -------------------------------------------------------------

    async def get_invoices(self, ids: Sequence[str]) -> Mapping[str, Invoice]:
        return await self._by_id(
            "account.move",
            ids,
            mapping.INVOICE_FIELDS,
            mapping.invoice,
            where=[("move_type", "=", "out_invoice")],
        )

    async def invoices_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[Invoice]]:
        return await self._pages_by_parent(
            "account.move",
            "commercial_partner_id",
            customer_ids,
            page,
            where=[("move_type", "=", "out_invoice")],
            order="invoice_date desc, id desc",
            fields=mapping.INVOICE_FIELDS,
            build=mapping.invoice,
        )

    async def get_payments(self, ids: Sequence[str]) -> Mapping[str, Payment]:
        fields, build = await self._payment_reading()
        return await self._by_id("account.payment", ids, fields, build)

    async def payments_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[Payment]]:
        fields, build = await self._payment_reading()
        where: Domain = [("partner_type", "=", "customer"), ("payment_type", "=", "inbound")]
        return await self._pages_by_parent(
            "account.payment",
            "partner_id",
            customer_ids,
            page,
            where=where,
            order="date desc, id desc",
            fields=fields,
            build=build,
        )

    async def payments_for_invoices(
        self, invoice_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Payment]]:
        fields, build = await self._payment_reading()
        rows = await self._search(
            "account.payment",
            [("invoice_ids", "in", _int_ids(invoice_ids))],
            fields,
            order="date, id",
        )
        by_invoice: dict[str, list[Payment]] = {key: [] for key in invoice_ids}
        for payment in map(build, rows):
            for invoice_id in payment.invoice_ids:
                if invoice_id in by_invoice:
                    by_invoice[invoice_id].append(payment)
        return by_invoice

    async def _payment_reading(self) -> tuple[list[str], Callable[[OdooRecord], Payment]]:
        memo, invoices = await asyncio.gather(
            self._fields.first_of("account.payment", "memo", "ref"),
            self._fields.first_of("account.payment", "invoice_ids", "reconciled_invoice_ids"),
        )
        fields = [*mapping.PAYMENT_FIELDS, memo, invoices]
        return fields, lambda rec: mapping.payment(rec, memo, invoices)

    # Shared query shapes ---------------------------------------------------------------

    async def _search(
        self,
        model: str,
        domain: Domain,
        fields: list[str],
        *,
        order: str | None = None,
        context: dict[str, Any] | None = None,
    ) -> list[OdooRecord]:
        rows = await self._client.search_read(model, domain, fields, order=order, context=context)
        return self._records(model, rows)

    async def _search_page(
        self, model: str, domain: Domain, fields: list[str], page: PageRequest, *, order: str
    ) -> tuple[list[OdooRecord], int | None, bool]:
        """The page's records, the whole list's length (None when not asked for), and
        whether more records follow."""
        if page.limit == 0:
            # Odoo reads `limit: 0` as no limit at all: a page of none is only its total.
            total = await self._client.search_count(model, domain)
            return [], total, page.offset < total
        if not page.count:  # one record more tells whether a next page exists
            rows = await self._client.search_read(
                model, domain, fields, offset=page.offset, limit=page.limit + 1, order=order
            )
            return self._records(model, rows[: page.limit]), None, len(rows) > page.limit
        rows, total = await asyncio.gather(
            self._client.search_read(
                model, domain, fields, offset=page.offset, limit=page.limit, order=order
            ),
            self._client.search_count(model, domain),
        )
        return self._records(model, rows), total, page.offset + len(rows) < total

    async def _by_id(
        self,
        model: str,
        ids: Sequence[str],
        fields: list[str],
        build: Callable[[OdooRecord], T],
        *,
        where: Domain | None = None,
    ) -> dict[str, T]:
        keys = _int_ids(ids)
        if not keys:
            return {}
        records = await self._search(model, [("id", "in", keys), *(where or [])], fields)
        return {str(rec.id): build(rec) for rec in records}

    async def _pages_by_parent(
        self,
        model: str,
        parent_field: str,
        parent_ids: Sequence[str],
        page: PageRequest,
        *,
        where: Domain,
        order: str,
        fields: list[str],
        build: Callable[[OdooRecord], T],
    ) -> dict[str, Page[T]]:
        """The same page of each parent's children in two calls, however many parents.

        Odoo's `limit` applies to a whole query, not per parent, so a query per parent
        would make the calls grow with the list. Instead: one scan of the matching ids
        (only the parent field, so it stays light), sliced per parent here, then one read
        of the ids on the requested pages.
        """
        domain = [(parent_field, "in", _int_ids(parent_ids)), *where]
        index = await self._search(model, domain, [parent_field], order=order)
        children = _group(index, lambda rec: rec.required_many2one(parent_field)[0])

        async def read(ids: list[int]) -> dict[str, T]:
            return await self._by_id(model, [str(i) for i in ids], fields, build)

        return await _pages(parent_ids, children, page, read)

    def _records(self, model: str, rows: list[Row]) -> list[OdooRecord]:
        return [OdooRecord(model, row, backend=self._backend) for row in rows]


def _lines_of(order_ids: Sequence[str]) -> Domain:
    """The orders' lines, notes and section headings left out."""
    return [("order_id", "in", _int_ids(order_ids)), ("display_type", "=", False)]


def _int_ids(ids: Sequence[str]) -> list[int]:
    """Odoo ids among `ids`; anything else cannot exist in Odoo and is left out."""
    return sorted({key for i in ids if (key := odoo_key(i)) is not None})


async def _pages(
    parent_ids: Sequence[str],
    children: dict[int, list[int]],
    page: PageRequest,
    read: Callable[[list[int]], Awaitable[Mapping[str, T]]],
) -> dict[str, Page[T]]:
    """The requested page of each parent's children, read in one call."""
    end = page.offset + page.limit
    wanted = {str(parent): ids[page.offset : end] for parent, ids in children.items()}
    built = await read([i for ids in wanted.values() for i in ids])
    totals = {str(parent): len(ids) for parent, ids in children.items()}
    return {
        key: Page(
            tuple(built[str(i)] for i in wanted.get(key, ()) if str(i) in built),
            page.offset,
            totals.get(key, 0),
        )
        for key in parent_ids
    }


def _group(
    records: list[OdooRecord], parent_of: Callable[[OdooRecord], int]
) -> dict[int, list[int]]:
    """Record ids per parent, in the order of `records`."""
    children: dict[int, list[int]] = {}
    for rec in records:
        children.setdefault(parent_of(rec), []).append(rec.id)
    return children


def _by_order(order_ids: Sequence[str], lines: list[L]) -> dict[str, list[L]]:
    """The lines of each order asked for (none for an order without lines), in order."""
    by_order: dict[str, list[L]] = {key: [] for key in order_ids}
    for line in lines:
        by_order.setdefault(line.order_id, []).append(line)
    return by_order


def _is_address_of(row: OdooRecord, partners: set[int]) -> bool:
    """Whether the row is a billing or delivery address (a child) of one of `partners`."""
    return (
        row.many2one_id("parent_id") in partners
        and row.optional_text("type") in mapping.ADDRESS_KINDS
    )


def _linked(records: list[OdooRecord], field: str) -> set[int]:
    return {i for rec in records if (i := rec.many2one_id(field)) is not None}
