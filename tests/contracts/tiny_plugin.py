"""Registers the tiny ERP: what `[backends] plugins = ["tests.contracts.tiny_plugin"]`
imports, in the gateway process only.

Registering lives here, apart from `tiny_erp.py`, because the registry is global to a
process and has no way to forget a system: were the pytest process to import this, every
later test would see a third ERP kind (tests/gateway/test_config.py checks the list of
known kinds word for word). The contract suite opens the tiny ERP through its `KIND`
without registering it.
"""

from erp_backends.registry import register
from tests.contracts.tiny_erp import KIND

register(KIND)
