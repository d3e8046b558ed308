"""Opening the gateway's own SQLite files (API tokens, the audit log, the command queue)
in WAL mode, safely from several processes at once."""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path


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
