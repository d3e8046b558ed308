"""The ErpWriter port over Odoo.

Every write looks for its `reference` before it creates anything (an order's
`client_order_ref`, a payment's memo, a return's `origin`), so a command retried after a
crash, a timeout or a throttle finds what its first attempt did. Odoo's business
methods (`create`, `action_confirm`, `action_cancel`, `action_create_payments`) are
writes for `OdooClient`: sent once, never retried by the HTTP layer; a 429 or 5xx comes
out as `BackendRateLimited` or `BackendUnavailable` for the command queue to retry.
Two workers running the same reference at the same moment can still both create: Odoo
has no unique external key, so the queue must not run one reference twice at once.

A write of two steps is undone when its second step is refused (Odoo's UserError): an
order whose `action_confirm` is refused is cancelled (`action_cancel`), a return whose
transfer cannot be confirmed likewise, and the refusal is raised as a
`BusinessRuleViolation` whose `compensated` says what was undone. If undoing fails on
the way (a timeout, a 503), that error goes up instead and the command is retried: the
reference lookup then finds the draft, tries it again and cancels it if it is refused
again. A draft the lookup finds cancelled was undone by an earlier attempt (or by
someone in Odoo): the write is refused again, never done on top of it. Odoo's payment
wizard posts in one transaction, so its refusal leaves no payment behind (a draft one
with the reference, should a customisation leave it, is deleted).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from erp_backends.errors import BackendDataError, BusinessRuleViolation, UserErrorCode
from erp_backends.http import BackendHttp
from erp_backends.models import InvoiceStatus, Money, Order, Payment, Quantity
from erp_backends.normalize.money import money
from erp_backends.odoo.adapter import WITH_ARCHIVED, OdooErp
from erp_backends.odoo.client import OdooClient, OdooConnection, Row
from erp_backends.odoo.errors import OdooUserError
from erp_backends.odoo.records import OdooRecord, odoo_key
from erp_backends.odoo.reference import ModelFields
from erp_backends.odoo.writes_orders import NO_CANCEL_WIZARD, OrderWriter
from erp_backends.odoo.writes_returns import ReturnWriter
from erp_backends.odoo.writes_support import odoo_id, odoo_message
from erp_backends.writes import Credit, OrderDraft, ReturnDraft, ReturnReceipt

CREDIT_FIELDS = ["credit", "credit_limit", "use_partner_credit_limit", "currency_id"]


def _utc_today() -> date:
    return datetime.now(UTC).date()


class OdooWriter:
    """Odoo as the ERP that takes the gateway's writes: sale.order, the payment
    register wizard, return transfers (stock.picking) and res.partner's credit."""

    def __init__(
        self,
        client: OdooClient,
        *,
        reads: OdooClient | None = None,
        backend: str = "erp",
        today: Callable[[], date] = _utc_today,
    ) -> None:
        """`client` writes (the queue's worker drains through it); `reads`, when given,
        reads credit and what is returnable for acceptance, which a client waits for: a
        client whose calls do not yield the rate limit to interactive work."""
        self._client = client
        self._backend = backend
        self._reader = OdooErp(client, backend=backend)
        self._fields = ModelFields(client, backend=backend)
        self._returns = ReturnWriter(client, self._fields, backend=backend)
        self._reads = reads or client
        self._acceptance_returns = (
            self._returns
            if reads is None
            else ReturnWriter(reads, ModelFields(reads, backend=backend), backend=backend)
        )
        self._orders = OrderWriter(
            client, self._reader, self._fields, self._returns, backend=backend
        )
        self._today = today

    # Orders ----------------------------------------------------------------------------

    async def place_order(self, draft: OrderDraft) -> Order:
        return await self._orders.place_order(draft)

    async def place_orders(
        self, drafts: Sequence[OrderDraft]
    ) -> Mapping[str, Order | BusinessRuleViolation]:
        return await self._orders.place_orders(drafts)

    async def cancel_order(self, order_id: str, reference: str) -> Order:
        key = odoo_id(order_id, UserErrorCode.ORDER_NOT_FOUND, "orderId")
        rows = await self._client.search_read(
            "sale.order", [("id", "=", key)], ["name", "state", "invoice_ids"]
        )
        if not rows:
            raise BusinessRuleViolation(
                UserErrorCode.ORDER_NOT_FOUND, f"No order {order_id}", field="orderId"
            )
        if rows[0]["state"] != "cancel":
            await self._check_cancellable(key, rows[0])
            try:
                await self._client.call(
                    "sale.order", "action_cancel", [key], context=NO_CANCEL_WIZARD
                )
            except OdooUserError as exc:
                raise BusinessRuleViolation(
                    UserErrorCode.ORDER_NOT_CANCELLABLE, odoo_message(exc)
                ) from exc
        return await self._orders.order(key)

    async def _check_cancellable(self, key: int, order: Row) -> None:
        # Odoo's own refusal depends on the version and installed apps: checked here too.
        delivered = await self._client.search_count(
            "sale.order.line", [("order_id", "=", key), ("qty_delivered", ">", 0)]
        )
        posted = 0
        if order.get("invoice_ids"):
            posted = await self._client.search_count(
                "account.move", [("id", "in", order["invoice_ids"]), ("state", "=", "posted")]
            )
        if delivered or posted:
            done = "delivered" if delivered else "invoiced"
            raise BusinessRuleViolation(
                UserErrorCode.ORDER_NOT_CANCELLABLE,
                f"Order {order['name']} has already been {done}.",
            )

    # Payments --------------------------------------------------------------------------

    async def pay_invoice(self, invoice_id: str, amount: Money, reference: str) -> Payment:
        found = await self._payment_by_reference(reference)
        if found is not None:
            return found
        key = odoo_id(invoice_id, UserErrorCode.INVOICE_NOT_FOUND, "invoiceId")
        invoice = (await self._reader.get_invoices([str(key)])).get(str(key))
        if invoice is None:
            raise BusinessRuleViolation(
                UserErrorCode.INVOICE_NOT_FOUND, f"No invoice {invoice_id}", field="invoiceId"
            )
        if invoice.status is not InvoiceStatus.POSTED:
            raise BusinessRuleViolation(
                UserErrorCode.INVOICE_NOT_PAYABLE,
                f"Invoice {invoice.number} is not posted",
                field="invoiceId",
            )
        check_amount(amount, invoice.amount_due)
        context = {"active_model": "account.move", "active_ids": [key]}
        vals = {
            "amount": float(amount.amount),
            "payment_date": self._today().isoformat(),
            "communication": reference,
        }
        try:
            [wizard] = await self._client.create(
                "account.payment.register", [vals], context=context
            )
            action = await self._client.call(
                "account.payment.register", "action_create_payments", [wizard], context=context
            )
        except OdooUserError as exc:
            raise await self._payment_refused(reference, exc) from exc
        payment_id = action.get("res_id") if isinstance(action, dict) else None
        if isinstance(payment_id, int):
            payments = await self._reader.get_payments([str(payment_id)])
            if str(payment_id) in payments:
                return payments[str(payment_id)]
        found = await self._payment_by_reference(reference)
        if found is None:
            raise BackendDataError(
                f"Odoo registered no payment with the memo {reference!r}", backend=self._backend
            )
        return found

    async def _payment_refused(self, reference: str, exc: OdooUserError) -> BusinessRuleViolation:
        """The wizard's refusal, after deleting any draft payment it left behind."""
        refusal = BusinessRuleViolation(UserErrorCode.ERP_REFUSED, odoo_message(exc))
        memo = await self._fields.first_of("account.payment", "memo", "ref")
        domain = [(memo, "=", reference), ("state", "=", "draft")]
        drafts = await self._client.search_read("account.payment", domain, ["name"], order="id")
        if not drafts:
            return refusal
        await self._client.call("account.payment", "unlink", [row["id"] for row in drafts])
        names = ", ".join(str(row["name"] or row["id"]) for row in drafts)
        return refusal.undone(f"deleted draft payment {names}")

    async def _payment_by_reference(self, reference: str) -> Payment | None:
        memo = await self._fields.first_of("account.payment", "memo", "ref")
        domain = [
            (memo, "=", reference),
            ("payment_type", "=", "inbound"),
            ("partner_type", "=", "customer"),
            ("state", "!=", "draft"),  # never posted: not a payment (see _payment_refused)
        ]
        rows = await self._client.search_read("account.payment", domain, ["id"], order="id")
        if not rows:
            return None
        return (await self._reader.get_payments([str(rows[0]["id"])])).get(str(rows[0]["id"]))

    # Returns and credit ----------------------------------------------------------------

    async def request_return(self, draft: ReturnDraft) -> ReturnReceipt:
        return await self._returns.request_return(draft)

    async def returnable(self, order_ids: Sequence[str]) -> Mapping[str, Mapping[str, Quantity]]:
        return await self._acceptance_returns.returnable(order_ids)

    async def credit_of(self, customer_ids: Sequence[str]) -> Mapping[str, Credit]:
        keys = sorted({key for i in customer_ids if (key := odoo_key(i)) is not None})
        if not keys:
            return {}
        rows = await self._reads.search_read("res.partner", [("id", "in", keys)], CREDIT_FIELDS)
        partners = [OdooRecord("res.partner", row, backend=self._backend) for row in rows]
        open_orders = await self._uninvoiced(keys)
        return {str(p.id): self._credit(p, open_orders.get(p.id, Decimal(0))) for p in partners}

    async def _uninvoiced(self, keys: list[int]) -> dict[int, Decimal]:
        """What confirmed, not yet invoiced orders add up to per customer, in the company's
        currency (an order's `currency_rate` is its currency per unit of the company's)."""
        domain = [
            ("partner_id.commercial_partner_id", "in", keys),
            ("state", "=", "sale"),
            ("invoice_status", "=", "to invoice"),
        ]
        rows = await self._reads.search_read(
            "sale.order", domain, ["partner_id", "amount_total", "currency_rate"]
        )
        orders = [OdooRecord("sale.order", row, backend=self._backend) for row in rows]
        accounts = await self._accounts(
            {o.required_many2one("partner_id")[0] for o in orders}, keys
        )
        totals: dict[int, Decimal] = {}
        for order in orders:
            rate = order.number("currency_rate") or Decimal(1)
            account = accounts[order.required_many2one("partner_id")[0]]
            totals[account] = totals.get(account, Decimal(0)) + order.number("amount_total") / rate
        return totals

    async def _accounts(self, partners: set[int], customers: list[int]) -> dict[int, int]:
        """The customer of each order's partner: itself, or its commercial partner."""
        accounts = {p: p for p in partners if p in customers}
        others = sorted(partners - accounts.keys())
        if others:
            rows = await self._reads.search_read(
                "res.partner",
                [("id", "in", others)],
                ["commercial_partner_id"],
                context=WITH_ARCHIVED,
            )
            for row in rows:
                rec = OdooRecord("res.partner", row, backend=self._backend)
                accounts[rec.id] = rec.many2one_id("commercial_partner_id") or rec.id
        return accounts

    def _credit(self, partner: OdooRecord, uninvoiced: Decimal) -> Credit:
        currency = partner.required_many2one("currency_id")[1]
        limit = partner.number("credit_limit")
        has_limit = partner.boolean("use_partner_credit_limit") and limit > 0
        balance = partner.number("credit") + uninvoiced
        return Credit(
            limit=partner.translate("credit_limit", lambda _: money(str(limit), currency))
            if has_limit
            else None,
            open_balance=partner.translate("credit", lambda _: money(str(balance), currency)),
        )


def check_amount(amount: Money, due: Money) -> None:
    if amount.currency != due.currency:
        raise BusinessRuleViolation(
            UserErrorCode.CURRENCY_MISMATCH,
            f"The invoice is in {due.currency}, the payment in {amount.currency}",
            field="amount",
        )
    if amount.amount <= 0:
        raise BusinessRuleViolation(
            UserErrorCode.INVALID_AMOUNT, "A payment must be positive", field="amount"
        )
    if amount.amount > due.amount:
        raise BusinessRuleViolation(
            UserErrorCode.AMOUNT_EXCEEDS_DUE,
            f"{amount.amount} {amount.currency} is more than the {due.amount} due",
            field="amount",
        )


def open_odoo_writer(
    http: BackendHttp, connection: OdooConnection, *, backend: str | None = None
) -> OdooWriter:
    """The writer over an Odoo reached through `http` (the same `BackendHttp` the
    reading adapter uses will do: writes are never retried by it)."""
    return OdooWriter(OdooClient(http, connection), backend=backend or http.backend)
