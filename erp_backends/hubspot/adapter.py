"""The CrmBackend port over HubSpot.

`profiles_by_link` costs the same few calls per 100 emails, however many emails: the
contacts' batch read by email; then, concurrently, their company and deal associations
(v4) and the owners; then, concurrently, the primary companies' and the deals' batch
reads. Owners change rarely, so they are cached for `owners_ttl_s` (five minutes by
default) and read again at once when a contact names an owner the cache does not know:
a warm batch is five calls, a cold one six. Calls with nothing to ask are skipped.

One email (a customer's page, the customer-360) is one GET of the contact with its
associated ids instead of three calls, two of them one after the other: a warm profile
is three calls, two round trips.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Sequence

from erp_backends.hubspot import mapping
from erp_backends.hubspot.client import Associated, HubSpotClient, Linked
from erp_backends.hubspot.records import HubSpotRecord
from erp_backends.models import AccountManager, CrmProfile, Deal

# Association type ids HubSpot defines: contact -> company "Primary".
PRIMARY_COMPANY = 1
LINKED_TYPES = ("companies", "deals")
# Associations known per type, by contact id.
Links = dict[str, dict[str, list[Associated]]]


class HubSpotCrm:
    """HubSpot as the CRM: a contact by email, with its primary company, its owner as
    account manager, its lifecycle stage, last activity and open deals.

    `id_property` is the unique contact property holding the link value ("email", or
    a custom unique property); `currency` is the portal's, for deals without a
    `deal_currency_code`.
    """

    def __init__(
        self,
        client: HubSpotClient,
        *,
        currency: str = "EUR",
        id_property: str = "email",
        backend: str = "crm",
        owners_ttl_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._currency = currency
        self._id_property = id_property
        self._backend = backend
        self._owners = OwnerDirectory(client, backend=backend, ttl_s=owners_ttl_s, clock=clock)
        self._properties = list(dict.fromkeys([*mapping.CONTACT_PROPERTIES, id_property]))

    async def profiles_by_link(self, emails: Sequence[str]) -> Mapping[str, CrmProfile]:
        keys: dict[str, list[str]] = {}  # lower-cased value -> the keys given for it
        for email in emails:
            if email.strip():
                keys.setdefault(email.strip().lower(), []).append(email)
        if len(keys) == 1:
            contacts, links = await self._contact_with_links(next(iter(keys)))
        else:
            contacts, links = await self._contacts(list(keys)), {}
        if not contacts:
            return {}
        companies, deals, managers = await self._linked(list(contacts.values()), links)
        profiles: dict[str, CrmProfile] = {}
        for value, contact in contacts.items():
            built = mapping.profile(
                contact,
                email=keys[value][0],
                company=companies.get(contact.id),
                manager=managers.get(_owner(contact) or ""),
                deals=deals.get(contact.id, []),
            )
            profiles.update(dict.fromkeys(keys[value], built))
        return profiles

    async def _linked(
        self, contacts: list[HubSpotRecord], known: Links
    ) -> tuple[dict[str, HubSpotRecord], dict[str, list[Deal]], dict[str, AccountManager]]:
        """Each contact's primary company and open deals, by contact id, and the owners;
        associations `known` per type are not asked for again."""
        ids = [contact.id for contact in contacts]
        companies_of, deals_of, managers = await asyncio.gather(
            self._associations("companies", ids, known),
            self._associations("deals", ids, known),
            self._owners.managers({owner for c in contacts if (owner := _owner(c))}),
        )
        primary = {
            contact: company
            for contact, links in companies_of.items()
            if (company := _primary(links)) is not None
        }
        companies, deals = await asyncio.gather(
            self._read("companies", "company", primary.values(), mapping.COMPANY_PROPERTIES),
            self._read(
                "deals",
                "deal",
                (d.id for links in deals_of.values() for d in links),
                mapping.DEAL_PROPERTIES,
            ),
        )
        open_deals = {
            key: mapping.deal(deal, self._currency)
            for key, deal in deals.items()
            if mapping.is_open(deal)
        }
        return (
            {
                contact: companies[company]
                for contact, company in primary.items()
                if company in companies
            },
            {
                contact: [open_deals[d.id] for d in links if d.id in open_deals]
                for contact, links in deals_of.items()
            },
            managers,
        )

    async def _associations(
        self, to_type: str, ids: list[str], known: Links
    ) -> dict[str, list[Associated]]:
        if to_type in known:
            return known[to_type]
        return await self._client.associations("contacts", to_type, ids)

    async def _contact_with_links(self, value: str) -> tuple[dict[str, HubSpotRecord], Links]:
        """The contact of one lower-cased link value, and its associations that came
        whole with it."""
        if "/" in value:
            # Not a path segment a proxy passes intact, even escaped: the batch read
            # takes it in its body.
            return await self._contacts([value]), {}
        answer = await self._client.read_with_associations(
            "contacts",
            value,
            self._properties,
            id_property=self._id_property,
            associations=LINKED_TYPES,
        )
        if answer is None:
            return {}, {}
        contact = HubSpotRecord("contact", answer.record, backend=self._backend)
        found = contact.text(self._id_property)
        if found is None or found.lower() != value:
            return {}, {}
        return {value: contact}, _by_contact(contact.id, answer)

    async def _contacts(self, values: list[str]) -> dict[str, HubSpotRecord]:
        """The contacts by their lower-cased link value (HubSpot keeps emails lower-case)."""
        if not values:
            return {}
        rows = await self._client.batch_read(
            "contacts", values, self._properties, id_property=self._id_property
        )
        wanted, found = set(values), {}
        for row in rows:
            contact = HubSpotRecord("contact", row, backend=self._backend)
            value = contact.text(self._id_property)
            if value is not None and value.lower() in wanted:
                found[value.lower()] = contact
        return found

    async def _read(
        self, object_type: str, singular: str, ids: Iterable[str], properties: list[str]
    ) -> dict[str, HubSpotRecord]:
        unique = sorted(set(ids))
        if not unique:
            return {}
        rows = await self._client.batch_read(object_type, unique, properties)
        records = (HubSpotRecord(singular, row, backend=self._backend) for row in rows)
        return {record.id: record for record in records}


class OwnerDirectory:
    """The portal's owners as account managers, read at most every `ttl_s` seconds.

    An owner id the cache does not know makes it read the owners again at once; ids
    still unknown then (owners of deactivated users) are remembered as unknown until
    the next read, so they do not cost a call per batch.
    """

    def __init__(
        self, client: HubSpotClient, *, backend: str, ttl_s: float, clock: Callable[[], float]
    ) -> None:
        self._client = client
        self._backend = backend
        self._ttl_s = ttl_s
        self._clock = clock
        self._managers: dict[str, AccountManager] = {}
        self._unknown: set[str] = set()
        self._read_at: float | None = None
        self._lock = asyncio.Lock()

    async def managers(self, ids: set[str]) -> dict[str, AccountManager]:
        if ids and self._must_read(ids):
            async with self._lock:
                if self._must_read(ids):
                    await self._read()
                    self._unknown = (self._unknown | ids) - self._managers.keys()
        return {key: self._managers[key] for key in ids if key in self._managers}

    def _must_read(self, ids: set[str]) -> bool:
        stale = self._read_at is None or self._clock() - self._read_at >= self._ttl_s
        return stale or not ids <= self._managers.keys() | self._unknown

    async def _read(self) -> None:
        owners = await self._client.owners()
        managers = (mapping.account_manager(owner, backend=self._backend) for owner in owners)
        self._managers = dict(managers)
        self._read_at = self._clock()


def _owner(contact: HubSpotRecord) -> str | None:
    return contact.text("hubspot_owner_id")


def _by_contact(contact_id: str, answer: Linked) -> Links:
    return {to_type: {contact_id: links} for to_type, links in answer.complete.items()}


def _primary(links: list[Associated]) -> str | None:
    return next((link.id for link in links if PRIMARY_COMPANY in link.type_ids), None)
