"""Where partner API tokens live, as hashes only.

    ApiTokenStore               the port
    ├── SqliteApiTokenStore     one file; the gateway processes of one host share it
    └── RedisApiTokenStore      shared by every gateway process, on every host

`verify` reads the store on every call and nothing is cached in a process, so
`token revoke` takes effect at once in every gateway that shares the store.

    UnknownTokenId      revoke or rotate named an id the store does not hold
    TokenNotRotatable   rotate named a revoked or expired token
    AuthUnavailable     the store cannot be reached (from gateway.auth.errors)
"""

from __future__ import annotations

import builtins
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

from redis.asyncio import Redis
from redis.exceptions import RedisError, WatchError
from redis.typing import EncodableT, FieldT

from erp_backends.rate_limit import RateLimit
from gateway.auth.api_tokens import (
    COLUMNS,
    ApiToken,
    Fields,
    StoredToken,
    TokenNotRotatable,
    from_fields,
    new_secret,
    new_token_id,
    parse_presented,
    to_fields,
    verified_token,
)
from gateway.auth.errors import AuthUnavailable
from gateway.sqlite_files import SharedConnection
from gateway.stores import SqliteLocation, parse_store_url

__all__ = [
    "ApiTokenStore",
    "RedisApiTokenStore",
    "SqliteApiTokenStore",
    "TokenNotRotatable",
    "UnknownTokenId",
    "open_token_store",
]

T = TypeVar("T")
Clock = Callable[[], datetime]


class UnknownTokenId(KeyError):
    """No API token has this id."""

    def __init__(self, token_id: str) -> None:
        super().__init__(token_id)
        self.token_id = token_id

    def __str__(self) -> str:  # KeyError's own would show only the quoted id
        return f"no API token with id {self.token_id!r}"


class ApiTokenStore(Protocol):
    """Creates, checks, lists, revokes and rotates partner API tokens."""

    async def create(
        self,
        name: str,
        scopes: Iterable[str],
        customer_ids: Iterable[str],
        expires_at: datetime | None,
        rate_limit: RateLimit | None = None,
    ) -> tuple[ApiToken, str]:
        """The new token, bound to the customers of these global ids (at its own rate
        limit, if given), and its full text, which nothing can show again."""

    async def verify(self, presented: str, now: datetime | None = None) -> ApiToken:
        """The token a client presented; InvalidToken or AuthUnavailable otherwise."""

    async def list(self) -> builtins.list[ApiToken]: ...

    async def revoke(self, token_id: str) -> ApiToken: ...

    async def rotate(self, token_id: str, grace: timedelta) -> tuple[ApiToken, str]:
        """A new secret for the token; the old one is still accepted for `grace`."""

    async def close(self) -> None: ...


def open_token_store(url: str) -> ApiTokenStore:
    """The store a store URL names (see gateway.stores); ValueError for a bad URL."""
    location = parse_store_url(url)
    if isinstance(location, SqliteLocation):
        return SqliteApiTokenStore(location.path)
    return RedisApiTokenStore(location.url)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class _RecordStore(ABC):
    """The port's logic over four storage primitives, which each backend supplies."""

    # What a backend raises when it cannot be reached: the port raises AuthUnavailable.
    _failures: tuple[type[Exception], ...] = ()

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def create(
        self,
        name: str,
        scopes: Iterable[str],
        customer_ids: Iterable[str],
        expires_at: datetime | None,
        rate_limit: RateLimit | None = None,
    ) -> tuple[ApiToken, str]:
        if isinstance(customer_ids, str):  # one id would bind the token to its letters
            raise TypeError("customer_ids is a collection of customer ids, not one id")
        token_id = new_token_id()
        fresh = new_secret(token_id)
        token = ApiToken(
            id=token_id,
            name=name,
            scopes=frozenset(scopes),
            customer_ids=tuple(dict.fromkeys(customer_ids)),  # in order, once each
            created_at=self._clock(),
            expires_at=expires_at,
            rate_limit=rate_limit,
        )
        await self._guard(self._insert(StoredToken(token, fresh.hash)))
        return token, fresh.token

    async def verify(self, presented: str, now: datetime | None = None) -> ApiToken:
        token_id, secret = parse_presented(presented)
        record = await self._guard(self._get(token_id))
        return verified_token(record, secret, now or self._clock())

    async def list(self) -> builtins.list[ApiToken]:
        records = await self._guard(self._all())
        return sorted((record.token for record in records), key=lambda t: (t.created_at, t.id))

    async def revoke(self, token_id: str) -> ApiToken:
        now = self._clock()
        record = await self._guard(self._update(token_id, lambda old: old.revoked(now)))
        return record.token

    async def rotate(self, token_id: str, grace: timedelta) -> tuple[ApiToken, str]:
        now, fresh = self._clock(), new_secret(token_id)

        def rotated(old: StoredToken) -> StoredToken:
            return old.rotated(fresh.hash, now, grace)

        record = await self._guard(self._update(token_id, rotated))
        return record.token, fresh.token

    @abstractmethod
    async def close(self) -> None: ...

    async def _guard(self, pending: Awaitable[T]) -> T:
        try:
            return await pending
        except self._failures as exc:
            raise AuthUnavailable("token store unavailable") from exc

    @abstractmethod
    async def _insert(self, record: StoredToken) -> None: ...

    @abstractmethod
    async def _get(self, token_id: str) -> StoredToken | None: ...

    @abstractmethod
    async def _all(self) -> builtins.list[StoredToken]: ...

    @abstractmethod
    async def _update(
        self, token_id: str, change: Callable[[StoredToken], StoredToken]
    ) -> StoredToken:
        """Apply `change` atomically; UnknownTokenId when no token has the id."""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_tokens (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, scopes TEXT NOT NULL, customer_id TEXT,
    customer_ids TEXT, created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT,
    rotated_at TEXT, previous_valid_until TEXT, secret_hash TEXT NOT NULL, previous_hash TEXT,
    rate_limit TEXT
)"""
# Built from the constant column names only; values are always bound parameters.
_INSERT = (
    f"INSERT INTO api_tokens ({', '.join(COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join(':' + c for c in COLUMNS)})"
)
_UPDATE = f"UPDATE api_tokens SET {', '.join(f'{c} = :{c}' for c in COLUMNS)} WHERE id = :id"  # noqa: S608
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM api_tokens"  # noqa: S608
_SELECT_ONE = f"{_SELECT} WHERE id = ?"


class SqliteApiTokenStore(_RecordStore):
    """A SQLite file in WAL mode: readers never wait for a writer, and the gateway
    processes of one host can share it (not over a network file system)."""

    _failures = (sqlite3.Error, OSError)

    def __init__(self, path: Path | str, *, clock: Clock = _utcnow) -> None:
        super().__init__(clock)
        # One connection kept open: every API-token request verifies here, and opening
        # a file per request cost more than the query.
        self._db = SharedConnection(
            Path(path), schema=_SCHEMA, busy_timeout_s=5.0, row_factory=sqlite3.Row
        )
        self._migrated = False

    async def close(self) -> None:
        await self._db.close()

    async def _insert(self, record: StoredToken) -> None:
        await self._run(lambda db: db.execute(_INSERT, to_fields(record)))

    async def _get(self, token_id: str) -> StoredToken | None:
        row = await self._run(lambda db: db.execute(_SELECT_ONE, (token_id,)).fetchone())
        return None if row is None else from_fields(dict(row))

    async def _all(self) -> builtins.list[StoredToken]:
        rows = await self._run(lambda db: db.execute(_SELECT).fetchall())
        return [from_fields(dict(row)) for row in rows]

    async def _update(
        self, token_id: str, change: Callable[[StoredToken], StoredToken]
    ) -> StoredToken:
        def update(db: sqlite3.Connection) -> StoredToken:
            with db:  # commits, or rolls back when `change` refuses
                # IMMEDIATE takes the write lock before reading, so two processes
                # rotating the same token at once cannot both win.
                db.execute("BEGIN IMMEDIATE")
                row = db.execute(_SELECT_ONE, (token_id,)).fetchone()
                if row is None:
                    raise UnknownTokenId(token_id)
                record = change(from_fields(dict(row)))
                db.execute(_UPDATE, to_fields(record))
                return record

        return await self._run(update)

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        if not self._migrated:
            await self._db.run(_migrate)
            self._migrated = True
        return await self._db.run(work)


def _migrate(db: sqlite3.Connection) -> None:
    """A file from before tokens took several customers gets `customer_ids`, each row
    its one `customer_id` (or none) there; one from before tokens had rates gets
    `rate_limit` (none: their kind's); once, whichever process comes first."""
    with db:
        db.execute("BEGIN IMMEDIATE")  # another process migrating waits, then sees it done
        columns = {row[1] for row in db.execute("PRAGMA table_info(api_tokens)")}
        if "customer_ids" not in columns:
            db.execute("ALTER TABLE api_tokens ADD COLUMN customer_ids TEXT")
            db.execute("UPDATE api_tokens SET customer_ids = coalesce(customer_id, '')")
        if "rate_limit" not in columns:
            db.execute("ALTER TABLE api_tokens ADD COLUMN rate_limit TEXT")


class RedisApiTokenStore(_RecordStore):
    """One hash per token, `<prefix>:api-token:<id>`, and the set of ids,
    `<prefix>:api-tokens`, in a Redis that every gateway process shares. A hash from
    before tokens took several customers has a `customer_id` field only: it reads as a
    binding of one, and gains `customer_ids` when it is next written (revoke, rotate)."""

    _failures = (RedisError, OSError)

    def __init__(self, url: str, prefix: str = "erp-gateway", *, clock: Clock = _utcnow) -> None:
        super().__init__(clock)
        self._redis = Redis.from_url(
            url, decode_responses=True, socket_connect_timeout=2.0, socket_timeout=2.0
        )
        self._prefix = prefix
        self._index = f"{prefix}:api-tokens"

    async def close(self) -> None:
        await self._redis.aclose()

    def _key(self, token_id: str) -> str:
        return f"{self._prefix}:api-token:{token_id}"

    async def _insert(self, record: StoredToken) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(self._key(record.token.id), mapping=_present(to_fields(record)))
            pipe.sadd(self._index, record.token.id)
            await pipe.execute()

    async def _get(self, token_id: str) -> StoredToken | None:
        fields = _strings(await self._redis.hgetall(self._key(token_id)))
        return from_fields(fields) if fields else None

    async def _all(self) -> builtins.list[StoredToken]:
        ids = sorted(cast(set[str], await self._redis.smembers(self._index)))
        async with self._redis.pipeline(transaction=False) as pipe:
            for token_id in ids:
                pipe.hgetall(self._key(token_id))
            found = await pipe.execute()
        return [from_fields(_strings(fields)) for fields in found if fields]

    async def _update(
        self, token_id: str, change: Callable[[StoredToken], StoredToken]
    ) -> StoredToken:
        key = self._key(token_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            while True:
                # WATCH makes the write fail if another process changed the token since
                # we read it (two rotations at once); then read and apply again.
                await pipe.watch(key)
                fields = _strings(await pipe.hgetall(key))
                if not fields:
                    raise UnknownTokenId(token_id)
                record = change(from_fields(fields))
                pipe.multi()  # type: ignore[no-untyped-call]
                pipe.hset(key, mapping=_present(to_fields(record)))
                try:
                    await pipe.execute()
                except WatchError:
                    continue
                return record


def _strings(fields: Mapping[Any, Any]) -> dict[str, str]:
    # The client decodes responses, so keys and values are already str.
    return cast(dict[str, str], fields)


def _present(fields: Fields) -> dict[FieldT, EncodableT]:
    # A Redis hash cannot hold None, and the fields that can be None are never unset.
    return {name: value for name, value in fields.items() if value is not None}
