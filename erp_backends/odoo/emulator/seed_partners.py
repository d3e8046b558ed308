"""The emulated Odoo's partners: the company, OdooBot and the administrator, then the
neutral world's customer companies (`erp_backends.emulation.world.parties`) with their
delivery and invoice addresses, and, once invoices exist, the companies' credit limits
(Odoo's own, drawn here) and receivables.

Child addresses are named "Company, Child" and point to their company as
`commercial_partner_id`, as in Odoo.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from erp_backends.emulation.world import parties as world_parties
from erp_backends.emulation.world.parties import (
    ADMIN,
    SELLER_ADDRESS,
    SELLER_EMAIL,
    SELLER_NAME,
    SELLER_PHONE,
    SELLER_WEBSITE,
)
from erp_backends.odoo.emulator.accounting import refresh_credit
from erp_backends.odoo.emulator.db import Database
from erp_backends.odoo.emulator.seed_sales import Customer, dt


class Refs(dict[str, int]):
    """Ids of reference records by a readable key: "currency:EUR", "uom:kg"."""


def company_and_users(db: Database, refs: Refs) -> None:
    # Odoo's own first records: the company's partner, OdooBot and the administrator.
    # As Odoo's own records are: no street2 at all, where customers have one or None.
    company = _without_street2(_address(refs, SELLER_ADDRESS)) | {
        "name": SELLER_NAME,
        "is_company": True,
        "company_type": "company",
        "type": "contact",
        "email": SELLER_EMAIL,
        "phone": SELLER_PHONE,
        "website": SELLER_WEBSITE,
        "active": True,
    }
    bot = {"name": "OdooBot", "email": "odoobot@example.com", "active": False, "type": "contact"}
    admin = _without_street2(_address(refs, ADMIN.address) if ADMIN.address else {}) | {
        "name": ADMIN.name,
        "email": ADMIN.email,
        "active": True,
        "type": "contact",
        "parent_id": 1,
    }
    for values in (company, bot, admin):
        values.update(
            company_type=values.get("company_type", "person"),
            customer_rank=0,
            supplier_rank=0,
            is_company=bool(values.get("is_company")),
        )
        partner_id = db.insert("res.partner", values)
        db.update("res.partner", partner_id, _commercial(db, partner_id))
    for login, partner, name, active in (
        ("__system__", 2, "OdooBot", False),
        ("admin", 3, ADMIN.name, True),
    ):
        db.insert(
            "res.users",
            {
                "name": name,
                "login": login,
                "partner_id": partner,
                "active": active,
                "email": db.table("res.partner").records[partner]["email"],
                "tz": "Europe/Brussels",
                "lang": "en_US",
            },
        )


def _without_street2(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if key != "street2"}


def _commercial(db: Database, partner_id: int) -> dict[str, Any]:
    partner = db.table("res.partner").records[partner_id]
    parent = db.table("res.partner").records.get(partner["parent_id"] or 0)
    name = f"{parent['name']}, {partner['name']}" if parent else partner["name"]
    return {
        "commercial_partner_id": parent["id"] if parent else partner_id,
        "complete_name": name,
        "display_name": name,
    }


def insert_customers(
    db: Database, refs: Refs, world: Sequence[world_parties.Customer]
) -> dict[int, Customer]:
    """The world's customer companies, each followed by its delivery and invoice
    addresses; the Odoo references of each by its world number."""
    customers = {}
    for customer in world:
        company_id = db.insert("res.partner", _company_values(refs, customer))
        db.update("res.partner", company_id, _commercial(db, company_id))
        children = {
            contact.kind: _child(db, refs, contact, company_id)
            for contact in (customer.delivery, customer.invoice)
            if contact is not None
        }
        style = customer.style
        customers[customer.number] = Customer(
            id=company_id,
            invoice_address=children.get("invoice", company_id),
            delivery_address=children.get("delivery", company_id),
            currency=style.currency,
            currency_id=refs[f"currency:{style.currency}"],
            tax_id=refs[f"tax:{style.code}"],
            tax_rate=style.tax_rate,
        )
    return customers


def _company_values(refs: Refs, customer: world_parties.Customer) -> dict[str, Any]:
    return _address(refs, customer.address) | {
        "name": customer.name,
        "is_company": True,
        "company_type": "company",
        "type": "contact",
        "email": customer.email,
        "phone": customer.phone,
        "website": customer.website,
        "vat": customer.vat,
        "customer_rank": customer.rank,
        "supplier_rank": 0,
        "lang": customer.lang,
        "active": True,
        "create_date": dt(customer.created),
        "ref": customer.ref,
    }


def _child(db: Database, refs: Refs, contact: world_parties.Contact, parent_id: int) -> int:
    values = _address(refs, contact.address) | {
        "name": contact.name,
        "type": contact.kind,
        "parent_id": parent_id,
        "is_company": False,
        "company_type": "person",
        "customer_rank": 0,
        "supplier_rank": 0,
        "active": True,
        "email": contact.email,
        "lang": contact.lang,
        "create_date": db.table("res.partner").records[parent_id]["create_date"],
    }
    child_id = db.insert("res.partner", values)
    db.update("res.partner", child_id, _commercial(db, child_id))
    return child_id


def _address(refs: Refs, address: world_parties.Address) -> dict[str, Any]:
    return {
        "street": address.street,
        "city": address.city,
        "zip": address.zip,
        "street2": address.street2,
        "state_id": refs[f"state:{address.state}"] if address.state else None,
        "country_id": refs[f"country:{address.country}"],
        "country_code": address.country,
    }


_CREDIT_LIMITS = (5000.0, 10000.0, 20000.0, 25000.0, 50000.0, 100000.0)


def seed_credit(
    db: Database, refs: Refs, customers: Mapping[int, Customer], rng: random.Random
) -> None:
    """Credit limits (in the company's euros) for about 70% of the companies; `credit`
    follows from the invoices, so this runs once they exist."""
    euro = refs["currency:EUR"]
    for partner in db.table("res.partner").records.values():
        partner.update(
            currency_id=euro, credit=0.0, credit_limit=0.0, use_partner_credit_limit=False
        )
    for customer in customers.values():
        if rng.random() < 0.7:
            limit = rng.choice(_CREDIT_LIMITS)
            db.update(
                "res.partner",
                customer.id,
                {"credit_limit": limit, "use_partner_credit_limit": True},
            )
    refresh_credit(db, [customer.id for customer in customers.values()])
