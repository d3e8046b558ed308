"""Where the gateway keeps its own state (API tokens, the audit log, later the command
queue): a SQLite file by default, or a Redis shared by every gateway process.

    sqlite:///relative/path.sqlite3    sqlite:////absolute/path.sqlite3
    redis://host:6379/0                rediss://... (TLS)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit


@dataclass(frozen=True, slots=True)
class SqliteLocation:
    path: Path


@dataclass(frozen=True, slots=True)
class RedisLocation:
    url: str


StoreLocation = SqliteLocation | RedisLocation


def parse_store_url(url: str) -> StoreLocation:
    """The location a store URL names; ValueError naming the problem otherwise."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if not path or path.endswith("/"):
            raise ValueError(f"expected sqlite:///<file>, got {url!r}")
        return SqliteLocation(Path(path))
    if url.startswith(("redis://", "rediss://")):
        return RedisLocation(url)
    raise ValueError(f"expected sqlite:///<file> or redis://host:port/db, got {url!r}")


def with_password(url: str, password: str | None) -> str:
    """A Redis URL with the password the environment gave (config files hold none);
    other URLs as they are. The result is a secret: open stores with it, never show it."""
    if password is None or not url.startswith(("redis://", "rediss://")):
        return url
    parts = urlsplit(url)
    netloc = f":{quote(password, safe='')}@{parts.hostname}"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))
