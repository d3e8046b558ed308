"""The emulated HubSpot portal's data, derived from the Odoo world of the same seed.

`build_world(seed)` builds the Odoo world (`erp_backends.odoo.emulator.seed`), reads
its customers and their orders, and draws the CRM's own facts from
`Random(f"{seed}:hubspot")`, so the same people appear by email in both:

- 6-8 active owners, the ERP's administrator among them, and one former owner whose
  user was deactivated (archived: `GET /crm/v3/owners` leaves it out);
- for ~85 % of the ERP customers with an email, a contact with that email, and a
  company named as the customer (a few contacts only name it in their `company`
  property); colleagues at some companies; lifecycle stages mostly customer; the last
  activity a few days after the customer's last order;
- 0-4 deals per company, about a third of them open, with the company and its contacts;
- 100 contacts the ERP does not know (`emulator_seed_leads`).

Dates count back from the Odoo seed's ANCHOR, never from today.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from erp_backends.hubspot.emulator.seed_data import JOB_TITLES, OWNER_NAMES, TEAMS
from erp_backends.hubspot.emulator.seed_leads import add_leads
from erp_backends.hubspot.emulator.seed_people import (
    DealParty,
    Owners,
    add_deal,
    later,
    mailbox,
    owner_json,
    person,
    some_time,
    stamp,
)
from erp_backends.hubspot.emulator.store import CrmWorld
from erp_backends.normalize.countries import country_name
from erp_backends.odoo.emulator.db import Database
from erp_backends.odoo.emulator.seed import build_world as build_odoo_world
from erp_backends.odoo.emulator.seed_data import COUNTRIES
from erp_backends.odoo.emulator.seed_sales import Weighted

CONTACT_SHARE = 0.85
_CURRENCIES = {style.code: style.currency for style in COUNTRIES}
_STAGES = Weighted(("customer", 80), ("evangelist", 10), ("opportunity", 4),
                   ("salesqualifiedlead", 3), ("other", 3))  # fmt: skip
_DEALS_PER_COMPANY = Weighted((0, 30), (1, 30), (2, 20), (3, 12), (4, 8))


@dataclass(frozen=True)
class ErpCustomer:
    """What the CRM knows of an ERP customer company."""

    name: str
    email: str
    country: str
    city: str | None
    phone: str | None
    created: datetime
    last_order: datetime | None
    typical_order: float  # the average order total, in the customer's currency


def build_world(seed: int) -> CrmWorld:
    """The emulated portal, the same for the same seed, consistent with the ERP's."""
    odoo = build_odoo_world(seed)
    rng = random.Random(f"{seed}:hubspot")
    world = CrmWorld()
    owners = _owners(world, rng, odoo)
    for customer in erp_customers(odoo):
        if rng.random() < CONTACT_SHARE:
            _customer_account(world, rng, owners, customer)
    add_leads(world, rng, owners)
    return world


def erp_customers(odoo: Database) -> list[ErpCustomer]:
    """The ERP's top-level customers that have an email, by id."""
    orders: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    for order in odoo.table("sale.order").records.values():
        if order["state"] != "cancel":
            orders[order["partner_id"]].append((_odoo_time(order["date_order"]),
                                                order["amount_total"]))  # fmt: skip
    partners = odoo.table("res.partner").records
    return [
        _customer(partner, orders[partner["id"]])
        for partner in sorted(partners.values(), key=lambda p: p["id"])
        if not partner["parent_id"] and partner["customer_rank"] > 0 and partner["email"]
    ]


def _customer(partner: dict[str, Any], orders: list[tuple[datetime, float]]) -> ErpCustomer:
    typical = sum(total for _, total in orders) / len(orders) if orders else 200.0
    return ErpCustomer(
        partner["name"], partner["email"], partner["country_code"], partner["city"],
        partner["phone"], _odoo_time(partner["create_date"]),
        max((when for when, _ in orders), default=None), typical,
    )  # fmt: skip


def _owners(world: CrmWorld, rng: random.Random, odoo: Database) -> Owners:
    admin = next(u for u in odoo.table("res.users").records.values() if u["login"] == "admin")
    domain = admin["email"].split("@")[1]
    names = [tuple(admin["name"].split(" ", 1)), *rng.sample(OWNER_NAMES, rng.randint(6, 8))]
    keys = rng.sample(range(10_000_000, 99_999_999), len(names))
    users = rng.sample(range(1_000_000, 9_999_999), len(names))
    owners = Owners()
    for number, (name, key, user) in enumerate(zip(names, keys, users, strict=True)):
        email = admin["email"] if number == 0 else f"{mailbox(*name)}@{domain}"
        owner = owner_json(rng, str(key), user, (name[0], name[1]), email, rng.choice(TEAMS))
        world.owners.append(owner)
        if number == len(names) - 1:  # the last one left the company
            owner.update(archived=True, userId=None)
            owners.former = str(key)
        else:
            owners.active.append(str(key))
            owners.weights.append(rng.uniform(0.5, 2.0))
    return owners


def _customer_account(
    world: CrmWorld, rng: random.Random, owners: Owners, customer: ErpCustomer
) -> None:
    """The company, its contacts (the ERP's email first) and its deals."""
    owner = owners.pick(rng)
    domain = customer.email.split("@")[1]
    created = some_time(rng, customer.created.date() - timedelta(days=rng.randint(0, 90)))
    company_id = world.add("companies", {
        "name": customer.name, "domain": domain, "city": customer.city,
        "country": country_name(customer.country), "phone": customer.phone,
        "lifecyclestage": "customer", "hubspot_owner_id": owner,
    }, stamp(created), stamp(max(created, customer.last_order or created)))  # fmt: skip
    contacts = [_contact(world, rng, customer, customer.email, company_id, owner, created)]
    if rng.random() < 0.3:
        for _ in range(rng.randint(1, 2)):
            first, last = person(rng, customer.country)
            email = f"{mailbox(first, last)}@{domain}"
            if email.lower() not in world.emails:
                contacts.append(_contact(world, rng, customer, email, company_id, owner, created,
                                         name=(first, last)))  # fmt: skip
    currency = _CURRENCIES.get(customer.country, "EUR")
    party = DealParty(
        company_id, customer.name, tuple(contacts), owner,
        None if currency == "EUR" and rng.random() < 0.3 else currency, customer.typical_order,
    )  # fmt: skip
    for _ in range(_DEALS_PER_COMPANY.pick(rng)):
        add_deal(world, rng, party, open_share=0.32)


def _contact(
    world: CrmWorld, rng: random.Random, customer: ErpCustomer, email: str, company_id: str,
    owner: str | None, created: datetime, *, name: tuple[str, str] | None = None,
) -> str:  # fmt: skip
    first, last = name or person(rng, customer.country)
    activity = None
    if customer.last_order is not None and rng.random() < 0.9:
        activity = later(rng, customer.last_order, timedelta(days=14))
    associated = rng.random() < 0.95
    contact_id = world.add("contacts", {
        "email": email.lower(), "firstname": first, "lastname": last,
        "company": customer.name, "jobtitle": rng.choice(JOB_TITLES), "phone": customer.phone,
        "city": customer.city, "country": country_name(customer.country),
        "lifecyclestage": _STAGES.pick(rng), "hubspot_owner_id": owner,
        "notes_last_updated": stamp(activity) if activity else None,
        "associatedcompanyid": company_id if associated else None,
    }, stamp(created), stamp(activity or created))  # fmt: skip
    if associated:
        world.associate("contacts", contact_id, "companies", company_id, primary=True)
    return contact_id


def _odoo_time(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
