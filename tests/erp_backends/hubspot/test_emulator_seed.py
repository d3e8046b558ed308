"""The emulated HubSpot portal's world: projected from the neutral world of the same
seed, deterministic and fast to build."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from erp_backends.emulation.world import seed_world
from erp_backends.emulation.world.data import ANCHOR
from erp_backends.hubspot.emulator.seed import build_world, erp_customers
from erp_backends.hubspot.emulator.seed_people import NOW
from erp_backends.hubspot.emulator.store import CrmWorld

REPO = Path(__file__).resolve().parents[3]
DIGEST = (
    "import hashlib; from erp_backends.hubspot.emulator.seed import build_world;"
    "w = build_world(1);"
    "print(hashlib.sha256(repr((w.objects, w.owners, w.links)).encode()).hexdigest())"
)


@pytest.fixture(scope="module")
def world() -> CrmWorld:
    return build_world(1)


@pytest.fixture(scope="module")
def customers():
    return erp_customers(seed_world(1))


def digest(world: CrmWorld) -> str:
    return hashlib.sha256(repr((world.objects, world.owners, world.links)).encode()).hexdigest()


def contact_by_email(world: CrmWorld, email: str):
    key = world.emails.get(email.lower())
    return None if key is None else world.objects["contacts"][key]


def primary_company(world: CrmWorld, contact_id: str):
    links = world.associated("contacts", "companies", contact_id)
    return next((world.objects["companies"][k] for k, types in links.items() if 1 in types), None)


# --- the same people as the ERP ---------------------------------------------------------


def test_most_erp_customers_are_contacts_with_the_same_email(world, customers):
    found = [c for c in customers if contact_by_email(world, c.email) is not None]
    assert len(customers) > 200
    assert 0.78 <= len(found) / len(customers) <= 0.92


def test_each_erp_contact_names_the_customer_through_its_company(world, customers):
    contacts = [(c, contact_by_email(world, c.email)) for c in customers]
    contacts = [(customer, contact) for customer, contact in contacts if contact is not None]
    companies = [primary_company(world, contact.id) for _, contact in contacts]
    names = [
        company.properties["name"] if company else contact.properties["company"]
        for company, (_, contact) in zip(companies, contacts, strict=True)
    ]
    assert names == [customer.name for customer, _ in contacts]
    associated = sum(company is not None for company in companies)
    assert 0.85 <= associated / len(contacts) < 1.0  # a few only carry the `company` property


def test_erp_contacts_are_mostly_customers_with_a_recent_activity(world, customers):
    contacts = [c for c in (contact_by_email(world, x.email) for x in customers) if c]
    stages = Counter(c.properties["lifecyclestage"] for c in contacts)
    assert stages["customer"] / len(contacts) > 0.7
    with_activity = [c for c in contacts if c.properties["notes_last_updated"]]
    assert 0.8 <= len(with_activity) / len(contacts) <= 0.97


def test_leads_are_contacts_the_erp_does_not_know(world, customers):
    erp_domains = {c.email.split("@")[1] for c in customers}
    leads = [
        c
        for c in world.objects["contacts"].values()
        if c.properties["email"].split("@")[1] not in erp_domains
    ]
    assert len(leads) == 100
    assert {c.properties["lifecyclestage"] for c in leads} >= {"lead", "subscriber", "opportunity"}
    assert "customer" not in {c.properties["lifecyclestage"] for c in leads}


# --- owners and deals -------------------------------------------------------------------


def test_six_to_eight_owners_and_one_former_owner(world):
    active = [o for o in world.owners if not o["archived"]]
    assert 6 <= len(active) <= 8
    assert [o["archived"] for o in world.owners].count(True) == 1
    assert "admin@yourcompany.example.com" in {o["email"] for o in active}
    assert len({o["id"] for o in world.owners}) == len(world.owners)
    owners = {o["id"] for o in world.owners}
    assert all(
        c.properties["hubspot_owner_id"] in owners
        for c in world.objects["contacts"].values()
        if c.properties["hubspot_owner_id"]
    )


def test_companies_have_up_to_four_deals_some_open_linked_both_ways(world):
    deals_per_company: Counter[str] = Counter()
    for deal_id in world.objects["deals"]:
        for company_id in world.associated("deals", "companies", deal_id):
            deals_per_company[company_id] += 1
            assert deal_id in world.associated("companies", "deals", company_id)
        assert world.associated("deals", "contacts", deal_id)
    assert max(deals_per_company.values()) <= 4
    open_deals = [
        d for d in world.objects["deals"].values() if d.properties["hs_is_closed"] == "false"
    ]
    assert 0.2 <= len(open_deals) / len(world.objects["deals"]) <= 0.45
    assert {d.properties["dealstage"] for d in open_deals}.isdisjoint({"closedwon", "closedlost"})
    currencies = Counter(
        d.properties["deal_currency_code"] for d in world.objects["deals"].values()
    )
    assert currencies[None] > 0
    assert {"EUR", "USD", "GBP"} <= set(currencies)


def test_property_values_are_strings_and_nothing_happens_after_the_anchor(world):
    for table in world.objects.values():
        for obj in table.values():
            assert all(v is None or isinstance(v, str) for v in obj.properties.values())
            for (
                name
            ) in "createdate lastmodifieddate hs_lastmodifieddate notes_last_updated".split():
                if obj.properties.get(name):
                    assert datetime.fromisoformat(obj.properties[name]) <= NOW, (obj.id, name)
    closed = [d for d in world.objects["deals"].values() if d.properties["hs_is_closed"] == "true"]
    assert all(datetime.fromisoformat(d.properties["closedate"]).date() <= ANCHOR for d in closed)


# --- determinism and speed --------------------------------------------------------------


def test_same_seed_same_world_different_seed_different_world(world):
    assert digest(build_world(1)) == digest(world)
    assert digest(build_world(2)) != digest(world)


@pytest.mark.slow
def test_world_does_not_depend_on_the_hash_seed(world):
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    argv = [sys.executable, "-c", DIGEST]
    out = subprocess.run(argv, cwd=REPO, env=env, check=True, capture_output=True, text=True)
    assert out.stdout.strip() == digest(world)
