"""Per-client rate limits (gateway/limits/, gateway/edge/rate_limit.py): a token bucket
per principal, weighted by query cost, shared through Redis, refused with 429.

Time is the test's: in-process gateways get a `FakeClock` for their buckets, Redis
buckets a passed clock; the two `serve` processes share a rate of 10 an hour, which
refills one token in 6 minutes, far beyond the test's length."""

import asyncio
import ipaddress
import logging
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from erp_backends.rate_limit import RateLimit
from gateway.auth.principal import PrincipalKind
from gateway.auth.scopes import CUSTOMERS_IMPERSONATE
from gateway.auth.token_store import SqliteApiTokenStore
from gateway.config import HttpSettings, LimitsSettings
from gateway.edge.rate_limit import client_address
from gateway.limits.buckets import MemoryBuckets
from gateway.limits.redis_buckets import RedisBuckets
from gateway.limits.settings import DEFAULT_REQUESTS_PER_MINUTE
from resolvers.node import encode_id
from tests.harness import (
    READ_SCOPES,
    TEST_STORE,
    FakeClock,
    bearer,
    odoo_settings,
    serve_gateway_process,
    token_for,
)
from tests.inprocess import in_process_gateway

ROOT = Path(__file__).parents[2]
CHEAP = "{ products(first: 1) { nodes { sku } } }"  # cost 3: one token
# Costs 2,152 (50 customers of 40 orders): 22 tokens at 100 a token.
EXPENSIVE = "{ customers(first: 50) { nodes { id orders(first: 40) { nodes { number } } } } }"
TYPENAME = "{ __typename }"


def limits(cost_per_token: int = 0, **rates: int) -> LimitsSettings:
    return LimitsSettings(
        requests_per_minute={**DEFAULT_REQUESTS_PER_MINUTE, **rates},
        cost_per_token=cost_per_token,
    )


def settings_with(rate_limits: LimitsSettings, **overrides):
    return replace(odoo_settings("http://erp.in-process"), limits=rate_limits, **overrides)


def staff(subject: str | None = None) -> dict[str, str]:
    """A staff member of their own: a bucket no other test draws from."""
    return bearer(token_for(PrincipalKind.STAFF, subject=subject or uuid.uuid4().hex))


def post(gateway, query: str = CHEAP, headers: dict[str, str] | None = None) -> httpx.Response:
    return gateway.post("/graphql", json={"query": query}, headers=headers or {})


def backend_calls(odoo_emulator) -> int:
    return odoo_emulator.get("/_emulator/calls").json()["total"]


@pytest.fixture
def clock():
    return FakeClock()


# --- Headers and 429 ------------------------------------------------------------------


def test_every_answer_says_the_limit_and_beyond_it_429_with_retry_after(odoo_emulator_app, clock):
    # Given staff may send 3 a minute (one token every 20 s)
    with in_process_gateway(
        settings_with(limits(staff=3)), {"erp": odoo_emulator_app}, rate_clock=clock
    ) as gateway:
        me = staff()
        # When they send 3, then a fourth
        answers = [post(gateway, headers=me) for _ in range(3)]
        refused = post(gateway, headers=me)
        # and 20 s later a fifth
        clock.advance(20)
        again = post(gateway, headers=me)

    # Then each answer counts down, and the fourth is refused, GraphQL-shaped
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.headers["RateLimit-Limit"] for a in answers] == ["3", "3", "3"]
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert [a.headers["RateLimit-Reset"] for a in answers] == ["20", "40", "60"]
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "20"
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert refused.headers["content-type"].startswith("application/json")
    (error,) = refused.json()["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert "retry in 20 s" in error["message"]
    # and the bucket has its token again once the time has passed
    assert again.status_code == 200
    assert again.headers["RateLimit-Remaining"] == "0"


def test_a_refused_request_reaches_no_backend(odoo_emulator_app, odoo_emulator, clock):
    with in_process_gateway(
        settings_with(limits(staff=1)), {"erp": odoo_emulator_app}, rate_clock=clock
    ) as gateway:
        me = staff()
        assert post(gateway, headers=me).status_code == 200
        before = backend_calls(odoo_emulator)
        refused = post(gateway, headers=me)
        assert refused.status_code == 429
        assert backend_calls(odoo_emulator) == before


def test_each_principal_has_a_bucket_of_its_own(odoo_emulator_app, clock):
    with in_process_gateway(
        settings_with(limits(staff=1)), {"erp": odoo_emulator_app}, rate_clock=clock
    ) as gateway:
        first, second = staff(), staff()
        assert post(gateway, headers=first).status_code == 200
        assert post(gateway, headers=first).status_code == 429
        assert post(gateway, headers=second).status_code == 200


def test_limits_off_adds_no_headers(odoo_emulator_app):
    with in_process_gateway(
        settings_with(LimitsSettings(enabled=False)), {"erp": odoo_emulator_app}
    ) as gateway:
        answer = post(gateway, headers=staff())
    assert answer.status_code == 200
    assert "RateLimit-Limit" not in answer.headers


def test_browsers_may_read_the_rate_limit_headers(odoo_emulator_app, clock):
    app_origin = "https://app.example.com"
    settings = settings_with(limits(), http=HttpSettings(cors_origins=(app_origin,)))
    with in_process_gateway(settings, {"erp": odoo_emulator_app}, rate_clock=clock) as gateway:
        answer = post(gateway, headers={**staff(), "Origin": app_origin})
    exposed = {
        h.strip().lower() for h in answer.headers["access-control-expose-headers"].split(",")
    }
    assert {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "retry-after"} <= exposed


# --- Cost ----------------------------------------------------------------------------


def test_a_request_takes_one_token_plus_one_per_hundred_of_its_cost(odoo_emulator_app, clock):
    with in_process_gateway(
        settings_with(limits(cost_per_token=100, staff=100)),
        {"erp": odoo_emulator_app},
        rate_clock=clock,
    ) as gateway:
        me = {**staff(), "X-Query-Cost": "1"}
        cheap = post(gateway, CHEAP, me)
        expensive = post(gateway, EXPENSIVE, me)

    cost = expensive.json()["extensions"]["cost"]
    assert cost == 2152
    assert cheap.headers["RateLimit-Remaining"] == "99"
    assert expensive.headers["RateLimit-Remaining"] == str(99 - (1 + cost // 100))


def test_an_operation_the_bucket_cannot_pay_for_is_refused_before_it_runs(
    odoo_emulator_app, odoo_emulator, clock
):
    # Given a bucket of 30, which one expensive operation (22 tokens) leaves at 8
    with in_process_gateway(
        settings_with(limits(cost_per_token=100, staff=30)),
        {"erp": odoo_emulator_app},
        rate_clock=clock,
    ) as gateway:
        me = staff()
        assert post(gateway, EXPENSIVE, me).status_code == 200
        before = backend_calls(odoo_emulator)
        # When it asks for a second one
        refused = post(gateway, EXPENSIVE, me)
        calls = backend_calls(odoo_emulator) - before
        # then a cheap one still passes: the refusal took only the edge's token
        cheap = post(gateway, CHEAP, me)

    assert refused.status_code == 429
    # The edge took 1 of the 8 left; the other 21 are 14 short, at one token every 2 s.
    assert refused.headers["Retry-After"] == "28"
    (error,) = refused.json()["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert calls == 0
    assert cheap.status_code == 200
    assert cheap.headers["RateLimit-Remaining"] == "6"


def test_an_operation_costlier_than_the_whole_bucket_takes_the_whole_bucket(
    odoo_emulator_app, clock
):
    # 22 tokens' worth at a bucket of 10: it runs on a full bucket, and empties it.
    with in_process_gateway(
        settings_with(limits(cost_per_token=100, staff=10)),
        {"erp": odoo_emulator_app},
        rate_clock=clock,
    ) as gateway:
        me = staff()
        answer = post(gateway, EXPENSIVE, me)
        after = post(gateway, CHEAP, me)
    assert answer.status_code == 200
    assert answer.headers["RateLimit-Remaining"] == "0"
    assert after.status_code == 429


# --- Concurrency and escape attempts ---------------------------------------------------


@pytest.mark.parametrize("store", ["memory", "redis"])
def test_twenty_concurrent_requests_at_a_limit_of_ten_get_exactly_ten_through(
    request, store, odoo_emulator_app, clock
):
    overrides = {}
    if store == "redis":
        cache = replace(odoo_settings("http://x").cache, url=request.getfixturevalue("redis_url"))
        overrides["cache"] = cache
    settings = settings_with(limits(staff=10), **overrides)
    with in_process_gateway(settings, {"erp": odoo_emulator_app}, rate_clock=clock) as gateway:
        me = staff()
        with ThreadPoolExecutor(20) as pool:
            statuses = list(pool.map(lambda _: post(gateway, TYPENAME, me).status_code, range(20)))
    assert sorted(statuses) == [200] * 10 + [429] * 10


def test_staff_acting_as_customers_draw_from_their_own_bucket(odoo_emulator_app, clock):
    scopes = READ_SCOPES | {CUSTOMERS_IMPERSONATE}
    me = bearer(token_for(PrincipalKind.STAFF, scopes=scopes, subject=uuid.uuid4().hex))
    customers = [encode_id("Customer", str(n)) for n in (1, 2, 3)]
    with in_process_gateway(
        settings_with(limits(staff=2, customer=600)), {"erp": odoo_emulator_app}, rate_clock=clock
    ) as gateway:
        statuses = [
            post(gateway, TYPENAME, {**me, "X-Act-As-Customer": customer}).status_code
            for customer in customers
        ]
    assert statuses == [200, 200, 429]


def test_a_partner_token_has_a_bucket_of_its_own_at_its_own_rate(odoo_emulator_app, clock):
    async def create(rate):
        store = SqliteApiTokenStore(TEST_STORE.removeprefix("sqlite:///"))
        try:
            return (await store.create("acme", {"products:read"}, [], None, rate))[1]
        finally:
            await store.close()

    slow, default = asyncio.run(create(RateLimit(2, 60.0))), asyncio.run(create(None))
    with in_process_gateway(
        settings_with(limits(partner=600)), {"erp": odoo_emulator_app}, rate_clock=clock
    ) as gateway:
        slow_answers = [post(gateway, TYPENAME, bearer(slow)) for _ in range(3)]
        other = post(gateway, TYPENAME, bearer(default))
    assert [a.status_code for a in slow_answers] == [200, 200, 429]
    assert slow_answers[0].headers["RateLimit-Limit"] == "2"
    assert other.status_code == 200
    assert other.headers["RateLimit-Limit"] == "600"


# --- Addresses ------------------------------------------------------------------------


def test_anonymous_clients_are_limited_by_address_and_forwarded_for_is_not_believed(
    odoo_emulator_app, clock
):
    with in_process_gateway(
        settings_with(limits(anonymous=2)), {"erp": odoo_emulator_app}, rate_clock=clock
    ) as gateway:
        statuses = [
            post(gateway, TYPENAME, {"X-Forwarded-For": f"203.0.113.{n}"}).status_code
            for n in range(3)
        ]
    assert statuses == [200, 200, 429]


def test_behind_a_trusted_proxy_each_forwarded_address_has_its_bucket(odoo_emulator_app, clock):
    settings = settings_with(
        limits(anonymous=1),
        http=HttpSettings(trusted_proxies=(ipaddress.ip_network("127.0.0.0/8"),)),
    )
    with in_process_gateway(settings, {"erp": odoo_emulator_app}, rate_clock=clock) as gateway:

        def ask(chain: str) -> int:
            return post(gateway, TYPENAME, {"X-Forwarded-For": chain}).status_code

        first = [ask("203.0.113.1"), ask("203.0.113.2")]
        # The client cannot choose its address by prepending one: the proxy appends.
        spoofed = ask("198.51.100.7, 203.0.113.1")
        # An IPv6 client is its /64
        v6 = [ask("2001:db8::1"), ask("2001:db8::2"), ask("2001:db8:0:1::1")]
    assert first == [200, 200]
    assert spoofed == 429
    assert v6 == [200, 429, 200]


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "address"),
    [
        ("203.0.113.9", "198.51.100.1", (), "203.0.113.9"),
        ("2001:db8::1", None, (), "2001:db8::/64"),
        ("::ffff:203.0.113.9", None, (), "203.0.113.9"),
        ("10.0.0.2", "198.51.100.1, 10.0.0.7", ("10.0.0.0/8",), "198.51.100.1"),
        ("10.0.0.2", "junk, 10.0.0.7", ("10.0.0.0/8",), "10.0.0.7"),
        ("203.0.113.9", "198.51.100.1", ("10.0.0.0/8",), "203.0.113.9"),
    ],
)
def test_the_client_address_is_the_peer_unless_a_trusted_proxy_forwards(
    peer, forwarded, trusted, address
):
    headers = [] if forwarded is None else [(b"x-forwarded-for", forwarded.encode())]
    scope = {"type": "http", "client": (peer, 1234), "headers": headers}
    networks = tuple(ipaddress.ip_network(network) for network in trusted)
    assert client_address(scope, networks) == address


def test_a_flood_of_bad_tokens_is_refused_before_they_are_decoded(odoo_emulator_app, clock, caplog):
    # Given an address may send 3 requests a minute without good credentials
    with in_process_gateway(
        settings_with(limits(anonymous=3)), {"erp": odoo_emulator_app}, rate_clock=clock
    ) as gateway:
        caplog.set_level(logging.INFO, logger="erp_gateway.auth")
        bad = bearer("eyJhbGciOiJIUzI1NiJ9.e30.forged")
        # When it sends 10 bad tokens
        statuses = [post(gateway, TYPENAME, bad).status_code for _ in range(10)]
        checked = [r for r in caplog.records if "refused credentials" in r.getMessage()]
        clock.advance(5)
        boxed = post(gateway, TYPENAME, bad)
        # then even good credentials from there wait for the bucket
        good_meanwhile = post(gateway, TYPENAME, staff()).status_code
        clock.advance(15)
        good_later = post(gateway, TYPENAME, staff()).status_code

    # Then the fourth refusal finds the bucket empty; the rest are 429 without a check
    assert statuses == [401] * 4 + [429] * 6
    assert len(checked) == 4
    assert boxed.status_code == 429
    assert boxed.headers["Retry-After"] == "15"  # of the 20 s, 5 have passed
    assert good_meanwhile == 429
    assert good_later == 200


# --- Redis ----------------------------------------------------------------------------


async def test_redis_buckets_give_twenty_concurrent_takes_at_ten_exactly_ten(redis_url):
    # Each "process" with a connection of its own; the time is the test's.
    clients = [Redis.from_url(redis_url) for _ in range(4)]
    prefix = f"test:client-rate:{uuid.uuid4().hex}"
    buckets = [RedisBuckets(client, prefix=prefix, clock=lambda: 1000.0) for client in clients]
    try:
        decisions = await asyncio.gather(
            *(buckets[n % 4].take("partner:acme", RateLimit(10, 60.0), 1) for n in range(20))
        )
    finally:
        for client in clients:
            await client.aclose()
    assert sum(d.allowed for d in decisions) == 10


async def test_without_redis_each_process_limits_on_its_own_and_says_so_once(caplog):
    unreachable = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.2)
    buckets = RedisBuckets(unreachable, fallback=MemoryBuckets(clock=lambda: 1000.0))
    try:
        decisions = [await buckets.take("staff:x", RateLimit(2, 60.0), 1) for _ in range(3)]
    finally:
        await unreachable.aclose()
    assert [d.allowed for d in decisions] == [True, True, False]
    warnings = [r for r in caplog.records if "Redis is unreachable" in r.getMessage()]
    assert len(warnings) == 1


@pytest.mark.slow
def test_two_serve_processes_sharing_redis_allow_the_limit_together(
    tmp_path, redis_url, odoo_emulator_url
):
    # Given a partner token of 10 an hour, made with `token create --rate`
    store = tmp_path / "auth.sqlite3"
    token = created_token(store, "--rate", "10/hour")
    config = tmp_path / "gateway.toml"
    config.write_text(f"""
[backends.erp]
kind = "odoo"
url = "{odoo_emulator_url}"
database = "demo"
credentials_env = "ODOO_API_KEY"
[cache]
url = "{redis_url}"
[auth]
store = "sqlite:///{store}"
[queue]
url = "sqlite:///{tmp_path}/queue.sqlite3"
worker = false
""")
    # and two gateway processes sharing one Redis
    processes = []
    try:
        for name in ("one", "two"):
            processes.append(serve_gateway_process(config, tmp_path / f"{name}.log"))
        urls = [url for _, url in processes]

        # When 20 requests go at once, spread over both
        def ask(n: int) -> int:
            answer = httpx.post(
                f"{urls[n % 2]}/graphql", json={"query": TYPENAME}, headers=bearer(token)
            )
            return answer.status_code

        with ThreadPoolExecutor(20) as pool:
            statuses = list(pool.map(ask, range(20)))
    finally:
        for process, _ in processes:
            process.terminate()
            process.wait(30)

    # Then together they let exactly 10 through
    assert sorted(statuses) == [200] * 10 + [429] * 10


def created_token(store: Path, *options: str) -> str:
    result = subprocess.run(
        [
            *(sys.executable, "-m", "gateway", "token", "create", "--name", "acme"),
            *("--scopes", "products:read", "--store", f"sqlite:///{store}", *options),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "rate: 10/hour" in result.stderr
    return result.stdout.strip()
