"""The reservation ledger (see `gateway.commands.ledger`) in the SQLite queue's file: its
statements run inside the queue's own write transactions, so a command and its
reservations are stored, and released, together."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from gateway.commands.fields import micros
from gateway.commands.ledger import (
    CLOCK_SKEW,
    Reservation,
    Shortfall,
    Snapshot,
    SnapshotsStale,
    from_micros,
)

LEDGER_SCHEMA = """
CREATE TABLE IF NOT EXISTS reservations (
    command_id TEXT NOT NULL,
    item TEXT NOT NULL,
    micros INTEGER NOT NULL,
    released_us INTEGER,  -- NULL while the command holds it
    PRIMARY KEY (command_id, item)
);
CREATE INDEX IF NOT EXISTS reservations_by_item ON reservations (item, released_us);
CREATE TABLE IF NOT EXISTS snapshots (
    item TEXT PRIMARY KEY,
    micros INTEGER,  -- NULL: no limit
    taken_us INTEGER NOT NULL
);
"""
_SKEW_US = int(CLOCK_SKEW.total_seconds() * 1_000_000)
_SNAPSHOT = "SELECT micros, taken_us FROM snapshots WHERE item = ?"
_HELD = (
    "SELECT coalesce(sum(micros), 0) FROM reservations "
    "WHERE item = ? AND (released_us IS NULL OR released_us > ?)"
)
_RESERVE = "INSERT INTO reservations (command_id, item, micros) VALUES (?, ?, ?)"
_RELEASE = "UPDATE reservations SET released_us = ? WHERE command_id = ? AND released_us IS NULL"
_PUT_SNAPSHOT = (
    "INSERT INTO snapshots (item, micros, taken_us) VALUES (?, ?, ?) "
    "ON CONFLICT (item) DO UPDATE SET micros = excluded.micros, taken_us = excluded.taken_us "
    "WHERE excluded.taken_us > snapshots.taken_us"
)
# Released before the item's snapshot was read (by more than the skew): the snapshot
# shows them, so they no longer count.
_FORGET = (
    "DELETE FROM reservations WHERE item = ? AND released_us IS NOT NULL "
    "AND released_us <= (SELECT taken_us FROM snapshots WHERE item = ?) - ?"
)


def reserve(
    db: sqlite3.Connection,
    command_id: str,
    reservations: Sequence[Reservation],
    fresh_after_us: int | None,
) -> None:
    """Store the command's reservations if every item covers them; else SnapshotsStale
    or Shortfall and nothing is written. Inside the caller's write transaction."""
    stale: list[str] = []
    short = {}
    for reservation in reservations:
        snapshot = db.execute(_SNAPSHOT, (reservation.item,)).fetchone()
        if snapshot is None or (fresh_after_us is not None and snapshot[1] < fresh_after_us):
            stale.append(reservation.item)
            continue
        available, taken_us = snapshot
        if available is None:
            continue
        (held,) = db.execute(_HELD, (reservation.item, taken_us - _SKEW_US)).fetchone()
        left = available - held
        if left < reservation.micros:
            short[reservation.item] = from_micros(max(left, 0))
    if stale:
        raise SnapshotsStale(stale)
    if short:
        raise Shortfall(short)
    db.executemany(_RESERVE, [(command_id, r.item, r.micros) for r in reservations])


def release(db: sqlite3.Connection, command_id: str, released_us: int) -> None:
    db.execute(_RELEASE, (released_us, command_id))


def put_snapshots(db: sqlite3.Connection, snapshots: Sequence[Snapshot]) -> None:
    """Keep each snapshot unless a newer one is there, and forget the reservations it
    shows."""
    for snapshot in snapshots:
        db.execute(_PUT_SNAPSHOT, (snapshot.item, snapshot.micros, micros(snapshot.taken_at)))
        db.execute(_FORGET, (snapshot.item, snapshot.item, _SKEW_US))
