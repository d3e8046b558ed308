"""The durable command queue, at a store URL (see `gateway.stores`):

    CommandQueue            the port (gateway.commands.model)
    ├── SqliteCommandQueue  sqlite:///path: one file, the processes of one host
    └── RedisCommandQueue   redis://host:port/db: every process, on every host

Errors:

    QueueUnavailable        the store cannot be reached: the mutation is refused (503)
    UnknownCommand          (a KeyError) no command has this id
    InvalidTransition       the command's status does not allow the move
    └── NotReplayable       replay or discard of a command that is not DEAD
"""

from __future__ import annotations

from gateway.commands.model import CommandQueue, QueueUnavailable
from gateway.commands.redis_queue import RedisCommandQueue
from gateway.commands.sqlite_queue import SqliteCommandQueue
from gateway.commands.transitions import InvalidTransition, NotReplayable, UnknownCommand
from gateway.stores import SqliteLocation, parse_store_url

__all__ = [
    "CommandQueue",
    "InvalidTransition",
    "NotReplayable",
    "QueueUnavailable",
    "RedisCommandQueue",
    "SqliteCommandQueue",
    "UnknownCommand",
    "open_command_queue",
]


def open_command_queue(url: str) -> CommandQueue:
    """The command queue at a store URL; ValueError if the URL names no store. Nothing
    is opened until the first call."""
    location = parse_store_url(url)
    if isinstance(location, SqliteLocation):
        return SqliteCommandQueue(location.path)
    return RedisCommandQueue(location.url)
