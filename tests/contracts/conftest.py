"""The ERP systems under contract: every registered ERP kind, plus the tests' own tiny one.

Each system has an opener here that gives its reader and the facts of its data. A kind
registered without one fails every contract test, so a new ERP cannot go unchecked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import httpx
import pytest

from erp_backends import registry
from erp_backends.http import BackendHttp
from erp_backends.registry import Connection, Role
from tests.contracts import tiny_erp
from tests.contracts.erp_world import ErpUnderTest
from tests.contracts.odoo_erp import open_odoo, open_odoo_over_http

Opener = Callable[[pytest.FixtureRequest, AsyncExitStack], Awaitable[ErpUnderTest]]


async def open_tiny(request: pytest.FixtureRequest, stack: AsyncExitStack) -> ErpUnderTest:
    # Opened through its kind, as the gateway would, over a client it never uses.
    client = await stack.enter_async_context(httpx.AsyncClient())
    http = BackendHttp(client, "http://tiny.invalid", backend="erp", system=tiny_erp.KIND.title)
    connection = Connection(http=http, credentials="unused", role="erp")
    ports = tiny_erp.KIND.open(connection, tiny_erp.TinyOptions())
    return ErpUnderTest(ports.reader, tiny_erp.FACTS)


OPENERS: dict[str, Opener] = {
    "odoo": open_odoo,
    "odoo over HTTP": open_odoo_over_http,
    tiny_erp.KIND.name: open_tiny,
}
OVER_SOCKETS = {"odoo over HTTP"}  # `slow`: out of the fast lane

# The tiny ERP is registered only in the gateway processes that load it as a plugin
# (see tiny_plugin.py), so it is added by hand.
ERP_SYSTEMS = [
    pytest.param(name, marks=[pytest.mark.slow] if name in OVER_SOCKETS else [])
    for name in dict.fromkeys(
        [k.name for k in registry.kinds(Role.ERP)] + [*OVER_SOCKETS, tiny_erp.KIND.name]
    )
]


@pytest.fixture(params=ERP_SYSTEMS)
async def erp(request: pytest.FixtureRequest) -> AsyncIterator[ErpUnderTest]:
    opener = OPENERS.get(request.param)
    if opener is None:
        pytest.fail(
            f"the ERP {request.param!r} is registered but not under contract: add its opener "
            "and the facts of its data to tests/contracts/conftest.py"
        )
    async with AsyncExitStack() as stack:
        system = await opener(request, stack)
        fault = system.known_faults.get(request.function.__name__)
        if fault is not None:
            request.applymarker(pytest.mark.xfail(reason=fault, strict=True))
        yield system
