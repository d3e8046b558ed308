"""The hubspot emulator: its ASGI app, built from a seeded world."""

from erp_backends.hubspot.emulator.app import EmulatorOptions, create_app

__all__ = ["EmulatorOptions", "create_app"]
