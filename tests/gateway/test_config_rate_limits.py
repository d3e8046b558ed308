"""[limits] and [http] trusted_proxies: per-client rate limits as configured, and each
bad value refused with the key that holds it; `token create --rate` and its store."""

import asyncio
import ipaddress
import sqlite3

import pytest

from erp_backends.rate_limit import RateLimit
from gateway.auth.token_store import SqliteApiTokenStore
from gateway.config import ConfigError, LimitsSettings, settings_from_dict
from gateway.limits.settings import DEFAULT_REQUESTS_PER_MINUTE
from tests.gateway.auth.test_token_cli import parse
from tests.gateway.test_config import ENV, erp


def test_rate_limits_are_on_by_default_with_a_rate_for_every_kind():
    settings = settings_from_dict(erp(), ENV)

    assert settings.limits == LimitsSettings()
    assert settings.limits.enabled
    assert settings.limits.cost_per_token == 1000
    assert dict(settings.limits.requests_per_minute) == {
        "customer": 600,
        "partner": 600,
        "staff": 1200,
        "service": 6000,
        "anonymous": 120,
    }
    assert settings.http.trusted_proxies == ()


def test_each_kind_may_have_its_own_rate_and_the_others_keep_theirs():
    data = {
        **erp(),
        "limits": {
            "cost_per_token": 100,
            "requests_per_minute": {"partner": 60, "anonymous": 10},
        },
    }
    limits = settings_from_dict(data, ENV).limits

    assert limits.rate_of("partner") == RateLimit(60, 60.0)
    assert limits.rate_of("anonymous") == RateLimit(10, 60.0)
    assert limits.rate_of("staff") == RateLimit(DEFAULT_REQUESTS_PER_MINUTE["staff"], 60.0)
    assert limits.cost_per_token == 100


def test_limits_may_be_turned_off():
    limits = settings_from_dict({**erp(), "limits": {"enabled": False}}, ENV).limits
    assert not limits.enabled
    assert not limits.weighs_cost


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"requests_per_minute": {"robot": 5}}, "limits.requests_per_minute.robot: no such"),
        ({"requests_per_minute": {"partner": 0}}, "limits.requests_per_minute.partner: expected"),
        ({"requests_per_minute": {"partner": "600/minute"}}, "requests_per_minute.partner"),
        ({"requests_per_minute": 600}, "limits.requests_per_minute: expected a table"),
        ({"cost_per_token": -1}, "limits.cost_per_token: expected a whole number"),
        ({"enabled": "yes"}, "limits.enabled: expected true or false"),
        ({"per_minute": 5}, "limits.per_minute: unknown key"),
    ],
)
def test_a_bad_limit_names_its_key(limits, message):
    with pytest.raises(ConfigError, match=message):
        settings_from_dict({**erp(), "limits": limits}, ENV)


def test_trusted_proxies_are_addresses_or_networks():
    data = {**erp(), "http": {"trusted_proxies": ["10.0.0.0/8", "192.168.1.7", "fd00::/8"]}}
    proxies = settings_from_dict(data, ENV).http.trusted_proxies
    assert proxies == tuple(
        ipaddress.ip_network(text) for text in ("10.0.0.0/8", "192.168.1.7/32", "fd00::/8")
    )
    with pytest.raises(ConfigError, match=r"http\.trusted_proxies: 'proxy\.local' is not an"):
        settings_from_dict({**erp(), "http": {"trusted_proxies": ["proxy.local"]}}, ENV)


# --- token create --rate --------------------------------------------------------------


@pytest.mark.parametrize("rate", ["600/minute", "10/second", "1000/hour"])
def test_token_create_stores_the_rate_with_the_token(tmp_path, capsys, rate):
    store = tmp_path / "tokens.sqlite3"
    args = create_args(store, "--rate", rate)
    args.run(args)
    text = capsys.readouterr().out.strip()

    token = asyncio.run(verified(store, text))
    assert token.rate_limit == RateLimit.parse(rate)


@pytest.mark.parametrize(
    "rate", ["600", "600/fortnight", "0/minute", "1.5/minute", "-5/second", "lots"]
)
def test_token_create_refuses_a_rate_it_cannot_read(tmp_path, rate):
    store = tmp_path / "tokens.sqlite3"
    args = create_args(store, f"--rate={rate}")
    with pytest.raises(ConfigError, match=r"--rate: invalid rate limit .*e\.g\. '100/minute'"):
        args.run(args)
    assert not store.exists()  # refused before the store was opened


def test_a_token_store_from_before_rates_gains_the_column(tmp_path):
    # Given a store file written before tokens had rates
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE api_tokens (id TEXT PRIMARY KEY, name TEXT NOT NULL, scopes TEXT NOT "
            "NULL, customer_id TEXT, customer_ids TEXT, created_at TEXT NOT NULL, expires_at "
            "TEXT, revoked_at TEXT, rotated_at TEXT, previous_valid_until TEXT, secret_hash "
            "TEXT NOT NULL, previous_hash TEXT)"
        )

    # When a token with a rate is created there, then it keeps it
    async def create_and_verify():
        store = SqliteApiTokenStore(path)
        try:
            _, text = await store.create("acme", {"orders:read"}, [], None, RateLimit(5, 1.0))
            return await store.verify(text)
        finally:
            await store.close()

    assert asyncio.run(create_and_verify()).rate_limit == RateLimit(5, 1.0)


def create_args(store, *options):
    """`token create` for acme with `options`, on the SQLite store at `store`."""
    scopes = ("--scopes", "orders:read", "--store", f"sqlite:///{store}")
    return parse("create", "--name", "acme", *scopes, *options)


async def verified(store, text):
    opened = SqliteApiTokenStore(store)
    try:
        return await opened.verify(text)
    finally:
        await opened.close()
