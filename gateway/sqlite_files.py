"""Opening the gateway's own SQLite files (API tokens, the audit log, the command queue)
in WAL mode, safely from several processes at once."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def open_wal(
    path: Path, *, schema: str, busy_timeout_s: float = 10.0, synchronous: str = "FULL"
) -> sqlite3.Connection:
    """An autocommit connection to `path` in WAL mode with `schema` applied.

    Switching a new file to WAL takes a lock that SQLite's busy handler does not wait
    for, so two processes opening a fresh file at once may see "database is locked";
    that first step is retried until `busy_timeout_s` has passed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + busy_timeout_s
    while True:
        db = sqlite3.connect(
            path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        try:
            db.execute("PRAGMA journal_mode=WAL")  # other processes read while one writes
            db.execute(f"PRAGMA synchronous={synchronous}")
            db.executescript(schema)
            return db
        except sqlite3.OperationalError as exc:
            db.close()
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005 + random.random() * 0.02)  # noqa: S311 - jitter, not crypto
        except BaseException:
            db.close()
            raise


class SharedConnection:
    """One connection to a SQLite file, opened on first use and used from asyncio
    through worker threads, one at a time. `run` raises sqlite3.Error or OSError; each
    store turns them into its own error.

    `write` commits in groups: the writes that arrive while one transaction is being
    written go together in the next, each in a savepoint of its own. A commit in WAL
    mode with synchronous FULL costs a write lock (which other processes wait for) and
    an fsync; a burst of 300 orders a second needs them 300 times a second one by one,
    and a few dozen times grouped. Each caller still returns only once its own write is
    committed, and a write that raises rolls back alone.
    """

    def __init__(
        self,
        path: Path,
        *,
        schema: str,
        busy_timeout_s: float = 10.0,
        row_factory: type[sqlite3.Row] | None = None,
    ) -> None:
        self.path = path
        self._schema = schema
        self._busy_timeout_s = busy_timeout_s
        self._row_factory = row_factory
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._writes: list[tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any]]] = []
        self._writing: asyncio.Task[None] | None = None

    @property
    def is_open(self) -> bool:
        return self._db is not None

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.to_thread(self._locked, work)

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work` inside a write transaction (it must not begin or end one itself),
        committed together with the other writes waiting at the time; what it returns,
        or what it raised (its changes rolled back)."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._writes.append((work, future))
        if self._writing is None:
            self._writing = asyncio.create_task(self._write_groups())
        return await future

    async def _write_groups(self) -> None:
        try:
            while self._writes:
                group, self._writes = self._writes, []
                try:
                    outcomes = await asyncio.to_thread(self._locked, _in_one_transaction(group))
                except asyncio.CancelledError:  # the loop is closing: nobody will answer
                    for _, future in group + self._writes:
                        future.cancel()
                    raise
                except Exception as exc:  # the transaction failed: every write did
                    outcomes = [(False, exc)] * len(group)
                for (_, future), (done, value) in zip(group, outcomes, strict=True):
                    if future.done():  # its caller was cancelled; the write stands
                        continue
                    if done:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
        finally:
            self._writing = None

    async def close(self) -> None:
        await asyncio.to_thread(self._close)

    def _locked(self, work: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            if self._db is None:
                self._db = open_wal(
                    self.path, schema=self._schema, busy_timeout_s=self._busy_timeout_s
                )
                if self._row_factory is not None:
                    self._db.row_factory = self._row_factory
            return work(self._db)

    def _close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


Outcome = tuple[bool, Any]  # (True, what the write returned) or (False, what it raised)


def _in_one_transaction(
    group: list[tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any]]],
) -> Callable[[sqlite3.Connection], list[Outcome]]:
    def run(db: sqlite3.Connection) -> list[Outcome]:
        outcomes: list[Outcome] = []
        db.execute("BEGIN IMMEDIATE")
        try:
            for work, _ in group:
                db.execute("SAVEPOINT one_write")
                try:
                    outcomes.append((True, work(db)))
                except Exception as exc:
                    db.execute("ROLLBACK TO one_write")
                    outcomes.append((False, exc))
                db.execute("RELEASE one_write")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return outcomes

    return run
