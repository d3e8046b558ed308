"""The emulator's clock: the create and write dates of what the API changes."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from erp_backends.emulation.world.data import ANCHOR
from erp_backends.odoo.emulator.seed_sales import dt

_STARTED = time.monotonic()
_WORLD_EVENING = datetime.combine(ANCHOR, datetime.min.time()) + timedelta(hours=19)


def now() -> datetime:
    """The emulator's "now": never before the seed's last day, whatever the real clock
    says, so new records sort after the seeded ones; whole seconds, as Odoo stores them."""
    world = _WORLD_EVENING + timedelta(seconds=int(time.monotonic() - _STARTED))
    real = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    return max(world, real)


def now_text() -> str:
    return dt(now())
