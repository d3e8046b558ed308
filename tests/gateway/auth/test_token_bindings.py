"""The customers a partner token is bound to: `token create --customer`, repeatable;
`token list` shows them; tokens stored with the single binding of earlier versions keep
it, in SQLite and in Redis; and the principal a request gets from either kind of token."""

import argparse
import asyncio
import sqlite3
import uuid
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis
from starlette.datastructures import Headers

from gateway.auth.api_tokens import new_secret
from gateway.auth.authenticate import Authenticator
from gateway.auth.errors import InvalidToken
from gateway.auth.jwt_tokens import JwtVerifier
from gateway.auth.principal import Principal, PrincipalKind
from gateway.auth.token_cli import add_token_commands
from gateway.auth.token_store import RedisApiTokenStore, SqliteApiTokenStore
from gateway.config import AuthSettings, ConfigError
from gateway.secrets import Secret
from resolvers.node import encode_id
from tests.harness import token_for

A, B = encode_id("Customer", "7"), encode_id("Customer", "8")
SECRET = Secret("tests-only-hs256-secret-0123456789abcdef")
# The table as gateways wrote it when a token had at most one customer.
LEGACY_SCHEMA = """
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, scopes TEXT NOT NULL, customer_id TEXT,
    created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT, rotated_at TEXT,
    previous_valid_until TEXT, secret_hash TEXT NOT NULL, previous_hash TEXT
)"""


@pytest.fixture
def db(tmp_path):
    return tmp_path / "tokens.sqlite3"


@pytest.fixture
def token(db, capsys):
    """Runs `erp-gateway token ...` against the test's SQLite store."""

    def run(*argv):
        parser = argparse.ArgumentParser(prog="erp-gateway")
        add_token_commands(parser.add_subparsers(required=True, metavar="COMMAND"))
        args = parser.parse_args(["token", *argv, "--store", f"sqlite:///{db}"])
        args.run(args)
        return capsys.readouterr()

    return run


async def verified(store, presented):
    try:
        return await store.verify(presented)
    finally:
        await store.close()


async def principal_of(store, presented) -> Principal:
    settings = AuthSettings(secret=SECRET, store="sqlite:///unused")
    authenticator = Authenticator(settings, JwtVerifier(settings, None), store)
    try:
        return await authenticator.principal_for(Headers({"authorization": f"Bearer {presented}"}))
    finally:
        await store.close()


def legacy_fields(customer_id: str | None) -> tuple[dict[str, str], str]:
    """A token's fields as the earlier versions stored them, and its text."""
    token_id = uuid.uuid4().hex[:12]
    fresh = new_secret(token_id)
    fields = {
        "id": token_id,
        "name": "old-partner",
        "scopes": "orders:read",
        "created_at": datetime.now(UTC).isoformat(),
        "secret_hash": fresh.hash,
    }
    if customer_id is not None:
        fields["customer_id"] = customer_id
    return fields, fresh.token


def test_create_binds_every_customer_given_once_and_list_shows_them(token, db):
    naming = ["--name", "acme", "--scopes", "orders:read"]
    text = token("create", *naming, "--customer", A, "--customer", B, "--customer", A).out

    listed = token("list").out.splitlines()[1].split()

    token_id = text.split("_")[1]
    assert asyncio.run(verified(SqliteApiTokenStore(db), text.strip())).customer_ids == (A, B)
    assert listed[:4] == [token_id, "acme", "orders:read", f"{A},{B}"]


def test_list_says_whom_an_unbound_token_acts_for(token):
    token("create", "--name", "any", "--scopes", "orders:read,customers:any")
    token("create", "--name", "none", "--scopes", "orders:read")

    rows = [row.split() for row in token("list").out.splitlines()[1:]]

    assert sorted((row[1], row[3]) for row in rows) == [("any", "any"), ("none", "none")]


def test_customers_any_takes_no_customer(token):
    with pytest.raises(ConfigError, match="a token with customers:any acts for every customer"):
        token("create", "--name", "x", "--scopes", "customers:any", "--customer", A)


async def test_a_sqlite_store_of_single_bindings_is_migrated_and_keeps_them(db):
    # Given a store written by a gateway of one binding per token
    bound, bound_text = legacy_fields(A)
    unbound, unbound_text = legacy_fields(None)
    with sqlite3.connect(db) as legacy:
        legacy.execute(LEGACY_SCHEMA)
        for fields in (bound, unbound):
            names = ", ".join(fields)
            marks = ", ".join(f":{name}" for name in fields)
            legacy.execute(f"INSERT INTO api_tokens ({names}) VALUES ({marks})", fields)
    legacy.close()

    # When this version reads it
    tokens = [await verified(SqliteApiTokenStore(db), text) for text in (bound_text, unbound_text)]

    # Then each token keeps its binding, now in the new column too
    assert [t.customer_ids for t in tokens] == [(A,), ()]
    with sqlite3.connect(db) as migrated:
        rows = dict(migrated.execute("SELECT id, customer_ids FROM api_tokens").fetchall())
    migrated.close()
    assert rows == {bound["id"]: A, unbound["id"]: ""}
    principal = await principal_of(SqliteApiTokenStore(db), bound_text)
    assert (principal.customer_id, principal.customer_key, principal.bound_keys) == (
        A,
        "7",
        frozenset({"7"}),
    )


@pytest.mark.slow
async def test_a_redis_hash_of_a_single_binding_keeps_it(redis_url):
    prefix = f"test-{uuid.uuid4().hex}"
    fields, text = legacy_fields(A)
    redis = Redis.from_url(redis_url, decode_responses=True)
    try:
        await redis.hset(f"{prefix}:api-token:{fields['id']}", mapping=dict(fields.items()))
        await redis.sadd(f"{prefix}:api-tokens", fields["id"])

        token = await verified(RedisApiTokenStore(redis_url, prefix=prefix), text)
        store = RedisApiTokenStore(redis_url, prefix=prefix)
        await store.revoke(fields["id"])
        await store.close()
        stored = await redis.hgetall(f"{prefix}:api-token:{fields['id']}")
    finally:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}:*")]
        await redis.delete(*keys)
        await redis.aclose()

    assert token.customer_ids == (A,)
    assert (stored["customer_ids"], stored["customer_id"]) == (A, A)


async def test_a_token_bound_to_several_customers_acts_as_none_of_them_unnamed(db):
    store = SqliteApiTokenStore(db)
    _, text = await store.create("acme", {"orders:read"}, [A, B], None)
    await store.close()

    principal = await principal_of(SqliteApiTokenStore(db), text)

    assert principal.kind is PrincipalKind.PARTNER
    assert (principal.customer_id, principal.customer_key) == (None, None)
    assert principal.customer_keys == frozenset({"7", "8"})


async def test_one_customer_id_is_not_a_list_of_its_letters(db):
    store = SqliteApiTokenStore(db)
    with pytest.raises(TypeError, match="not one id"):
        await store.create("acme", {"orders:read"}, A, None)
    await store.close()


@pytest.mark.parametrize(
    ("kind", "customer_id", "customer_keys"),
    [
        (PrincipalKind.PARTNER, [A, B], {"7", "8"}),
        (PrincipalKind.PARTNER, A, {"7"}),
        (PrincipalKind.PARTNER, None, set()),
        (PrincipalKind.CUSTOMER, A, {"7"}),
        (PrincipalKind.STAFF, A, None),
    ],
)
async def test_a_jwt_binds_a_partner_to_its_customer_claim(db, kind, customer_id, customer_keys):
    jwt = token_for(kind, scopes={"orders:read"}, customer_id=customer_id, secret=SECRET)

    principal = await principal_of(SqliteApiTokenStore(db), jwt)

    assert principal.customer_keys == (None if customer_keys is None else frozenset(customer_keys))


async def test_customers_any_unbinds_a_partner_but_not_a_customer(db):
    scopes = {"orders:read", "customers:any"}
    partner = token_for(PrincipalKind.PARTNER, scopes=scopes, secret=SECRET)
    customer = token_for(PrincipalKind.CUSTOMER, scopes=scopes, customer_id=A, secret=SECRET)

    principals = [await principal_of(SqliteApiTokenStore(db), t) for t in (partner, customer)]

    assert [p.customer_keys for p in principals] == [None, frozenset({"7"})]


@pytest.mark.parametrize(
    ("kind", "claim", "reason"),
    [
        (PrincipalKind.CUSTOMER, [A], "the token's customer_id claim is not a customer id"),
        (PrincipalKind.PARTNER, 7, "must be a customer id or a list of them"),
        (PrincipalKind.PARTNER, [A, 7], "must be a customer id or a list of them"),
        (PrincipalKind.PARTNER, [encode_id("Order", "7")], "not the id of a customer"),
    ],
)
async def test_a_customer_claim_of_another_shape_is_refused(db, kind, claim, reason):
    jwt = token_for(kind, scopes={"orders:read"}, customer_id=claim, secret=SECRET)

    with pytest.raises(InvalidToken, match=reason):
        await principal_of(SqliteApiTokenStore(db), jwt)
