"""The HubSpot emulator as the registry starts it (`erp-gateway sandbox hubspot`, the
demo, the tests): its app for the `sandbox` flags, and the token a gateway sends."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp

from erp_backends.emulation.faults import FaultOptions
from erp_backends.hubspot.emulator.app import EmulatorOptions
from erp_backends.hubspot.emulator.app import create_app as create_emulator
from erp_backends.hubspot.kind import HubSpotOptions
from erp_backends.registry import EmulatedAccess


def create_app(seed: int, faults: FaultOptions, flags: Mapping[str, str]) -> ASGIApp:
    return create_emulator(EmulatorOptions(seed=seed, token=flags["token"], faults=faults))


def access(flags: Mapping[str, str]) -> EmulatedAccess:
    token = flags["token"]
    return EmulatedAccess(credentials=token, options=HubSpotOptions(), detail=f"token {token}")
