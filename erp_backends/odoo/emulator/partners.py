"""`res.partner` created through the API: a contact or address under a company (or a
company itself), with the fields Odoo computes on create."""

from __future__ import annotations

from typing import Any

from erp_backends.odoo.emulator.accounting import company_currency_id
from erp_backends.odoo.emulator.create import Creatable, now_text

_VALUES = tuple(
    "name email phone street street2 zip city vat ref lang type country_id state_id parent_id"
    " is_company website".split()
)


_NAMING = frozenset({"name", "type", "parent_id"})


class ResPartner(Creatable):
    def _create_one(self, vals: dict[str, Any]) -> int:
        parent = self.record("res.partner", vals["parent_id"]) if vals.get("parent_id") else None
        if not vals.get("name") and (parent is None or vals.get("type", "contact") == "contact"):
            self.required(vals, "name")
        given = {name: vals[name] for name in _VALUES if vals.get(name) not in (None, False)}
        country = self.db.table("res.country").records.get(given.get("country_id") or 0)
        is_company = bool(given.get("is_company"))
        when = now_text()
        partner = {
            "type": "contact",
            "active": True,
            "customer_rank": 0,
            "supplier_rank": 0,
            "company_type": "company" if is_company else "person",
            "is_company": is_company,
            "country_code": country["code"] if country else None,
            "currency_id": company_currency_id(self.db),
            "credit": 0.0,
            "credit_limit": 0.0,
            "use_partner_credit_limit": False,
            "create_date": when,
            "write_date": when,
            **given,
        }
        partner_id = self.db.insert("res.partner", partner)
        self._rename(partner_id)
        return partner_id

    def write(self, vals: Any) -> bool:
        written = super().write(vals)
        if isinstance(vals, dict) and _NAMING.intersection(vals):
            for partner_id in self.ids:
                self._rename(partner_id)
        return written

    def _rename(self, partner_id: int) -> None:
        """The names and commercial partner Odoo computes from the name, type and parent."""
        partner = self.record("res.partner", partner_id)
        parent = self.db.table("res.partner").records.get(partner["parent_id"] or 0)
        name = partner["name"] or ""
        if parent is not None:
            # An address without a name shows as "Company, Delivery Address" in Odoo.
            label = name or dict(self._table.fields["type"].selection)[partner["type"]]
            name = f"{parent['name']}, {label}"
        account = parent["commercial_partner_id"] if parent else partner_id
        names = {"commercial_partner_id": account, "complete_name": name, "display_name": name}
        self.db.update("res.partner", partner_id, names)
