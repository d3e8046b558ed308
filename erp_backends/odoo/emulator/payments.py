"""Registering a customer payment the way Odoo's UI and integrations do: the
`account.payment.register` wizard, created with `active_model`/`active_ids` in its
context, then `action_create_payments`.

The payment is booked on a bank journal and waits for the bank statement
(`in_process`), so a fully paid invoice is `in_payment`, a partly paid one `partial`.
Like Odoo, the wizard accepts more than the amount due (the difference stays open on
the customer's account); the residual never goes below zero. The wizard posts what it
creates in the same call, so a refusal leaves no payment; a payment that was never
posted (a draft) can be deleted (`unlink`), a posted one cannot.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from erp_backends.odoo.emulator.accounting import rate_of, refresh_credit
from erp_backends.odoo.emulator.create import Creatable, now, now_text
from erp_backends.odoo.emulator.db import Database, MissingError, UserError
from erp_backends.odoo.emulator.methods import BaseModel

WIZARD_MOVES = "account.payment.register:moves"


class AccountPaymentRegister(Creatable):
    PUBLIC_METHODS: ClassVar[dict[str, bool]] = {
        **Creatable.PUBLIC_METHODS,
        "action_create_payments": False,
    }

    def _create_one(self, vals: dict[str, Any]) -> int:
        move = self._move()
        journal = vals.get("journal_id") or self._bank_journal()
        wizard = {
            "payment_date": vals.get("payment_date") or now().date().isoformat(),
            "amount": float(vals.get("amount", move["amount_residual"])),
            "communication": vals.get("communication") or move["payment_reference"] or move["name"],
            "journal_id": journal,
            "partner_id": move["commercial_partner_id"],
            "currency_id": vals.get("currency_id") or move["currency_id"],
            "source_amount": move["amount_residual"],
            "payment_type": "inbound",
            "partner_type": "customer",
            "create_date": now_text(),
            "write_date": now_text(),
        }
        wizard_id = self.db.insert("account.payment.register", wizard)
        self.db.links.setdefault(WIZARD_MOVES, {})[wizard_id] = move["id"]
        return wizard_id

    def _move(self) -> dict[str, Any]:
        ids = self.context.get("active_ids") or []
        if self.context.get("active_model") != "account.move" or not ids:
            raise UserError(
                "The register payment wizard should only be called on account.move or"
                " account.move.line records."
            )
        if len(ids) != 1:
            raise UserError("The emulator registers a payment for one invoice at a time.")
        move = self.record("account.move", ids[0])
        if move["state"] != "posted":
            raise UserError("You can only register payment for posted journal entries.")
        if move["amount_residual"] <= 0:
            raise UserError(
                "You can't register a payment because there is nothing left to pay on the"
                " selected journal items."
            )
        return move

    def _bank_journal(self) -> int:
        journals = self.db.table("account.journal").records
        return next(i for i, j in sorted(journals.items()) if j["type"] == "bank")

    def action_create_payments(self) -> bool | dict[str, Any]:
        payments = [self._pay(self.record("account.payment.register", i)) for i in self.ids]
        if self.context.get("dont_redirect_to_payments"):
            return True
        action: dict[str, Any] = {
            "name": "Payments",
            "type": "ir.actions.act_window",
            "res_model": "account.payment",
            "context": {"create": False},
        }
        if len(payments) == 1:
            return action | {"view_mode": "form", "res_id": payments[0]}
        return action | {"view_mode": "list,form", "domain": [["id", "in", payments]]}

    def _pay(self, wizard: dict[str, Any]) -> int:
        if wizard["amount"] <= 0:
            raise UserError("The payment amount must be strictly positive.")
        move = self.record("account.move", self.db.links[WIZARD_MOVES][wizard["id"]])
        journal = self.db.table("account.journal").records[wizard["journal_id"]]
        day = date.fromisoformat(wizard["payment_date"])
        payment = {
            "name": self._next_name(journal["code"], day.year),
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": move["commercial_partner_id"],
            "amount": wizard["amount"],
            "currency_id": wizard["currency_id"],
            "date": day.isoformat(),
            "journal_id": journal["id"],
            "state": "in_process",
            "memo": wizard["communication"],
            "invoice_ids": [move["id"]],
            "is_reconciled": True,
            "is_matched": False,
            "create_date": now_text(),
            "write_date": now_text(),
        }
        payment_id = self.db.insert("account.payment", payment)
        rate = rate_of(self.db, move["currency_id"]) / rate_of(self.db, wizard["currency_id"])
        in_move_currency = wizard["amount"] * rate
        residual = max(round(move["amount_residual"] - in_move_currency, 2), 0.0)
        paid = {
            "amount_residual": residual,
            "payment_state": "in_payment" if residual == 0 else "partial",
            "matched_payment_ids": [*move["matched_payment_ids"], payment_id],
            "write_date": now_text(),
        }
        self.db.update("account.move", move["id"], paid)
        refresh_credit(self.db, [move["commercial_partner_id"]])
        return payment_id

    def _next_name(self, code: str, year: int) -> str:
        prefix = f"P{code}/{year}/"
        payments = self.db.table("account.payment").records.values()
        count = sum(1 for p in payments if (p["name"] or "").startswith(prefix))
        return f"{prefix}{count + 1:05d}"


class AccountPayment(BaseModel):
    PUBLIC_METHODS: ClassVar[dict[str, bool]] = {**BaseModel.PUBLIC_METHODS, "unlink": False}

    @property
    def db(self) -> Database:
        return self._table.db

    def unlink(self) -> bool:
        records = self._table.records
        missing = [i for i in self.ids if i not in records]
        if missing:
            raise MissingError(
                "Record does not exist or has been deleted.\n"
                f"(Record: account.payment({missing[0]!r},), User: 2)"
            )
        if any(records[i]["state"] not in ("draft", "canceled") for i in self.ids):
            raise UserError("You cannot delete a payment that is already posted.")
        for payment_id in self.ids:
            self.db.delete("account.payment", payment_id)
        return True
