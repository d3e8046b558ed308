"""What `erp-gateway serve` does to its process beyond building the app."""

import gc

from tests.harness import odoo_settings
from tests.inprocess import in_process_gateway


def test_a_served_gateway_freezes_what_its_start_built(odoo_emulator_app):
    gc.unfreeze()
    try:
        with in_process_gateway(odoo_settings("http://erp.in-process"), {"erp": odoo_emulator_app}):
            assert gc.get_freeze_count() == 0  # a test's app leaves the collector alone
        settings = odoo_settings("http://erp.in-process")
        with in_process_gateway(settings, {"erp": odoo_emulator_app}, serving=True):
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # the rest of the test session collects as before
