"""HubSpot under the CRM contract: the adapter opened as the gateway opens it, against
the seed-1 emulator in-process, and the facts of its data.

The facts come from the neutral world (`seed_world`): the ERP customers, their emails
and their company names. Which of them the portal has a contact for the world does not
say (the emulator draws it), so that is read from the emulator's own projection of the
world, never through the adapter under test.
"""

from __future__ import annotations

import functools
from contextlib import AsyncExitStack

import httpx
import pytest

from erp_backends.emulation.world import seed_world
from erp_backends.hubspot.emulator.seed import derive_crm
from gateway.wiring.backends import backend_http, open_crm
from tests.contracts.crm_world import CrmFacts, CrmUnderTest
from tests.harness import emulated_backend

SEED = 1  # that of the session's `hubspot_emulator_app` (tests/conftest.py)


async def open_hubspot(request: pytest.FixtureRequest, stack: AsyncExitStack) -> CrmUnderTest:
    app = request.getfixturevalue("hubspot_emulator_app")
    settings = emulated_backend("crm", "hubspot", "http://crm.in-process")
    http = await backend_http(settings, stack, transport=httpx.ASGITransport(app=app))
    return CrmUnderTest(open_crm(settings, http), hubspot_facts())


@functools.cache
def hubspot_facts() -> CrmFacts:
    world = seed_world(SEED)
    contacts = derive_crm(world).emails  # lower-case email -> contact id
    customers = [(c.email, c.name) for c in world.customers if c.email]
    return CrmFacts(
        companies={email: name for email, name in customers if email.lower() in contacts},
        unknown=tuple(email for email, _ in customers if email.lower() not in contacts),
    )
