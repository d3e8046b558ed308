"""The emulated HubSpot portal's data, projected from the neutral world of the same seed.

`build_world(seed)` draws the neutral world (`erp_backends.emulation.world.seed_world`),
which the ERP emulators project too, reads its customers and their orders, and draws
the CRM's own facts from `Random(f"{seed}:hubspot")`, so the same people appear by
email in the CRM and the ERP:

- 6-8 active owners, the company's administrator among them, and one former owner whose
  user was deactivated (archived: `GET /crm/v3/owners` leaves it out);
- for ~85 % of the customers with an email, a contact with that email, and a
  company named as the customer (a few contacts only name it in their `company`
  property); colleagues at some companies; lifecycle stages mostly customer; the last
  activity a few days after the customer's last order;
- 0-4 deals per company, about a third of them open, with the company and its contacts;
- 100 contacts the ERP does not know (`seed_leads`).

Dates count back from the world's ANCHOR, never from today.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from erp_backends.emulation.world import World, seed_world
from erp_backends.emulation.world.data import COUNTRIES
from erp_backends.emulation.world.draw import Weighted
from erp_backends.emulation.world.parties import ADMIN
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

CONTACT_SHARE = 0.85
_CURRENCIES = {style.code: style.currency for style in COUNTRIES}
_STAGES = Weighted(
    ("customer", 80),
    ("evangelist", 10),
    ("opportunity", 4),
    ("salesqualifiedlead", 3),
    ("other", 3),
)
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
    return derive_crm(seed_world(seed))


def derive_crm(world: World) -> CrmWorld:
    """The portal of the company whose neutral world is `world`."""
    rng = random.Random(f"{world.seed}:hubspot")
    crm = CrmWorld()
    owners = _owners(crm, rng)
    for customer in erp_customers(world):
        if rng.random() < CONTACT_SHARE:
            _customer_account(crm, rng, owners, customer)
    add_leads(crm, rng, owners)
    return crm


def erp_customers(world: World) -> list[ErpCustomer]:
    """The world's customer companies that have an email, in the world's order."""
    orders: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    for order in world.orders:
        if order.state != "cancel":
            orders[order.customer.number].append((_utc(order.when), order.total))
    return [
        ErpCustomer(
            name=customer.name,
            email=customer.email,
            country=customer.country,
            city=customer.address.city,
            phone=customer.phone,
            created=_utc(customer.created),
            last_order=max((when for when, _ in orders[customer.number]), default=None),
            typical_order=_average(orders[customer.number]),
        )
        for customer in world.customers
        if customer.email
    ]


def _average(orders: list[tuple[datetime, float]]) -> float:
    return sum(total for _, total in orders) / len(orders) if orders else 200.0


def _owners(world: CrmWorld, rng: random.Random) -> Owners:
    domain = ADMIN.email.split("@")[1]
    first, last = ADMIN.name.split(" ", 1)
    names = [(first, last), *rng.sample(OWNER_NAMES, rng.randint(6, 8))]
    keys = rng.sample(range(10_000_000, 99_999_999), len(names))
    users = rng.sample(range(1_000_000, 9_999_999), len(names))
    owners = Owners()
    for number, (name, key, user) in enumerate(zip(names, keys, users, strict=True)):
        email = ADMIN.email if number == 0 else f"{mailbox(*name)}@{domain}"
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
    company_id = world.add(
        "companies",
        {
            "name": customer.name,
            "domain": domain,
            "city": customer.city,
            "country": country_name(customer.country),
            "phone": customer.phone,
            "lifecyclestage": "customer",
            "hubspot_owner_id": owner,
        },
        stamp(created),
        stamp(max(created, customer.last_order or created)),
    )
    contacts = [_contact(world, rng, customer, customer.email, company_id, owner, created)]
    if rng.random() < 0.3:
        for _ in range(rng.randint(1, 2)):
            first, last = person(rng, customer.country)
            email = f"{mailbox(first, last)}@{domain}"
            if email.lower() not in world.emails:
                contacts.append(
                    _contact(
                        world, rng, customer, email, company_id, owner, created, name=(first, last)
                    )
                )
    currency = _CURRENCIES.get(customer.country, "EUR")
    party = DealParty(
        company_id,
        customer.name,
        tuple(contacts),
        owner,
        None if currency == "EUR" and rng.random() < 0.3 else currency,
        customer.typical_order,
    )
    for _ in range(_DEALS_PER_COMPANY.pick(rng)):
        add_deal(world, rng, party, open_share=0.32)


def _contact(
    world: CrmWorld,
    rng: random.Random,
    customer: ErpCustomer,
    email: str,
    company_id: str,
    owner: str | None,
    created: datetime,
    *,
    name: tuple[str, str] | None = None,
) -> str:
    first, last = name or person(rng, customer.country)
    activity = None
    if customer.last_order is not None and rng.random() < 0.9:
        activity = later(rng, customer.last_order, timedelta(days=14))
    associated = rng.random() < 0.95
    contact_id = world.add(
        "contacts",
        {
            "email": email.lower(),
            "firstname": first,
            "lastname": last,
            "company": customer.name,
            "jobtitle": rng.choice(JOB_TITLES),
            "phone": customer.phone,
            "city": customer.city,
            "country": country_name(customer.country),
            "lifecyclestage": _STAGES.pick(rng),
            "hubspot_owner_id": owner,
            "notes_last_updated": stamp(activity) if activity else None,
            "associatedcompanyid": company_id if associated else None,
        },
        stamp(created),
        stamp(activity or created),
    )
    if associated:
        world.associate("contacts", contact_id, "companies", company_id, primary=True)
    return contact_id


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)
