"""Partner API tokens: the token format, then one contract suite run over every store
(a SQLite file and a real Redis)."""

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from gateway.auth.api_tokens import (
    ApiToken,
    TokenState,
    hash_secret,
    new_secret,
    parse_duration,
    parse_presented,
)
from gateway.auth.errors import AuthUnavailable, InvalidToken
from gateway.auth.token_store import (
    RedisApiTokenStore,
    SqliteApiTokenStore,
    TokenNotRotatable,
    UnknownTokenId,
    open_token_store,
)
from resolvers.node import encode_id

CUSTOMER = encode_id("Customer", "7")
SCOPES = {"orders:write", "stock:read"}
HOUR = timedelta(hours=1)
ID, SECRET = "0123456789ab", "a" * 43  # well-formed, but no store knows them


def secret_of(text):
    return parse_presented(text)[1]


# --- the token format --------------------------------------------------------------


def test_a_new_token_reads_egw_id_secret_and_parses_back():
    fresh = new_secret("0123456789ab")

    token_id, secret = parse_presented(fresh.token)

    assert fresh.token == f"egw_0123456789ab_{secret}"
    assert token_id == "0123456789ab"
    assert fresh.hash == hash_secret(secret) != secret
    assert secret not in repr(fresh)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "egw_",
        f"egw_{ID}_",
        f"egw_{ID.upper()}_{SECRET}",
        f"egw_{ID}_{SECRET[:-1]}",
        f"egw_{ID}_{SECRET}a",
        f"xyz_{ID}_{SECRET}",
        f"Bearer egw_{ID}_{SECRET}",
        f"egw_{ID}_{SECRET[:-1]}=",
        f"egw_{ID[:-1]}_{SECRET}",
    ],
)
def test_anything_else_is_a_malformed_token(text):
    with pytest.raises(InvalidToken, match=r"^malformed API token$"):
        parse_presented(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90d", timedelta(days=90)),
        ("12h", timedelta(hours=12)),
        ("30m", timedelta(minutes=30)),
        ("3600s", timedelta(seconds=3600)),
    ],
)
def test_durations_read_as_number_and_unit(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "90", "d", "0d", "-1d", "1.5h", "2w", "9999999999d", "101y"])
def test_other_durations_are_refused_with_the_reason(text):
    with pytest.raises(ValueError, match=r"expected a duration|too long"):
        parse_duration(text)


def test_an_api_token_holds_no_secret_material():
    assert {f.name for f in dataclasses.fields(ApiToken)} == {
        "id",
        "name",
        "scopes",
        "customer_ids",
        "created_at",
        "expires_at",
        "revoked_at",
        "rotated_at",
        "previous_valid_until",
        "rate_limit",
    }


# --- the store contract ------------------------------------------------------------


class SqliteBackend:
    def __init__(self, tmp_path):
        self.path = tmp_path / "state" / "gateway.sqlite3"  # the folder does not exist yet

    def open(self):
        return SqliteApiTokenStore(self.path)

    async def stored_text(self):
        # WAL mode: recent writes may still sit in the -wal file, not in the database.
        return b"".join(p.read_bytes() for p in self.path.parent.iterdir()).decode("latin-1")

    async def clean(self):
        pass


class RedisBackend:
    def __init__(self, url):
        self.url = url
        self.prefix = f"test-{uuid.uuid4().hex}"  # never meets other data in that Redis

    def open(self):
        return RedisApiTokenStore(self.url, prefix=self.prefix)

    async def stored_text(self):
        redis = Redis.from_url(self.url, decode_responses=True)
        try:
            keys = [key async for key in redis.scan_iter(match=f"{self.prefix}:*")]
            hashes = [
                await redis.hgetall(key) for key in keys if key.endswith(":api-tokens") is False
            ]
            return (
                repr(keys) + repr(hashes) + repr(await redis.smembers(f"{self.prefix}:api-tokens"))
            )
        finally:
            await redis.aclose()

    async def clean(self):
        redis = Redis.from_url(self.url)
        try:
            keys = [key async for key in redis.scan_iter(match=f"{self.prefix}:*")]
            if keys:
                await redis.delete(*keys)
        finally:
            await redis.aclose()


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.slow)])
async def backend(request, tmp_path):
    """Where tokens are kept; each `open()` is one more gateway process using it."""
    if request.param == "sqlite":
        found: SqliteBackend | RedisBackend = SqliteBackend(tmp_path)
    else:
        found = RedisBackend(request.getfixturevalue("redis_url"))
    yield found
    await found.clean()


@pytest.fixture
async def store(backend):
    store = backend.open()
    yield store
    await store.close()


@pytest.fixture
async def other_process(backend):
    store = backend.open()
    yield store
    await store.close()


async def create(store, expires_at=None):
    return await store.create("acme", SCOPES, [CUSTOMER], expires_at)


async def test_a_created_token_verifies_as_itself(store):
    expires_at = datetime.now(UTC) + 90 * 24 * HOUR

    token, text = await create(store, expires_at)

    assert text.startswith(f"egw_{token.id}_")
    verified = await store.verify(text)
    assert verified == token
    assert (verified.name, verified.scopes, verified.customer_ids) == ("acme", SCOPES, (CUSTOMER,))
    assert verified.expires_at == expires_at
    assert verified.state(datetime.now(UTC)) is TokenState.ACTIVE


async def test_a_wrong_secret_and_an_unknown_id_get_the_same_answer(store):
    token, text = await create(store)
    secret = secret_of(text)
    wrong_secret = f"egw_{token.id}_{secret[:-1]}{'B' if secret[-1] == 'A' else 'A'}"
    unknown_id = f"egw_{'0' if token.id[0] != '0' else '1'}{token.id[1:]}_{secret}"

    reasons = []
    for presented in (wrong_secret, unknown_id):
        with pytest.raises(InvalidToken) as caught:
            await store.verify(presented)
        reasons.append(caught.value.reason)

    assert reasons == ["unknown API token", "unknown API token"]


async def test_a_malformed_token_is_refused_without_echoing_it(store):
    _, text = await create(store)

    with pytest.raises(InvalidToken) as caught:
        await store.verify(text + "x")

    assert caught.value.reason == "malformed API token"
    assert secret_of(text) not in str(caught.value)


async def test_a_revoked_token_fails_at_once_in_every_process(store, other_process):
    token, text = await create(store)
    assert await other_process.verify(text) == token  # both processes have seen it valid

    revoked = await store.revoke(token.id)

    assert revoked.revoked_at is not None
    for process in (store, other_process):
        with pytest.raises(InvalidToken, match=r"^API token revoked$"):
            await process.verify(text)
    assert (await other_process.revoke(token.id)).revoked_at == revoked.revoked_at


async def test_a_token_past_its_expiry_fails(store):
    now = datetime.now(UTC)
    _, text = await create(store, expires_at=now + HOUR)

    assert (await store.verify(text, now=now + HOUR / 2)).id
    with pytest.raises(InvalidToken, match=r"^API token expired$"):
        await store.verify(text, now=now + HOUR)


async def test_after_a_rotation_old_and_new_work_until_the_grace_period_ends(store, other_process):
    token, old = await create(store)
    now = datetime.now(UTC)

    rotated, new = await store.rotate(token.id, grace=HOUR)

    assert rotated.id == token.id
    assert new != old
    assert rotated.state(now) is TokenState.ROTATING
    for presented in (old, new):
        assert (await other_process.verify(presented, now=now + HOUR / 2)).id == token.id
    with pytest.raises(InvalidToken, match=r"^unknown API token$"):
        await other_process.verify(old, now=now + 2 * HOUR)
    assert (await other_process.verify(new, now=now + 2 * HOUR)).id == token.id


async def test_revoking_or_rotating_an_unknown_id_names_it(store):
    for change in (store.revoke(ID), store.rotate(ID, HOUR)):
        with pytest.raises(UnknownTokenId, match=f"no API token with id '{ID}'"):
            await change


async def test_a_revoked_or_expired_token_cannot_be_rotated_back_to_life(store):
    revoked, _ = await create(store)
    await store.revoke(revoked.id)
    expired, _ = await create(store, expires_at=datetime.now(UTC) - HOUR)

    with pytest.raises(TokenNotRotatable, match="is revoked"):
        await store.rotate(revoked.id, HOUR)
    with pytest.raises(TokenNotRotatable, match="is expired"):
        await store.rotate(expired.id, HOUR)


async def test_list_shows_every_token_and_no_secret_material(store):
    first, first_text = await create(store)
    second, second_text = await store.create("globex", {"stock:read"}, (), None)

    listed = await store.list()

    assert {token.id: token.name for token in listed} == {first.id: "acme", second.id: "globex"}
    assert {token.id: token.customer_ids for token in listed}[second.id] == ()
    shown = repr(listed)
    for text in (first_text, second_text):
        assert secret_of(text) not in shown
        assert hash_secret(secret_of(text)) not in shown


async def test_the_store_keeps_hashes_never_secrets(store, backend):
    token, text = await create(store)
    _, rotated = await store.rotate(token.id, grace=HOUR)

    stored = await backend.stored_text()

    for presented in (text, rotated):
        assert hash_secret(secret_of(presented)) in stored
        assert secret_of(presented) not in stored


# --- an unreachable store ----------------------------------------------------------


async def test_an_unreadable_sqlite_file_makes_the_store_unavailable(tmp_path):
    store = SqliteApiTokenStore(tmp_path)  # a folder, not a database file

    with pytest.raises(AuthUnavailable) as caught:
        await store.verify(f"egw_{ID}_{SECRET}")

    assert caught.value.reason == "token store unavailable"


async def test_an_unreachable_redis_makes_the_store_unavailable_without_naming_it():
    store = open_token_store("redis://:hunter2@127.0.0.1:1/0")
    try:
        with pytest.raises(AuthUnavailable) as caught:
            await store.verify(f"egw_{ID}_{SECRET}")
    finally:
        await store.close()

    assert caught.value.reason == "token store unavailable"
    assert "hunter2" not in str(caught.value)
