"""The emulated HubSpot portal's records: CRM objects, their associations and owners.

Objects keep HubSpot's shape: a string id and string (or null) property values. The
store knows each object type's properties, so a read can answer null for a known
property without a value and leave out a property the portal does not have, as
HubSpot does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Properties = dict[str, str | None]

# HubSpot's standard properties of each object type (the ones the emulator knows).
PROPERTIES = {
    "contacts": frozenset(
        (
            "email firstname lastname company jobtitle phone mobilephone website city country"
            " lifecyclestage hs_lead_status hubspot_owner_id notes_last_updated"
            " notes_last_contacted hs_last_sales_activity_timestamp associatedcompanyid"
            " createdate lastmodifieddate hs_object_id"
        ).split()
    ),
    "companies": frozenset(
        (
            "name domain phone city country industry lifecyclestage hubspot_owner_id createdate"
            " hs_lastmodifieddate hs_object_id"
        ).split()
    ),
    "deals": frozenset(
        (
            "dealname amount dealstage pipeline closedate deal_currency_code hubspot_owner_id"
            " hs_is_closed hs_is_closed_won createdate hs_lastmodifieddate hs_object_id"
        ).split()
    ),
}
# What a read without `properties` answers with.
DEFAULT_PROPERTIES = {
    "contacts": tuple("createdate email firstname hs_object_id lastmodifieddate lastname".split()),
    "companies": ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
    "deals": tuple(
        (
            "amount closedate createdate dealname dealstage hs_lastmodifieddate hs_object_id"
            " pipeline"
        ).split()
    ),
}
# Always in an answer, asked for or not.
ALWAYS = {
    "contacts": ("createdate", "hs_object_id", "lastmodifieddate"),
    "companies": ("createdate", "hs_lastmodifieddate", "hs_object_id"),
    "deals": ("createdate", "hs_lastmodifieddate", "hs_object_id"),
}
# Object type names HubSpot accepts in paths: plural, singular and type id.
OBJECT_TYPES = {
    **{name: name for name in PROPERTIES},
    "contact": "contacts",
    "0-1": "contacts",
    "company": "companies",
    "0-2": "companies",
    "deal": "deals",
    "0-3": "deals",
}
SINGULAR = {"contacts": "contact", "companies": "company", "deals": "deal"}

# HUBSPOT_DEFINED association type ids per direction: (unlabeled, "Primary" or None).
ASSOCIATION_TYPES: dict[tuple[str, str], tuple[int, int | None]] = {
    ("contacts", "companies"): (279, 1),
    ("companies", "contacts"): (280, 2),
    ("deals", "contacts"): (3, None),
    ("contacts", "deals"): (4, None),
    ("deals", "companies"): (341, 5),
    ("companies", "deals"): (342, 6),
}
_FIRST_IDS = {"contacts": 1001, "companies": 30001, "deals": 70001}


@dataclass
class CrmObject:
    id: str
    properties: Properties
    created_at: str  # ISO 8601 UTC with milliseconds, "2026-10-12T14:03:22.518Z"
    updated_at: str


@dataclass
class CrmWorld:
    """Everything the emulated portal holds."""

    objects: dict[str, dict[str, CrmObject]] = field(
        default_factory=lambda: {name: {} for name in PROPERTIES}
    )
    owners: list[dict[str, Any]] = field(default_factory=list)  # as GET /crm/v3/owners has them
    # (from type, to type) -> from id -> to id -> association type ids
    links: dict[tuple[str, str], dict[str, dict[str, list[int]]]] = field(
        default_factory=lambda: {pair: {} for pair in ASSOCIATION_TYPES}
    )
    emails: dict[str, str] = field(default_factory=dict)  # lower-case email -> contact id

    def add(self, object_type: str, properties: Properties, created: str, updated: str) -> str:
        table = self.objects[object_type]
        # One past the highest id: the seed's ids stay as they were, and an id archived
        # by a write is never given again.
        key = str(max((int(k) for k in table), default=_FIRST_IDS[object_type] - 1) + 1)
        values: Properties = dict.fromkeys(ALWAYS[object_type])
        values.update(properties)
        modified = "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
        values.update(hs_object_id=key, createdate=created, **{modified: updated})
        table[key] = CrmObject(key, values, created, updated)
        if object_type == "contacts" and values.get("email"):
            self.emails[str(values["email"]).lower()] = key
        return key

    def associate(self, a_type: str, a_id: str, b_type: str, b_id: str, *, primary: bool) -> None:
        """Link two records both ways, with HubSpot's type ids for each direction."""
        for (source, source_id), (target, target_id) in (
            ((a_type, a_id), (b_type, b_id)),
            ((b_type, b_id), (a_type, a_id)),
        ):
            unlabeled, labelled = ASSOCIATION_TYPES[(source, target)]
            types = [labelled, unlabeled] if primary and labelled is not None else [unlabeled]
            self.links[(source, target)].setdefault(source_id, {})[target_id] = types

    def add_link(self, a_type: str, a_id: str, b_type: str, b_id: str, *, primary: bool) -> None:
        """Add the unlabeled type (and the primary one) both ways, keeping the types the
        two records already have, as v4's association create does."""
        for (source, source_id), (target, target_id) in (
            ((a_type, a_id), (b_type, b_id)),
            ((b_type, b_id), (a_type, a_id)),
        ):
            unlabeled, labelled = ASSOCIATION_TYPES[(source, target)]
            wanted = [labelled] if primary and labelled is not None else []
            types = self.links[(source, target)].setdefault(source_id, {}).setdefault(target_id, [])
            for type_id in [*wanted, unlabeled]:
                if type_id not in types:
                    types.append(type_id)
            types.sort(key=lambda type_id: type_id == unlabeled)  # primary first, as seeded

    def unlink(self, a_type: str, a_id: str, b_type: str, b_id: str) -> None:
        """Remove every association between two records, both ways."""
        self.links[(a_type, b_type)].get(a_id, {}).pop(b_id, None)
        self.links[(b_type, a_type)].get(b_id, {}).pop(a_id, None)

    def find(self, object_type: str, key: str, id_property: str | None = None) -> CrmObject | None:
        table = self.objects[object_type]
        if id_property == "email" and object_type == "contacts":
            return table.get(self.emails.get(key.strip().lower(), ""))
        return table.get(key)

    def associated(self, from_type: str, to_type: str, from_id: str) -> dict[str, list[int]]:
        return self.links.get((from_type, to_type), {}).get(from_id, {})

    def archive(self, object_type: str, key: str) -> None:
        """Remove a record, its email and its associations both ways."""
        obj = self.objects[object_type].pop(key, None)
        if obj is None:
            return
        email = str(obj.properties.get("email") or "").lower()
        if object_type == "contacts" and self.emails.get(email) == key:
            del self.emails[email]
        for (source, target), links in self.links.items():
            if source == object_type:
                links.pop(key, None)
            elif target == object_type:
                for targets in links.values():
                    targets.pop(key, None)


def association_name(source: str, target: str, type_id: int) -> str:
    """HubSpot's v3 name of an association type: "contact_to_company" for the primary
    (or only) type, "contact_to_company_unlabeled" for the unlabeled one beside it."""
    unlabeled, primary = ASSOCIATION_TYPES[(source, target)]
    name = f"{SINGULAR[source]}_to_{SINGULAR[target]}"
    return f"{name}_unlabeled" if type_id == unlabeled and primary is not None else name
