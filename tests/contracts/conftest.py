"""The systems under contract: every registered kind of each role (ERP, CRM, shop), plus
the tests' own tiny ERP.

Each system has an opener here that gives its port and the facts of its data. A kind
registered without one fails every contract test of its role, so a new system cannot go
unchecked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack
from typing import TypeVar

import httpx
import pytest

from erp_backends import registry
from erp_backends.http import BackendHttp
from erp_backends.registry import Connection, Role
from tests.contracts import tiny_erp
from tests.contracts.crm_world import CrmUnderTest
from tests.contracts.erp_world import ErpUnderTest
from tests.contracts.hubspot_crm import open_hubspot
from tests.contracts.odoo_erp import open_odoo, open_odoo_over, open_odoo_over_http
from tests.contracts.shop_world import ShopUnderTest
from tests.contracts.woocommerce_shop import open_woocommerce

T = TypeVar("T")
Opener = Callable[[pytest.FixtureRequest, AsyncExitStack], Awaitable[T]]


async def open_tiny(request: pytest.FixtureRequest, stack: AsyncExitStack) -> ErpUnderTest:
    # Opened through its kind, as the gateway would, over a client it never uses.
    client = await stack.enter_async_context(httpx.AsyncClient())
    http = BackendHttp(client, "http://tiny.invalid", backend="erp", system=tiny_erp.KIND.title)
    connection = Connection(http=http, credentials="unused", role="erp")
    ports = tiny_erp.KIND.open(connection, tiny_erp.TinyOptions())
    return ErpUnderTest(ports.reader, tiny_erp.FACTS)


OPENERS: dict[str, Opener[ErpUnderTest]] = {
    "odoo": open_odoo,
    "odoo over HTTP": open_odoo_over_http,
    # The adapter's other protocols, against the same emulator.
    "odoo over JSON-2": open_odoo_over("json2"),
    "odoo over XML-RPC": open_odoo_over("xmlrpc"),
    tiny_erp.KIND.name: open_tiny,
}
OVER_SOCKETS = {"odoo over HTTP"}  # `slow`: out of the fast lane

# The tiny ERP is registered only in the gateway processes that load it as a plugin
# (see tiny_plugin.py), so it is added by hand.
ERP_SYSTEMS = [
    pytest.param(name, marks=[pytest.mark.slow] if name in OVER_SOCKETS else [])
    for name in dict.fromkeys(
        [k.name for k in registry.kinds(Role.ERP)]
        + [*OVER_SOCKETS, "odoo over JSON-2", "odoo over XML-RPC", tiny_erp.KIND.name]
    )
]


@pytest.fixture(params=ERP_SYSTEMS)
async def erp(request: pytest.FixtureRequest) -> AsyncIterator[ErpUnderTest]:
    opener = _opener(OPENERS, "ERP", request.param)
    async with AsyncExitStack() as stack:
        system = await opener(request, stack)
        fault = system.known_faults.get(request.function.__name__)
        if fault is not None:
            request.applymarker(pytest.mark.xfail(reason=fault, strict=True))
        yield system


CRM_OPENERS: dict[str, Opener[CrmUnderTest]] = {"hubspot": open_hubspot}
SHOP_OPENERS: dict[str, Opener[ShopUnderTest]] = {"woocommerce": open_woocommerce}


@pytest.fixture(params=[k.name for k in registry.kinds(Role.CRM)])
async def crm(request: pytest.FixtureRequest) -> AsyncIterator[CrmUnderTest]:
    opener = _opener(CRM_OPENERS, "CRM", request.param)
    async with AsyncExitStack() as stack:
        yield await opener(request, stack)


@pytest.fixture(params=[k.name for k in registry.kinds(Role.SHOP)])
async def shop(request: pytest.FixtureRequest) -> AsyncIterator[ShopUnderTest]:
    opener = _opener(SHOP_OPENERS, "shop", request.param)
    async with AsyncExitStack() as stack:
        yield await opener(request, stack)


def _opener(openers: Mapping[str, Opener[T]], role: str, name: str) -> Opener[T]:
    opener = openers.get(name)
    if opener is None:
        pytest.fail(
            f"the {role} {name!r} is registered but not under contract: add its opener "
            "and the facts of its data to tests/contracts/conftest.py"
        )
    return opener
