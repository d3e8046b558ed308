"""Shared draws of the HubSpot seed: timestamps, people, owners and deals."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from erp_backends.emulation.world.data import ANCHOR
from erp_backends.emulation.world.draw import Weighted
from erp_backends.hubspot.emulator.seed_data import DEAL_TOPICS, OPEN_STAGES, PEOPLE, TEAMS
from erp_backends.hubspot.emulator.store import CrmWorld

# The seed's "now": the end of the world's anchor day. Nothing happened after it.
NOW = datetime.combine(ANCHOR, time(23, 59, 59), tzinfo=UTC)
_OPEN_STAGES = Weighted(*OPEN_STAGES)


def stamp(moment: datetime) -> str:
    """HubSpot's datetime text, "2026-10-12T14:03:22.518Z", never later than NOW."""
    moment = min(moment, NOW)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def day_stamp(day: date) -> str:
    """A date property's datetime text: midnight UTC of the day, as HubSpot stores them."""
    return f"{day.isoformat()}T00:00:00.000Z"


def some_time(rng: random.Random, day: date) -> datetime:
    """A moment of office hours on `day`, to the millisecond."""
    start = datetime.combine(day, time(7), tzinfo=UTC)
    return start + timedelta(milliseconds=rng.randrange(11 * 3600 * 1000))


def later(rng: random.Random, moment: datetime, most: timedelta) -> datetime:
    """A moment at most `most` after `moment`, and not after NOW."""
    span = max(timedelta(0), min(most, NOW - moment))
    return moment + timedelta(milliseconds=rng.randrange(int(span.total_seconds() * 1000) + 1))


def person(rng: random.Random, country: str) -> tuple[str, str]:
    firsts, lasts = PEOPLE.get(country, PEOPLE["US"])
    return rng.choice(firsts), rng.choice(lasts)


def mailbox(first: str, last: str) -> str:
    """ "Zoë", "de Groot" -> "zoe.degroot": the local part of a person's email."""
    name = f"{first}.{last}".replace(" ", "").lower()
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


@dataclass
class Owners:
    """The portal's owners: the active ones (weighted, some sell more) and a former one."""

    active: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    former: str | None = None

    def pick(
        self, rng: random.Random, *, unowned: float = 0.04, former: float = 0.04
    ) -> str | None:
        draw = rng.random()
        if draw < unowned:
            return None
        if draw < unowned + former and self.former is not None:
            return self.former
        return rng.choices(self.active, weights=self.weights)[0]


def owner_json(
    rng: random.Random, key: str, user: int, name: tuple[str, str], email: str, team: str
) -> dict[str, Any]:
    created = stamp(some_time(rng, ANCHOR - timedelta(days=rng.randint(400, 900))))
    return {
        "id": key,
        "email": email,
        "type": "PERSON",
        "firstName": name[0],
        "lastName": name[1],
        "userId": user,
        "userIdIncludingInactive": user,
        "createdAt": created,
        "updatedAt": created,
        "archived": False,
        "teams": [{"id": str(TEAMS.index(team) + 4100), "name": team, "primary": True}],
    }


@dataclass(frozen=True)
class DealParty:
    """Who a deal is with: the company, its contacts, their owner and money."""

    company_id: str | None  # None: a person buying for themselves
    company_name: str
    contact_ids: tuple[str, ...]
    owner: str | None
    currency: str | None  # None: the portal's own currency
    typical_amount: float


def add_deal(world: CrmWorld, rng: random.Random, party: DealParty, open_share: float) -> str:
    """One deal of the default pipeline, open with probability `open_share`."""
    is_open = rng.random() < open_share
    if is_open:
        closes = ANCHOR + timedelta(days=rng.randint(-10, 150))
        stage = _OPEN_STAGES.pick(rng)
    else:
        closes = ANCHOR - timedelta(days=rng.randint(1, 700))
        stage = "closedwon" if rng.random() < 0.7 else "closedlost"
    created = some_time(rng, min(closes, ANCHOR) - timedelta(days=rng.randint(20, 150)))
    amount = max(500.0, round(party.typical_amount * rng.uniform(2, 15), -1))
    properties = {
        "dealname": f"{party.company_name} - {rng.choice(DEAL_TOPICS)}",
        "amount": f"{amount:.0f}" if rng.random() < 0.8 else f"{amount:.2f}",
        "dealstage": stage,
        "pipeline": "default",
        "closedate": day_stamp(closes),
        "deal_currency_code": party.currency,
        "hubspot_owner_id": party.owner,
        "hs_is_closed": str(not is_open).lower(),
        "hs_is_closed_won": str(stage == "closedwon").lower(),
    }
    touched = later(rng, created, timedelta(days=30)) if is_open else some_time(rng, closes)
    deal_id = world.add("deals", properties, stamp(created), stamp(touched))
    if party.company_id is not None:
        world.associate("deals", deal_id, "companies", party.company_id, primary=True)
    for contact_id in party.contact_ids:
        world.associate("deals", deal_id, "contacts", contact_id, primary=False)
    return deal_id
