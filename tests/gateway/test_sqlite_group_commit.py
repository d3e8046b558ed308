"""`SharedConnection.write`: concurrent writes commit together, each in a savepoint of
its own, on a real SQLite file."""

import asyncio
import sqlite3
import threading

import pytest

from gateway.sqlite_files import SharedConnection

SCHEMA = "CREATE TABLE IF NOT EXISTS t (name TEXT PRIMARY KEY);"


def insert(name: str):
    def work(db: sqlite3.Connection) -> str:
        db.execute("INSERT INTO t (name) VALUES (?)", (name,))
        return name

    return work


def names(path) -> list[str]:
    with sqlite3.connect(path) as db:  # another connection: only what was committed
        return [name for (name,) in db.execute("SELECT name FROM t ORDER BY name")]


async def test_writes_arriving_during_a_commit_go_together_and_fail_alone(tmp_path):
    shared = SharedConnection(tmp_path / "db.sqlite3", schema=SCHEMA)
    released = threading.Event()

    def slow(db: sqlite3.Connection) -> str:
        released.wait(10)  # holds the first group open while the others arrive
        return insert("first")(db)

    try:
        first = asyncio.create_task(shared.write(slow))
        await asyncio.sleep(0.05)
        statements: list[str] = []
        assert shared._db is not None
        shared._db.set_trace_callback(statements.append)
        later = [
            asyncio.create_task(shared.write(work))
            for work in (insert("a"), insert("first"), insert("b"))  # "first" is taken
        ]
        await asyncio.sleep(0.05)
        released.set()

        assert await first == "first"
        assert await later[0] == "a"
        with pytest.raises(sqlite3.IntegrityError):
            await later[1]
        assert await later[2] == "b"
        assert names(tmp_path / "db.sqlite3") == ["a", "b", "first"]
        # The three that waited: one transaction, the refused one rolled back alone.
        assert statements.count("BEGIN IMMEDIATE") == 1
        assert statements.count("ROLLBACK TO one_write") == 1
    finally:
        await shared.close()


async def test_a_failed_commit_fails_every_write_of_its_group(tmp_path):
    path = tmp_path / "db.sqlite3"
    shared = SharedConnection(path, schema=SCHEMA, busy_timeout_s=0.1)
    await shared.write(insert("opened"))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        results = await asyncio.gather(
            shared.write(insert("a")), shared.write(insert("b")), return_exceptions=True
        )
    finally:
        other.execute("ROLLBACK")
        other.close()
        await shared.close()
    assert all(isinstance(result, sqlite3.OperationalError) for result in results)
    assert names(path) == ["opened"]
