"""What a shop under contract brings: its port and what its own data says.

As for the ERPs (see erp_world.py), the suite names no system: each shop under test hands
it its `ShopBackend` and its `ShopFacts`, taken from its seeded data by a way other than
the adapter under test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from erp_backends.models import Money
from erp_backends.ports import ShopBackend


@dataclass(frozen=True, slots=True)
class ShopOrderFact:
    total: Money
    email: str  # the billing email (in any case)
    guest: bool  # placed without a shop account


@dataclass(frozen=True, slots=True)
class ShopFacts:
    # Emails of ERP customers with a shop account, each with numbers of some of the
    # shop orders that account placed (at least one customer with several).
    accounts: Mapping[str, tuple[str, ...]]
    no_account: tuple[str, ...]  # emails of ERP customers without a shop account
    orders: Mapping[str, ShopOrderFact]  # shop orders by number (guest checkouts among them)
    listed: Mapping[str, str]  # SKUs the shop lists, with the product's name
    unlisted: tuple[str, ...]  # SKUs of the company's products the shop does not list


@dataclass(frozen=True, slots=True)
class ShopUnderTest:
    port: ShopBackend
    facts: ShopFacts
