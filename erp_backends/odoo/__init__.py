"""Odoo: its JSON-RPC and JSON-2 client, the adapter to the canonical model, an emulator."""
