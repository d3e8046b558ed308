"""The woocommerce emulator: its ASGI app, built from a seeded world."""

from erp_backends.woocommerce.emulator.app import EmulatorOptions, create_app

__all__ = ["EmulatorOptions", "create_app"]
