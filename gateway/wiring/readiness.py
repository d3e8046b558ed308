"""`/readyz`: whether this process can serve, check by check.

    {"status": "failed",
     "checks": {"cache": {"status": "failed", "reason": "Redis unreachable"},
                "queue": {"status": "ok"}, "auth_store": {"status": "ok"}}}

200 when every check passes, 503 otherwise. The checks are the gateway's own state:
the cache's Redis (when `[cache] url` is redis://), the command queue's store (when
this gateway accepts mutations) and the store of API tokens and the audit log
(`[auth] store`). The backends (ERP, CRM, shop) are not checked, for the reason
`/healthz` gives: a slow ERP must not take every gateway out of rotation, and the
cache serves reads through its outages.

The answer is public, as load balancers probe without credentials, so a reason is a
few fixed words: never a URL, a host or an exception's message. The log gets the
exception's class when a check changes state. One round of checks serves every probe
for `FRESH_FOR_S`, and probes that arrive while a round runs wait for it: a flood of
probes costs one PING a second on the connection each Redis client keeps.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import AuthenticationError, RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway.config import Settings
from gateway.stores import RedisLocation, SqliteLocation, parse_store_url, with_password

log = logging.getLogger("erp_gateway.readiness")

CHECK_TIMEOUT_S = 0.5  # each check; all run at once, under a probe's usual 1 s
FRESH_FOR_S = 1.0  # one round of checks answers every probe for this long


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    reason: str | None = None  # public: a few fixed words
    detail: str | None = None  # for the log: an exception's class, never its message

    def as_json(self) -> dict[str, str]:
        if self.ok:
            return {"status": "ok"}
        return {"status": "failed", "reason": self.reason or "failed"}


PASSED = Outcome(ok=True)
Check = Callable[[], Awaitable[Outcome]]


@dataclass(frozen=True, slots=True)
class Report:
    outcomes: Mapping[str, Outcome]

    @property
    def ready(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes.values())

    def as_json(self) -> dict[str, object]:
        return {
            "status": "ok" if self.ready else "failed",
            "checks": {name: outcome.as_json() for name, outcome in self.outcomes.items()},
        }


@dataclass
class Readiness:
    """The named checks, run together at most once every `fresh_for_s` of `clock`."""

    checks: Mapping[str, Check]
    clock: Callable[[], float] = time.monotonic
    fresh_for_s: float = FRESH_FOR_S
    timeout_s: float = CHECK_TIMEOUT_S
    _last: tuple[float, Report] | None = field(default=None, init=False)
    _round: asyncio.Task[Report] | None = field(default=None, init=False)

    async def report(self) -> Report:
        now = self.clock()
        if self._last is not None and now - self._last[0] < self.fresh_for_s:
            return self._last[1]
        if self._round is None:
            self._round = asyncio.create_task(self._run_round(now))
            self._round.add_done_callback(self._round_done)
        # Shielded: a probe that hangs up must not cancel the round others wait for.
        return await asyncio.shield(self._round)

    def _round_done(self, _: asyncio.Task[Report]) -> None:
        self._round = None

    async def _run_round(self, started: float) -> Report:
        names = list(self.checks)
        outcomes = await asyncio.gather(*(self._run(self.checks[name]) for name in names))
        report = Report(dict(zip(names, outcomes, strict=True)))
        self._log_changes(report)
        self._last = (started, report)
        return report

    async def _run(self, check: Check) -> Outcome:
        try:
            return await asyncio.wait_for(check(), self.timeout_s)
        except TimeoutError:
            return Outcome(False, f"no answer within {self.timeout_s:g} s", "timeout")
        except Exception as exc:  # a check's own bug fails that check, not the answer
            return Outcome(False, "the check failed", type(exc).__name__)

    def _log_changes(self, report: Report) -> None:
        before = {} if self._last is None else self._last[1].outcomes
        for name, outcome in report.outcomes.items():
            was = before.get(name)
            if outcome.ok and was is not None and not was.ok:
                log.info("ready again: %s", name)
            elif not outcome.ok and (was is None or was.ok):
                log.warning("not ready: %s: %s (%s)", name, outcome.reason, outcome.detail)


def redis_check(redis: Redis) -> Check:
    async def ping() -> Outcome:
        try:
            await redis.ping()
        except AuthenticationError as exc:
            return Outcome(False, "Redis refused the password", type(exc).__name__)
        except (RedisError, OSError) as exc:
            # The class name only: redis-py's messages name the host and port.
            return Outcome(False, "Redis unreachable", type(exc).__name__)
        return PASSED

    return ping


class SqliteCheck:
    """A SQLite file can be read and written: its folder is there and writable (SQLite
    writes its -wal and -shm files next to it) and the file, once it exists, opens and
    reads. Run on a thread of its own: a file on a hung disk blocks that thread alone,
    and the next rounds fail at once instead of piling up threads behind it."""

    def __init__(self, path: Path, executor: ThreadPoolExecutor) -> None:
        self._path = path
        self._executor = executor
        self._pending: Future[Outcome] | None = None

    async def __call__(self) -> Outcome:
        if self._pending is not None and not self._pending.done():
            return Outcome(False, "the previous check is still waiting for the file", "hung")
        self._pending = self._executor.submit(self._check)
        return await asyncio.wrap_future(self._pending)

    def _check(self) -> Outcome:
        if not self._path.exists():
            # The store creates its file, and folders, on first use: it needs to be able to.
            folder = _nearest_existing(self._path.parent)
            if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
                return Outcome(False, "SQLite folder not writable", "folder")
            return PASSED
        if not os.access(self._path.parent, os.W_OK | os.X_OK):
            return Outcome(False, "SQLite folder not writable", "folder")
        if not os.access(self._path, os.R_OK | os.W_OK):
            return Outcome(False, "SQLite file not writable", "file")
        try:
            db = sqlite3.connect(self._path, timeout=CHECK_TIMEOUT_S)
            try:
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                db.close()
        except sqlite3.Error as exc:
            return Outcome(False, "SQLite file unreadable", type(exc).__name__)
        return PASSED


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


async def open_readiness(
    settings: Settings,
    stack: AsyncExitStack,
    *,
    queue: bool,
    clock: Callable[[], float] = time.monotonic,
) -> Readiness:
    """The checks of what this gateway uses (`queue`: it accepts mutations), with their
    clients opened now and closed with `stack`: one Redis client per server, shared
    by the checks that use it, keeps its connection from one round to the next."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readyz")
    stack.callback(executor.shutdown, wait=False, cancel_futures=True)
    clients: dict[str, Redis] = {}

    def check_of(connect_url: str) -> Check:
        location = parse_store_url(connect_url)
        if isinstance(location, SqliteLocation):
            return SqliteCheck(location.path, executor)
        if location.url not in clients:
            clients[location.url] = _readiness_redis(location)
            stack.push_async_callback(clients[location.url].aclose)
        return redis_check(clients[location.url])

    checks: dict[str, Check] = {}
    cache = settings.cache
    if cache.url.startswith(("redis://", "rediss://")):
        password = None if cache.password is None else cache.password.reveal()
        checks["cache"] = check_of(with_password(cache.url, password))
    if queue:
        checks["queue"] = check_of(settings.queue.connect_url())
    checks["auth_store"] = check_of(settings.auth.store_connect_url())
    return Readiness(checks, clock=clock)


def _readiness_redis(location: RedisLocation) -> Redis:
    """A client that answers within the check's time and never retries: a probe
    wants to know how Redis is now."""
    return Redis.from_url(
        location.url,
        socket_connect_timeout=CHECK_TIMEOUT_S,
        socket_timeout=CHECK_TIMEOUT_S,
        retry=Retry(NoBackoff(), 0),
        max_connections=3,  # the most checks that share one server
    )


async def readyz(request: Request) -> Response:
    """Readiness: 200 when what serving needs answers, 503 naming what does not."""
    readiness: Readiness = request.state.readiness
    report = await readiness.report()
    return JSONResponse(
        report.as_json(),
        status_code=200 if report.ready else 503,
        headers={"Cache-Control": "no-store"},
    )
