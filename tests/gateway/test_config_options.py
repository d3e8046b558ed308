"""A system's options, read field by field from its `[backends.<role>]` table, and the
modules that register more systems."""

import re
from dataclasses import dataclass
from typing import Literal

import pytest

from gateway.config import ConfigError, settings_from_dict
from gateway.config_options import read_options
from gateway.config_reader import Table


@dataclass(frozen=True)
class SomeOptions:
    database: str
    protocol: Literal["rest", "soap"] = "rest"
    verify: bool = True
    page_size: int = 100
    timeout_s: float = 2.5


def read(values: dict) -> SomeOptions:
    return read_options(Table(values, source="gateway.toml", path="backends.erp"), SomeOptions)


def test_fields_are_read_by_their_type_with_their_defaults():
    assert read({"database": "prod"}) == SomeOptions("prod")
    given = dict(database="prod", protocol="soap", verify=False, page_size=5, timeout_s=1)
    assert read(given) == SomeOptions("prod", "soap", False, 5, 1.0)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "gateway.toml: backends.erp.database: missing (required)"),
        ({"database": ""}, "backends.erp.database: expected a non-empty string"),
        (
            {"database": "x", "protocol": "grpc"},
            "backends.erp.protocol: expected one of rest, soap",
        ),
        ({"database": "x", "verify": "yes"}, "backends.erp.verify: expected true or false"),
        ({"database": "x", "page_size": -1}, "backends.erp.page_size: expected a whole number"),
        ({"database": "x", "timeout_s": float("nan")}, "backends.erp.timeout_s: expected a finite"),
    ],
)
def test_a_wrong_value_names_its_key(values, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        read(values)


ERP = {"kind": "odoo", "url": "http://odoo:8069", "credentials_env": "KEY", "database": "d"}
ENV = {"KEY": "k", "ERP_GATEWAY_JWT_SECRET": "j" * 32}


@pytest.mark.parametrize(
    ("module", "problem"),
    [
        ("no_such_module_here", "cannot load 'no_such_module_here': ModuleNotFoundError"),
        ("tests.gateway.broken_plugin", "cannot load 'tests.gateway.broken_plugin': ValueError"),
    ],
)
def test_a_plugin_that_cannot_load_is_a_config_error_naming_it(module, problem):
    config = {"backends": {"plugins": [module], "erp": ERP}}
    with pytest.raises(ConfigError, match=re.escape(f"config: backends.plugins: {problem}")):
        settings_from_dict(config, ENV)
