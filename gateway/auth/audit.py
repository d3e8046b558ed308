"""The append-only audit log: who did what, as whom, and how it ended.

Every impersonated request and every mutation leaves one `AuditEntry`. Entries redact
their variables when they are built, so no store ever receives a password or a token.
The store URL (see `gateway.stores`) picks one of two logs:

    SqliteAuditLog   a local file; the database itself refuses UPDATE and DELETE
    RedisAuditLog    a stream shared by every gateway process; never trimmed

`append` returns once the store has the entry, or raises `AuditUnavailable`: a caller
refuses the request rather than run it unaudited.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast
from urllib.parse import urlsplit

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.auth.principal import Principal
from gateway.auth.redaction import REDACTED, redact
from gateway.sqlite_files import SharedConnection
from gateway.stores import SqliteLocation, parse_store_url

__all__ = [
    "DEFAULT_STREAM",
    "REDACTED",
    "AuditBatch",
    "AuditEntry",
    "AuditLog",
    "AuditUnavailable",
    "RedisAuditLog",
    "SqliteAuditLog",
    "display_url",
    "open_audit_log",
    "redact",
]

DEFAULT_STREAM = "erp-gateway:audit"
T = TypeVar("T")


class AuditUnavailable(Exception):
    """The audit log cannot take (or give) entries; the message names the store, never
    its credentials."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- Entries --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audited request. `variables` and `outcome` are redacted on construction."""

    at: datetime  # UTC
    request_id: str
    actor: str | None  # the staff subject behind an impersonation, else None
    subject: str  # who the request ran as
    kind: str  # customer, staff, partner, service, anonymous
    customer_id: str | None
    credential: str  # "jwt" or "api_token:<token id>"
    operation_type: str  # query, mutation, request
    operation_name: str | None
    variables: Mapping[str, Any]
    outcome: str  # "ok", "error: FORBIDDEN, NOT_FOUND", "denied: <reason>"
    # The arguments of the operation's root fields as written, variables put in, by
    # response key: what a mutation asked for even when it was written inline.
    arguments: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("AuditEntry.at must be timezone-aware")
        object.__setattr__(self, "at", self.at.astimezone(UTC))
        # Here rather than in each caller, so that no path can store a secret.
        object.__setattr__(self, "variables", redact(dict(self.variables)))
        object.__setattr__(self, "arguments", redact(dict(self.arguments)))
        object.__setattr__(self, "outcome", redact(self.outcome))

    @classmethod
    def of(
        cls,
        principal: Principal,
        *,
        request_id: str,
        operation_type: str,
        operation_name: str | None,
        variables: Mapping[str, Any],
        outcome: str,
        arguments: Mapping[str, Any] | None = None,
        at: datetime | None = None,
    ) -> AuditEntry:
        """The entry for a request that `principal` made (now, unless `at` says)."""
        return cls(
            at=at or datetime.now(UTC),
            request_id=request_id,
            actor=None if principal.actor is None else principal.actor.subject,
            subject=principal.subject,
            kind=principal.kind.value,
            customer_id=principal.customer_id,
            credential=principal.credential,
            operation_type=operation_type,
            operation_name=operation_name,
            variables=variables,
            outcome=outcome,
            arguments=arguments or {},
        )

    def to_json(self) -> str:
        data = {each.name: getattr(self, each.name) for each in fields(self)}
        data["at"] = self.at.isoformat()
        # ASCII: a client's lone surrogate ("\ud800" in its JSON) stays an escape, which
        # every store can hold; as UTF-8 it would fail to encode and lose the entry.
        return json.dumps(data, separators=(",", ":"), default=str)

    @classmethod
    def from_json(cls, text: str) -> AuditEntry:
        data = json.loads(text)
        data["at"] = datetime.fromisoformat(data["at"])
        return cls(**data)


@dataclass(frozen=True, slots=True)
class AuditBatch:
    entries: list[AuditEntry]  # oldest first
    cursor: str  # pass to `follow` to get what was appended after these


class AuditLog(Protocol):
    """Where audit entries go; nothing can change or remove one once appended."""

    async def append(self, entry: AuditEntry) -> None: ...

    async def tail(self, limit: int) -> list[AuditEntry]:
        """The last `limit` entries, oldest first."""
        ...

    async def follow(self, after: str | None, limit: int = 100) -> AuditBatch:
        """The entries after the cursor `after` (at most `limit`); with None, the last
        `limit` entries, as `tail`. Polling with the returned cursor misses nothing."""
        ...

    async def close(self) -> None: ...


# --- SQLite ---------------------------------------------------------------------------

SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- AUTOINCREMENT: an id is never handed out twice
    at TEXT NOT NULL,
    entry TEXT NOT NULL  -- AuditEntry.to_json(); query it with json_extract(entry, '$.subject')
);
CREATE TRIGGER IF NOT EXISTS audit_log_refuses_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE is refused'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_refuses_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE is refused'); END;
"""
BUSY_TIMEOUT_S = 10.0  # how long to wait while another process writes


class SqliteAuditLog:
    """The audit log in a SQLite file, which several gateway processes may share."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        # Synchronous FULL, as WAL's usual NORMAL may lose the last commits on power loss.
        self._db = SharedConnection(self.path, schema=SQLITE_SCHEMA, busy_timeout_s=BUSY_TIMEOUT_S)

    async def append(self, entry: AuditEntry) -> None:
        row = (entry.at.isoformat(), entry.to_json())
        insert = "INSERT INTO audit_log (at, entry) VALUES (?, ?)"
        try:  # committed with the appends of concurrent requests (`SharedConnection.write`)
            await self._db.write(lambda db: db.execute(insert, row))
        except (sqlite3.Error, OSError) as exc:
            raise AuditUnavailable(f"SQLite audit log {self.path}: cannot append: {exc}") from exc

    async def tail(self, limit: int) -> list[AuditEntry]:
        return (await self.follow(None, limit)).entries

    async def follow(self, after: str | None, limit: int = 100) -> AuditBatch:
        if not self._db.is_open and not self.path.exists():
            return AuditBatch([], after or "0")  # reading must not create the file
        rows = await self._run("cannot read", lambda db: _select(db, after, limit))
        entries = [AuditEntry.from_json(text) for _, text in rows]
        return AuditBatch(entries, str(rows[-1][0]) if rows else after or "0")

    async def close(self) -> None:
        await self._db.close()

    async def _run(self, failure: str, work: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return await self._db.run(work)
        except (sqlite3.Error, OSError) as exc:
            raise AuditUnavailable(f"SQLite audit log {self.path}: {failure}: {exc}") from exc


def _select(db: sqlite3.Connection, after: str | None, limit: int) -> list[tuple[int, str]]:
    if after is None:
        query = "SELECT id, entry FROM (SELECT id, entry FROM audit_log ORDER BY id DESC LIMIT ?)"
        return db.execute(query + " ORDER BY id", (limit,)).fetchall()
    query = "SELECT id, entry FROM audit_log WHERE id > ? ORDER BY id LIMIT ?"
    return db.execute(query, (int(after), limit)).fetchall()


# --- Redis ----------------------------------------------------------------------------


# (id, fields) pairs, as strings since the client decodes responses.
StreamRows = list[tuple[str, dict[str, str]]]


class RedisAuditLog:
    """The audit log as a Redis stream, one JSON field per entry. It is never trimmed;
    entries survive a Redis crash only as far as its persistence (appendonly) allows."""

    def __init__(self, url: str, stream: str = DEFAULT_STREAM) -> None:
        self.stream = stream
        self._where = display_url(url)
        self._redis: Redis = Redis.from_url(url, decode_responses=True)

    async def append(self, entry: AuditEntry) -> None:
        try:
            await self._redis.xadd(self.stream, {"entry": entry.to_json()})
        except RedisError as exc:
            raise self._unavailable("cannot append", exc) from exc

    async def tail(self, limit: int) -> list[AuditEntry]:
        return (await self.follow(None, limit)).entries

    async def follow(self, after: str | None, limit: int = 100) -> AuditBatch:
        try:
            if after is None:
                newest_first = await self._redis.xrevrange(self.stream, count=limit)
                rows = cast(StreamRows, list(reversed(newest_first or [])))
            else:  # "(" makes the start exclusive
                found = await self._redis.xrange(self.stream, min=f"({after}", count=limit)
                rows = cast(StreamRows, found or [])
        except RedisError as exc:
            raise self._unavailable("cannot read", exc) from exc
        entries = [AuditEntry.from_json(values["entry"]) for _, values in rows]
        return AuditBatch(entries, rows[-1][0] if rows else after or "0-0")

    async def close(self) -> None:
        await self._redis.aclose()

    def _unavailable(self, failure: str, exc: RedisError) -> AuditUnavailable:
        # The class name only: a Redis message could quote the command, and with it data.
        return AuditUnavailable(f"Redis audit log {self._where}: {failure} ({type(exc).__name__})")


def display_url(url: str) -> str:
    """`url` without its user and password, fit for messages."""
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]).geturl()


def open_audit_log(url: str) -> AuditLog:
    """The audit log at a store URL; ValueError if the URL names no store."""
    location = parse_store_url(url)
    if isinstance(location, SqliteLocation):
        return SqliteAuditLog(location.path)
    return RedisAuditLog(location.url)
