"""The Odoo emulator as the registry starts it (`erp-gateway sandbox odoo`, the demo,
the tests): its app for the `sandbox` flags, and how a gateway logs in to it."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp

from erp_backends.emulation.faults import FaultOptions
from erp_backends.odoo.emulator.app import EmulatorOptions
from erp_backends.odoo.emulator.app import create_app as create_emulator
from erp_backends.odoo.kind import OdooOptions
from erp_backends.registry import EmulatedAccess


def create_app(seed: int, faults: FaultOptions, flags: Mapping[str, str]) -> ASGIApp:
    options = EmulatorOptions(
        seed=seed,
        database=flags["database"],
        login=flags["login"],
        password=flags["password"],
        faults=faults,
    )
    return create_emulator(options)


def access(flags: Mapping[str, str]) -> EmulatedAccess:
    database, login, password = flags["database"], flags["login"], flags["password"]
    return EmulatedAccess(
        credentials=password,
        options=OdooOptions(database=database, login=login),
        detail=f"database {database}, login {login}, password {password}",
    )
