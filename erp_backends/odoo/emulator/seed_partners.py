"""Seed the emulated Odoo's partners: the company, OdooBot and the administrator, then
240 customer companies in eight countries, some with delivery and invoice addresses,
and, once invoices exist, the companies' credit limits and receivables.

Names, streets, phones and VAT numbers follow each country's conventions
(`emulator_seed_data.COUNTRIES`); child addresses are named "Company, Child" and point
to their company as `commercial_partner_id`, as in Odoo.
"""

from __future__ import annotations

import random
from itertools import product as combinations
from typing import Any

from erp_backends.odoo.emulator.accounting import refresh_credit
from erp_backends.odoo.emulator.db import Database
from erp_backends.odoo.emulator.seed_data import (
    COMPANY_TRADES,
    COMPANY_WORDS,
    COUNTRIES,
    DELIVERY_NAMES,
    EMAIL_BOXES,
    INVOICE_NAMES,
    CountryStyle,
)
from erp_backends.odoo.emulator.seed_sales import Customer

CUSTOMER_COUNT = 240
_DUTCH_BE = frozenset({"Antwerp", "Ghent", "Leuven", "Bruges", "Mechelen"})


class Refs(dict[str, int]):
    """Ids of reference records by a readable key: "currency:EUR", "uom:kg"."""


def company_and_users(db: Database, refs: Refs) -> None:
    # Odoo's own first records: the company's partner, OdooBot and the administrator.
    us = {"country_id": refs["country:US"], "country_code": "US"}
    company = {
        "name": "YourCompany", "is_company": True, "company_type": "company", "type": "contact",
        "street": "250 Executive Park Blvd, Suite 3400", "city": "San Francisco",
        "zip": "94134", "state_id": refs["state:CA"], "email": "info@yourcompany.example.com",
        "phone": "+1 555-555-5556", "website": "https://www.example.com", "active": True, **us,
    }  # fmt: skip
    bot = {"name": "OdooBot", "email": "odoobot@example.com", "active": False, "type": "contact"}
    admin = {"name": "Mitchell Admin", "email": "admin@yourcompany.example.com", "active": True,
             "type": "contact", "street": "215 Vine St", "city": "Scranton", "zip": "18503",
             "state_id": refs["state:PA"], "parent_id": 1, **us}  # fmt: skip
    for values in (company, bot, admin):
        values.update(company_type=values.get("company_type", "person"), customer_rank=0,
                      supplier_rank=0, is_company=bool(values.get("is_company")))  # fmt: skip
        partner_id = db.insert("res.partner", values)
        db.update("res.partner", partner_id, _commercial(db, partner_id))
    for login, partner, name, active in (("__system__", 2, "OdooBot", False),
                                         ("admin", 3, "Mitchell Admin", True)):  # fmt: skip
        db.insert("res.users", {
            "name": name, "login": login, "partner_id": partner, "active": active,
            "email": db.table("res.partner").records[partner]["email"],
            "tz": "Europe/Brussels", "lang": "en_US",
        })  # fmt: skip


def _commercial(db: Database, partner_id: int) -> dict[str, Any]:
    partner = db.table("res.partner").records[partner_id]
    parent = db.table("res.partner").records.get(partner["parent_id"] or 0)
    name = f"{parent['name']}, {partner['name']}" if parent else partner["name"]
    return {
        "commercial_partner_id": parent["id"] if parent else partner_id,
        "complete_name": name, "display_name": name,
    }  # fmt: skip


def seed_customers(db: Database, refs: Refs, rng: random.Random) -> list[Customer]:
    styles = [s for s in COUNTRIES for _ in range(round(s.share * CUSTOMER_COUNT))]
    styles += [COUNTRIES[0]] * (CUSTOMER_COUNT - len(styles))
    rng.shuffle(styles)
    names = _company_names(rng, len(styles))
    customers = []
    for number, (style, (words, trade)) in enumerate(zip(styles, names, strict=True), 1):
        slug = f"{words}-{trade}".lower().replace(" ", "-")
        name = f"{words} {trade} {rng.choice(style.legal_forms)}"
        values = _company_values(rng, refs, style, name, slug) | {"ref": f"C{number:05d}"}
        company_id = db.insert("res.partner", values)
        db.update("res.partner", company_id, _commercial(db, company_id))
        children = {
            kind: _child(db, rng, refs, style, company_id, kind, slug)
            for kind, chance in (("delivery", 0.35), ("invoice", 0.25))
            if rng.random() < chance
        }
        currency = style.currency
        customers.append(Customer(
            company_id, children.get("invoice", company_id), children.get("delivery", company_id),
            currency, refs[f"currency:{currency}"], refs[f"tax:{style.code}"], style.tax_rate,
        ))  # fmt: skip
    return customers


def _company_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    pairs = list(combinations(COMPANY_WORDS, COMPANY_TRADES))
    return rng.sample(pairs, count)


def _company_values(
    rng: random.Random, refs: Refs, style: CountryStyle, name: str, slug: str
) -> dict[str, Any]:
    address = _address(rng, refs, style)
    lang = "nl_BE" if style.code == "BE" and address["city"] in _DUTCH_BE else style.lang
    has_vat = style.vat_format is not None and rng.random() < 0.9
    return address | {
        "name": name, "is_company": True, "company_type": "company", "type": "contact",
        "email": f"{rng.choice(EMAIL_BOXES)}@{slug}.{style.tld}" if rng.random() < 0.95 else None,
        "phone": _digits(rng, style.phone_format) if rng.random() < 0.9 else None,
        "website": f"https://www.{slug}.{style.tld}" if rng.random() < 0.7 else None,
        "vat": _digits(rng, style.vat_format) if has_vat and style.vat_format else None,
        "customer_rank": rng.randint(1, 40), "supplier_rank": 0, "lang": lang, "active": True,
        "create_date": f"2024-{rng.randint(1, 9):02d}-{rng.randint(1, 28):02d} 10:00:00",
    }  # fmt: skip


def _child(
    db: Database, rng: random.Random, refs: Refs, style: CountryStyle,
    parent_id: int, kind: str, slug: str,
) -> int:  # fmt: skip
    name = rng.choice(DELIVERY_NAMES if kind == "delivery" else INVOICE_NAMES)
    box = "warehouse" if kind == "delivery" else rng.choice(("ap", "billing", "invoices"))
    values = _address(rng, refs, style) | {
        "name": name, "type": kind, "parent_id": parent_id, "is_company": False,
        "company_type": "person", "customer_rank": 0, "supplier_rank": 0, "active": True,
        "email": f"{box}@{slug}.{style.tld}", "lang": style.lang,
        "create_date": db.table("res.partner").records[parent_id]["create_date"],
    }  # fmt: skip
    child_id = db.insert("res.partner", values)
    db.update("res.partner", child_id, _commercial(db, child_id))
    return child_id


def _address(rng: random.Random, refs: Refs, style: CountryStyle) -> dict[str, Any]:
    city, zip_code, state = rng.choice(style.cities)
    number = rng.randint(10, 4999) if style.code == "US" else rng.randint(1, 250)
    street = style.street_format.format(n=number, street=rng.choice(style.streets))
    extra = rng.choice(("Suite 200", "Floor 3", "Unit 12", "Building B"))
    return {
        "street": street, "city": city, "zip": zip_code,
        "street2": extra if rng.random() < 0.15 else None,
        "state_id": refs[f"state:{state}"] if state else None,
        "country_id": refs[f"country:{style.code}"], "country_code": style.code,
    }  # fmt: skip


def _digits(rng: random.Random, pattern: str) -> str:
    return "".join(str(rng.randint(0, 9)) if c == "#" else c for c in pattern)


_CREDIT_LIMITS = (5000.0, 10000.0, 20000.0, 25000.0, 50000.0, 100000.0)


def seed_credit(db: Database, refs: Refs, customers: list[Customer], rng: random.Random) -> None:
    """Credit limits (in the company's euros) for about 70% of the companies; `credit`
    follows from the invoices, so this runs once they exist."""
    euro = refs["currency:EUR"]
    for partner in db.table("res.partner").records.values():
        partner.update(currency_id=euro, credit=0.0, credit_limit=0.0,
                       use_partner_credit_limit=False)  # fmt: skip
    for customer in customers:
        if rng.random() < 0.7:
            limit = rng.choice(_CREDIT_LIMITS)
            db.update("res.partner", customer.id,
                      {"credit_limit": limit, "use_partner_credit_limit": True})  # fmt: skip
    refresh_credit(db, [customer.id for customer in customers])
