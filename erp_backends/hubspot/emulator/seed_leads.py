"""The HubSpot seed's leads: 100 contacts the ERP does not know, people who never
bought. Some work at lead companies (named with trades no ERP customer has, so no
email or name can clash with the ERP's), the others write from a free-mail address;
opportunities have an open deal; the sales team owns the qualified ones.
"""

from __future__ import annotations

import random
from datetime import timedelta
from itertools import product as combinations

from erp_backends.emulation.world.data import ANCHOR, COMPANY_WORDS
from erp_backends.emulation.world.draw import Weighted
from erp_backends.hubspot.emulator.seed_data import (
    FREE_MAIL,
    JOB_TITLES,
    LEAD_COUNTRIES,
    LEAD_TRADES,
)
from erp_backends.hubspot.emulator.seed_people import (
    DealParty,
    Owners,
    add_deal,
    later,
    mailbox,
    person,
    some_time,
    stamp,
)
from erp_backends.hubspot.emulator.store import CrmWorld
from erp_backends.normalize.countries import country_name

LEAD_COUNT = 100
LEAD_COMPANY_COUNT = 35
_STAGES = Weighted(
    ("subscriber", 20),
    ("lead", 35),
    ("marketingqualifiedlead", 20),
    ("salesqualifiedlead", 12),
    ("opportunity", 10),
    ("other", 3),
)
_QUALIFIED = frozenset({"salesqualifiedlead", "opportunity"})


def add_leads(world: CrmWorld, rng: random.Random, owners: Owners) -> None:
    companies = _lead_companies(rng)
    company_ids: dict[str, str] = {}
    for _ in range(LEAD_COUNT):
        stage = _STAGES.pick(rng)
        company = rng.choice(companies) if rng.random() < 0.6 else None
        country = company[1] if company else rng.choice(LEAD_COUNTRIES)[0]
        first, last = person(rng, country)
        domain = company[2] if company else rng.choice(FREE_MAIL)
        email = _unique(world, f"{mailbox(first, last)}@{domain}")
        owned = stage in _QUALIFIED or (stage == "marketingqualifiedlead" and rng.random() < 0.4)
        owner = owners.pick(rng, unowned=0, former=0.05) if owned else None
        created = some_time(rng, ANCHOR - timedelta(days=rng.randint(1, 500)))
        activity = None
        if owned or rng.random() < 0.15:
            activity = later(rng, created, timedelta(days=90))
        contact_id = world.add(
            "contacts",
            {
                "email": email,
                "firstname": first,
                "lastname": last,
                "company": company[0] if company else None,
                "jobtitle": rng.choice(JOB_TITLES) if company else None,
                "country": country_name(country),
                "lifecyclestage": stage,
                "hubspot_owner_id": owner,
                "notes_last_updated": stamp(activity) if activity else None,
            },
            stamp(created),
            stamp(activity or created),
        )
        if company is not None:
            company_id = company_ids.get(company[0])
            if company_id is None:
                company_id = company_ids[company[0]] = world.add(
                    "companies",
                    {
                        "name": company[0],
                        "domain": company[2],
                        "country": country_name(company[1]),
                        "lifecyclestage": "lead",
                    },
                    stamp(created),
                    stamp(created),
                )
            world.associate("contacts", contact_id, "companies", company_id, primary=True)
            world.objects["contacts"][contact_id].properties["associatedcompanyid"] = company_id
        if stage == "opportunity":
            name = company[0] if company else f"{first} {last}"
            party = DealParty(company_ids.get(name), name, (contact_id,), owner, None, 400.0)
            add_deal(world, rng, party, open_share=1.0)


def _lead_companies(rng: random.Random) -> list[tuple[str, str, str]]:
    """(name, country, domain) of the companies leads work at."""
    names = rng.sample(list(combinations(COMPANY_WORDS, LEAD_TRADES)), LEAD_COMPANY_COUNT)
    companies = []
    for word, trade in names:
        country, tld = rng.choice(LEAD_COUNTRIES)
        slug = f"{word}-{trade}".lower().replace(" ", "-")
        companies.append((f"{word} {trade}", country, f"{slug}.{tld}"))
    return companies


def _unique(world: CrmWorld, email: str) -> str:
    local, domain = email.split("@")
    number = 1
    while email in world.emails:
        number += 1
        email = f"{local}{number}@{domain}"
    return email
