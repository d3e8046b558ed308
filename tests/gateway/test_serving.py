"""What `erp-gateway serve` does to its process beyond building the app."""

import gc

from gateway.wiring.app import YOUNG_GENERATION_THRESHOLD
from tests.harness import odoo_settings
from tests.inprocess import in_process_gateway


def test_a_served_gateway_freezes_what_its_start_built(odoo_emulator_app):
    gc.unfreeze()
    threshold = gc.get_threshold()
    try:
        with in_process_gateway(odoo_settings("http://erp.in-process"), {"erp": odoo_emulator_app}):
            assert gc.get_freeze_count() == 0  # a test's app leaves the collector alone
            assert gc.get_threshold() == threshold
        settings = odoo_settings("http://erp.in-process")
        with in_process_gateway(settings, {"erp": odoo_emulator_app}, serving=True):
            assert gc.get_freeze_count() > 0
            assert gc.get_threshold() == (YOUNG_GENERATION_THRESHOLD, *threshold[1:])
    finally:
        gc.unfreeze()  # the rest of the test session collects as before
        gc.set_threshold(*threshold)
