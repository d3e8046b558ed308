"""The WooCommerce emulator as the registry starts it (`erp-gateway sandbox
woocommerce`, the demo, the tests): its app for the `sandbox` flags, and the REST API
key a gateway sends."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp

from erp_backends.emulation.faults import FaultOptions
from erp_backends.registry import EmulatedAccess
from erp_backends.woocommerce.emulator.app import EmulatorOptions
from erp_backends.woocommerce.emulator.app import create_app as create_emulator
from erp_backends.woocommerce.kind import WooCommerceOptions


def create_app(seed: int, faults: FaultOptions, flags: Mapping[str, str]) -> ASGIApp:
    options = EmulatorOptions(
        seed=seed,
        consumer_key=flags["consumer_key"],
        consumer_secret=flags["consumer_secret"],
        faults=faults,
    )
    return create_emulator(options)


def access(flags: Mapping[str, str]) -> EmulatedAccess:
    keys = f"{flags['consumer_key']}:{flags['consumer_secret']}"
    return EmulatedAccess(credentials=keys, options=WooCommerceOptions(), detail=f"key {keys}")
