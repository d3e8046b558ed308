"""What a CRM under contract brings: its port and what its own data says.

As for the ERPs (see erp_world.py), the suite names no system: each CRM under test hands
it its `CrmBackend` and its `CrmFacts`, taken from its seeded data by a way other than
the adapter under test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from erp_backends.ports import CrmBackend


@dataclass(frozen=True, slots=True)
class CrmFacts:
    # The ERP customers' link values (emails) the CRM has a profile of, each with the
    # name of the company the profile names: the ERP customer's.
    companies: Mapping[str, str]
    # ERP customers' link values the CRM does not know.
    unknown: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CrmUnderTest:
    port: CrmBackend
    facts: CrmFacts
