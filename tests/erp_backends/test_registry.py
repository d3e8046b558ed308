"""The backend registry: systems found in their own packages, looked up by role and
name. (That looking them up loads no emulator is tests/test_layers.py's.)"""

import dataclasses

import pytest

from erp_backends import registry
from erp_backends.registry import Role, UnknownKind


def test_every_system_package_registers_its_kind_in_its_role():
    found = {(kind.role, kind.name) for kind in registry.kinds()}
    assert {(Role.ERP, "odoo"), (Role.CRM, "hubspot"), (Role.SHOP, "woocommerce")} <= found
    assert [kind.name for kind in registry.kinds(Role.SHOP)] == ["woocommerce"]


def test_an_unknown_name_says_which_systems_the_role_has():
    with pytest.raises(UnknownKind, match="no erp system named 'sap'; known: odoo"):
        registry.erp("sap")
    with pytest.raises(UnknownKind, match="no crm system named 'odoo'"):
        registry.crm("odoo")  # a name is per role


def test_a_name_taken_in_its_role_cannot_be_registered_again():
    odoo = registry.erp("odoo")
    registry.register(odoo)  # the same kind again: harmless (a module imported twice)
    with pytest.raises(ValueError, match="the erp role already has a system named 'odoo'"):
        registry.register(dataclasses.replace(odoo, title="Another Odoo"))
    assert registry.erp("odoo") is odoo


def test_each_emulator_entry_names_a_module_that_provides_app_and_access():
    for kind in registry.kinds():
        assert kind.emulator is not None, kind.name
        emulator = kind.emulator.load()
        access = emulator.access(kind.emulator.defaults())
        assert isinstance(access.options, kind.options)
        assert kind.check_credentials(access.credentials) is None
        assert callable(emulator.create_app)
