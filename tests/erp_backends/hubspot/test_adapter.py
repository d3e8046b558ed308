"""The CrmBackend port over HubSpot, against the emulator over HTTP.

Contract tests: the profiles the adapter builds are checked against the emulator's own
world (the seed-1 `CrmWorld`, rebuilt here as the oracle), and the HubSpot calls each
port call costs are counted by the emulator.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import httpx
import pytest

from erp_backends.emulation.world import seed_world
from erp_backends.http import BackendHttp, Resilience
from erp_backends.hubspot.adapter import HubSpotCrm
from erp_backends.hubspot.client import HubSpotClient
from erp_backends.hubspot.emulator.seed import build_world, erp_customers
from erp_backends.hubspot.emulator.store import CrmWorld
from erp_backends.models import CrmProfile, LifecycleStage
from erp_backends.ports import CrmBackend
from tests.harness import EmulatorCalls


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def world() -> CrmWorld:
    return build_world(1)


@pytest.fixture(scope="module")
def erp_emails() -> list[str]:
    return [customer.email for customer in erp_customers(seed_world(1))]


@pytest.fixture
async def http():
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


@pytest.fixture
def connect(http, hubspot_emulator_url):
    def connect(token: str = "pat-demo", **options) -> HubSpotCrm:
        backend_http = BackendHttp(
            http,
            hubspot_emulator_url,
            backend="crm",
            system="HubSpot",
            resilience=Resilience(retries=0),
        )
        return HubSpotCrm(HubSpotClient(backend_http, token), **options)

    return connect


@pytest.fixture
def crm(connect) -> CrmBackend:
    return connect()


@pytest.fixture
def calls(hubspot_emulator_url):
    calls = EmulatorCalls(hubspot_emulator_url)
    calls.reset()
    return calls


# --- the oracle: what the emulator's world says of each email ----------------------------


def expected_profile(world: CrmWorld, email: str) -> dict | None:
    key = world.emails.get(email.lower())
    if key is None:
        return None
    contact = world.objects["contacts"][key].properties
    links = world.associated("contacts", "companies", key)
    primary = next((c for c, types in links.items() if 1 in types), None)
    companies = world.objects["companies"]
    company = companies[primary].properties["name"] if primary else contact["company"]
    owners = [o for o in world.owners if not o["archived"]]
    owner = next((o for o in owners if o["id"] == contact["hubspot_owner_id"]), None)
    deal_ids = world.associated("contacts", "deals", key)
    deals = [world.objects["deals"][d].properties for d in deal_ids]
    return {
        "id": key,
        "company": company,
        "manager": (f"{owner['firstName']} {owner['lastName']}", owner["email"]) if owner else None,
        "stage": contact["lifecyclestage"],
        "activity": contact["notes_last_updated"],
        "deals": sorted(
            (
                d["hs_object_id"],
                Decimal(str(d["amount"])),
                d["deal_currency_code"] or "EUR",
                str(d["closedate"])[:10],
            )
            for d in deals
            if d["hs_is_closed"] == "false"
        ),
    }


def actual(profile: CrmProfile) -> dict:
    manager, stage = profile.account_manager, profile.lifecycle_stage
    return {
        "id": profile.id,
        "company": profile.company_name,
        "manager": (manager.name, manager.email) if manager else None,
        "stage": stage.value.replace("_", "") if stage else None,
        "activity": profile.last_activity_at,
        "deals": sorted(
            (d.id, d.amount.amount, d.amount.currency, d.closes_on.isoformat())
            for d in profile.open_deals
            if d.amount and d.closes_on
        ),
    }


def parsed(expected: dict) -> dict:
    activity = expected["activity"]
    return {**expected, "activity": datetime.fromisoformat(activity) if activity else None}


# --- profiles ---------------------------------------------------------------------------


async def test_every_erp_customers_profile_matches_the_crm(crm, world, erp_emails):
    # When the profiles of every ERP customer's email are asked for at once
    found = await crm.profiles_by_link(erp_emails)
    # Then each email the CRM knows has the profile the CRM's data says, the others none
    for email in erp_emails:
        expected = expected_profile(world, email)
        if expected is None:
            assert email not in found
        else:
            assert actual(found[email]) == parsed(expected), email
    assert 0.78 <= len(found) / len(erp_emails) <= 0.92
    assert any(p.open_deals for p in found.values())
    assert any(p.account_manager is None for p in found.values())
    assert any(
        d.amount and d.amount.currency == "USD" for p in found.values() for d in p.open_deals
    )


async def test_keys_are_the_emails_as_given_matched_without_case(crm, erp_emails):
    email = erp_emails[0]
    found = await crm.profiles_by_link([email.upper(), email, " ", "nobody@nowhere.test"])
    assert list(found) == [email.upper(), email]
    assert found[email.upper()] == found[email]
    assert found[email].email == email


async def test_the_profile_of_a_lead_the_erp_does_not_know(crm, world):
    lead = next(
        c.properties
        for c in world.objects["contacts"].values()
        if c.properties["lifecyclestage"] == "opportunity" and c.properties["company"] is None
    )
    found = await crm.profiles_by_link([lead["email"]])
    profile = found[lead["email"]]
    assert profile.lifecycle_stage is LifecycleStage.OPPORTUNITY
    assert profile.company_name is None
    assert [d.amount.currency for d in profile.open_deals if d.amount] == ["EUR"]


async def test_a_contact_owned_by_a_former_owner_has_no_account_manager(crm, world, calls):
    former = next(o["id"] for o in world.owners if o["archived"])
    email = next(
        c.properties["email"]
        for c in world.objects["contacts"].values()
        if c.properties["hubspot_owner_id"] == former
    )
    first = await crm.profiles_by_link([email])
    again = await crm.profiles_by_link([email])
    assert first[email].account_manager is None
    assert again[email] == first[email]
    assert calls.snapshot()["calls"]["owners.list"] == 1  # unknown, but not asked for again


# --- calls ------------------------------------------------------------------------------


async def test_a_batch_is_six_calls_cold_and_five_warm_whatever_its_size(crm, erp_emails, calls):
    # Given 40 emails, then 80 others
    await crm.profiles_by_link(erp_emails[:40])
    cold = calls.snapshot()
    calls.reset()
    await crm.profiles_by_link(erp_emails[40:120])
    warm = calls.snapshot()
    # Then each batch costs one call per kind, the owners only once
    assert cold["total"] == 6
    assert set(cold["calls"]) == {
        "contacts.batch_read",
        "associations.contacts.companies.batch_read",
        "associations.contacts.deals.batch_read",
        "owners.list",
        "companies.batch_read",
        "deals.batch_read",
    }
    assert warm["total"] == 5
    assert "owners.list" not in warm["calls"]


async def test_more_than_100_emails_are_read_in_chunks_of_100(crm, erp_emails, calls):
    emails = erp_emails + [f"lead{n}@nowhere.test" for n in range(60)]  # ~290: three chunks
    found = await crm.profiles_by_link(emails)
    counted = calls.snapshot()["calls"]
    assert counted["contacts.batch_read"] == 3
    assert counted["associations.contacts.companies.batch_read"] == 2  # ~200 contacts found
    assert counted["owners.list"] == 1
    assert calls.total() <= 3 + 2 * 2 + 1 + 2 * 3
    assert len(found) > 180


async def test_nothing_to_ask_costs_no_call(crm, calls):
    assert await crm.profiles_by_link([]) == {}
    assert await crm.profiles_by_link(["", "  "]) == {}
    assert await crm.profiles_by_link(["nobody@nowhere.test"]) == {}
    assert await crm.profiles_by_link(["nobody@nowhere.test", "no@one.test"]) == {}
    assert calls.snapshot()["calls"] == {"contacts.get": 1, "contacts.batch_read": 1}


async def test_one_email_is_its_contact_read_with_its_associations(crm, world, erp_emails, calls):
    for email in erp_emails[:40]:
        calls.reset()
        # When one email's profile is asked for
        found = await crm.profiles_by_link([email])
        # Then it is the profile the CRM's data says
        expected = expected_profile(world, email)
        assert (actual(found[email]) if found else None) == (
            parsed(expected) if expected else None
        ), email
        # And its contact came with its associated ids: no association read follows it
        counted = calls.snapshot()["calls"]
        assert counted.pop("contacts.get") == 1, email
        assert set(counted) <= {"companies.batch_read", "deals.batch_read", "owners.list"}, email


async def test_one_email_with_a_slash_is_read_by_the_batch(crm, http, hubspot_emulator_url, calls):
    # Given a contact whose email has a slash, which no URL path carries intact
    email = f"sales/{uuid.uuid4().hex[:8]}@slash.test"
    created = await http.post(
        f"{hubspot_emulator_url}/crm/v3/objects/contacts",
        json={"properties": {"email": email, "lifecyclestage": "lead"}},
        headers={"Authorization": "Bearer pat-demo"},
    )
    assert created.status_code == 201, created.text
    calls.reset()
    # When its profile is asked for
    found = await crm.profiles_by_link([email])
    # Then it is found, by a batch read that carries the email in its body
    assert found[email].id == created.json()["id"]
    assert calls.snapshot()["calls"]["contacts.batch_read"] == 1
    assert "contacts.get" not in calls.snapshot()["calls"]
