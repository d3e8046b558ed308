from pathlib import Path

import pytest

from erp_backends.http import Resilience
from erp_backends.hubspot.kind import HubSpotOptions
from erp_backends.odoo.kind import OdooOptions
from erp_backends.rate_limit import RateLimit
from erp_backends.woocommerce.kind import WooCommerceOptions
from gateway.cache.entities import Entity
from gateway.config import ConfigError, load_settings, settings_from_dict
from gateway.secrets import Secret

ROOT = Path(__file__).parents[2]
ENV = {"ODOO_API_KEY": "s3cret-key", "ERP_GATEWAY_JWT_SECRET": "j" * 32}


def erp(**overrides):
    table = {
        "kind": "odoo",
        "url": "http://127.0.0.1:8069",
        "database": "demo",
        "credentials_env": "ODOO_API_KEY",
    }
    table.update(overrides)
    return {"backends": {"erp": {k: v for k, v in table.items() if v is not None}}}


def test_the_example_config_loads():
    settings = load_settings(ROOT / "gateway.example.toml", ENV)
    assert settings.erp.url == "http://127.0.0.1:8069"
    assert settings.erp.rate_limit == RateLimit(100, 60.0)
    assert settings.erp.resilience == Resilience(
        timeout_s=5.0,
        retries=2,
        backoff_s=0.2,
        max_backoff_s=5.0,
        circuit_failures=5,
        circuit_reset_s=30.0,
    )
    assert settings.erp.credentials == Secret("s3cret-key")


def test_defaults_apply_to_optional_keys():
    settings = settings_from_dict(erp(), ENV)
    assert settings.erp.options == OdooOptions(database="demo", login="admin", protocol="jsonrpc")
    assert settings.erp.rate_limit is None
    assert settings.graphql.graphiql is True
    assert (settings.crm, settings.shop) == (None, None)
    assert settings.federation.link_field == "email"


CRM = {"kind": "hubspot", "url": "http://127.0.0.1:8071", "credentials_env": "HUBSPOT_TOKEN"}
SHOP = {"kind": "woocommerce", "url": "http://127.0.0.1:8072", "credentials_env": "WOO_KEYS"}
ALL_ENV = {**ENV, "HUBSPOT_TOKEN": "pat-1", "WOO_KEYS": "ck_1:cs_1"}


def test_crm_and_shop_sections_are_optional_and_typed():
    data = erp()
    data["backends"].update(crm={**CRM, "link_property": "erp_ref"}, shop=SHOP)
    settings = settings_from_dict(data, ALL_ENV)
    assert settings.crm is not None
    assert settings.shop is not None
    assert settings.crm.options == HubSpotOptions(link_property="erp_ref", currency="EUR")
    assert settings.shop.options == WooCommerceOptions(order_reference_prefix="SHOP-")
    assert settings.shop.credentials == Secret("ck_1:cs_1")


@pytest.mark.parametrize(
    ("backends", "federation", "message"),
    [
        ({"crm": {**CRM, "kind": "salesforce"}}, {}, "backends.crm.kind: expected one of hubspot"),
        ({"crm": {**CRM, "database": "x"}}, {}, "backends.crm.database: unknown key"),
        ({"shop": {**SHOP, "protocol": "json2"}}, {}, "backends.shop.protocol: unknown key"),
        ({"cms": CRM}, {}, "backends.cms: unknown key"),
        (
            {"shop": SHOP},
            {"link_field": "reference"},
            "federation.link_field: the woocommerce shop finds customers by email only",
        ),
        ({}, {"link_field": "phone"}, "federation.link_field: expected one of email, reference"),
    ],
)
def test_crm_shop_and_federation_errors_name_the_key(backends, federation, message):
    data = erp()
    data["backends"].update(backends)
    data["federation"] = federation
    with pytest.raises(ConfigError) as raised:
        settings_from_dict(data, ALL_ENV)
    assert message in str(raised.value)


def test_the_secret_is_never_in_a_repr():
    settings = settings_from_dict(erp(), ENV)
    assert "s3cret-key" not in repr(settings)
    assert "s3cret-key" not in str(settings.erp.credentials)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "config: backends: missing (required)"),
        (erp(url=None), "config: backends.erp.url: missing (required)"),
        (erp(url="localhost:8069"), "backends.erp.url: expected an http:// or https:// URL"),
        (erp(kind="sap"), "backends.erp.kind: expected one of odoo, got 'sap'"),
        (erp(protocol="soap"), "backends.erp.protocol: expected one of jsonrpc, json2, xmlrpc"),
        (erp(rate_limit="fast"), "backends.erp.rate_limit: invalid rate limit 'fast'"),
        (erp(timeout_s=0), "backends.erp.timeout_s: expected a number greater than 0"),
        (erp(timeout="5"), "backends.erp.timeout: unknown key"),
        (erp(retries=-1), "backends.erp.retries: expected a whole number of 0 or more"),
        (erp(circuit_failures=0), "backends.erp.circuit_failures: expected a whole number"),
        (
            erp(credentials_env="NOPE"),
            "backends.erp.credentials_env: the environment variable NOPE is not set",
        ),
        ({**erp(), "cache": {"url": "memcached://x"}}, "cache.url: expected memory:// or redis://"),
        ({**erp(), "cache": {"url": "redis://:pw@h:6379/0"}}, "cache.url: put no password in"),
        (
            {**erp(), "cache": {"ttl": {"erp": {"stocks": 5}}}},
            "cache.ttl.erp.stocks: no such cached entity; known: customer,",
        ),
        (
            {**erp(), "cache": {"ttl": {"erp": {"stock": -1}}}},
            "cache.ttl.erp.stock: expected a number of 0 or more",
        ),
        ({**erp(), "cache": {"password_env": "NOPE"}}, "cache.password_env: the environment"),
        ({**erp(), "cache": {"size": 5}}, "cache.size: unknown key"),
        ({**erp(), "graphql": {"max_depth": "deep"}}, "graphql.max_depth: expected a whole"),
    ],
)
def test_each_invalid_key_is_named(data, message):
    with pytest.raises(ConfigError) as raised:
        settings_from_dict(data, ENV)
    assert message in str(raised.value)


def test_a_missing_file_and_bad_toml_are_one_line_errors(tmp_path):
    with pytest.raises(ConfigError, match=r"no such file; copy gateway\.example\.toml"):
        load_settings(tmp_path / "gateway.toml", ENV)
    broken = tmp_path / "broken.toml"
    broken.write_text("[backends.erp\n")
    with pytest.raises(ConfigError, match=r"broken\.toml: not valid TOML"):
        load_settings(broken, ENV)


def test_cache_settings_default_to_memory_and_take_ttls_per_entity():
    settings = settings_from_dict(erp(), ENV)
    assert settings.cache.url == "memory://"
    assert settings.cache.ttls[Entity.ERP_STOCK] == 15
    data = {
        **erp(),
        "cache": {
            "url": "redis://127.0.0.1:6379/2",
            "stale_ttl": 600,
            "password_env": "REDIS_PASSWORD",
            "ttl": {"erp": {"stock": 0}, "crm": {"profile": 30}},
        },
    }
    settings = settings_from_dict(data, {**ENV, "REDIS_PASSWORD": "pw"})
    assert settings.cache.ttls[Entity.ERP_STOCK] == 0
    assert settings.cache.ttls[Entity.CRM_PROFILE] == 30
    assert settings.cache.stale_ttl == 600
    assert settings.cache.password == Secret("pw")
    assert "pw" not in repr(settings.cache)


def test_redis_passwords_for_the_queue_and_the_auth_store_come_from_the_environment():
    from gateway.stores import with_password

    queue = {"url": "redis://queue.internal:6380/2", "password_env": "QUEUE_PW"}
    auth = {"store": "redis://store.internal/1", "store_password_env": "STORE_PW"}
    data = {**erp(), "queue": queue, "auth": auth}
    settings = settings_from_dict(data, {**ENV, "QUEUE_PW": "q:p@ss", "STORE_PW": "s3cret"})
    assert settings.queue.connect_url() == "redis://:q%3Ap%40ss@queue.internal:6380/2"
    assert settings.auth.store_connect_url() == "redis://:s3cret@store.internal/1"
    assert "p@ss" not in repr(settings)
    assert "s3cret" not in repr(settings)
    assert with_password("sqlite:///x.sqlite3", "pw") == "sqlite:///x.sqlite3"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"queue": {"url": "redis://:pw@h/0"}}, "queue.url: put no password in the file"),
        ({"auth": {"store": "redis://:pw@h/0"}}, "auth.store: put no password in the file"),
        (
            {"queue": {"url": "redis://h/0", "password_env": "NOPE"}},
            "queue.password_env: the environment variable NOPE is not set",
        ),
    ],
)
def test_a_password_in_a_store_url_is_refused(table, message):
    with pytest.raises(ConfigError, match=message):
        settings_from_dict({**erp(), **table}, ENV)
