"""`erp-gateway worker` and `erp-gateway dlq ...`.

    erp-gateway worker --config gateway.toml     drain the command queue into the ERP
    erp-gateway dlq list                         commands given up on, with their errors
    erp-gateway dlq replay ID                    back into the queue, attempts reset
    erp-gateway dlq discard ID                   never to be done

`dlq` commands take `--config` ([queue] url) or `--queue URL`, else ERP_GATEWAY_QUEUE,
else the default SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import signal
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TypeVar

from gateway.commands.model import Command, CommandQueue, QueueUnavailable
from gateway.commands.queue import InvalidTransition, UnknownCommand, open_command_queue
from gateway.config import ConfigError, QueueSettings, Settings, load_settings

QUEUE_ENV = "ERP_GATEWAY_QUEUE"
T = TypeVar("T")
# Drains the queue until `stop` is set. The wiring passes it in: it opens the backends,
# which a service below the wiring must not import.
WorkerRun = Callable[[Settings, asyncio.Event], Awaitable[None]]


def add_queue_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], run_worker: WorkerRun
) -> None:
    worker = commands.add_parser("worker", help="drain the command queue into the ERP")
    worker.add_argument("--config", required=True, help="path to gateway.toml")
    worker.set_defaults(run=functools.partial(_worker, run_worker))

    dlq = commands.add_parser("dlq", help="commands the worker gave up on")
    actions = dlq.add_subparsers(required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="every dead command, oldest first")
    _queue_options(listing)
    listing.set_defaults(run=_list)
    for name, run, text in (
        ("replay", _replay, "put a dead command back into the queue"),
        ("discard", _discard, "give up on a dead command for good"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("id", help="the command's id, from dlq list")
        _queue_options(action)
        action.set_defaults(run=run)


def _queue_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--config", help="path to gateway.toml: its [queue] url")
    where.add_argument("--queue", help="the queue's URL, sqlite:///... or redis://...")


def queue_url(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    if args.queue:
        return str(args.queue)
    if args.config:
        return load_settings(Path(args.config), environ).queue.connect_url()
    return environ.get(QUEUE_ENV) or QueueSettings().url


def _list(args: argparse.Namespace) -> None:
    dead = _with_queue(args, lambda queue: queue.dead_letters())
    if not dead:
        print("the dead-letter list is empty")
        return
    for command in dead:
        print(_line(command))


def _replay(args: argparse.Namespace) -> None:
    command = _with_queue(args, lambda queue: queue.replay(args.id))
    print(f"replayed {command.id}: {command.kind.value} is queued again")


def _discard(args: argparse.Namespace) -> None:
    command = _with_queue(args, lambda queue: queue.discard(args.id))
    print(f"discarded {command.id}: {command.kind.value} will not be done")


def _line(command: Command) -> str:
    when = command.updated_at or command.created_at
    return (
        f"{command.id}  {command.kind.value:<14}  {when:%Y-%m-%dT%H:%M:%SZ}  "
        f"attempts {command.attempts}  by {command.submitted_by}  {command.last_error}"
    )


def _with_queue(args: argparse.Namespace, work: Callable[[CommandQueue], Awaitable[T]]) -> T:
    try:
        url = queue_url(args, os.environ)
        queue = open_command_queue(url)
    except ValueError as exc:
        raise ConfigError(f"--queue: {exc}") from None

    async def run() -> T:
        try:
            return await work(queue)
        finally:
            await queue.close()

    try:
        return asyncio.run(run())
    except UnknownCommand as exc:
        raise ConfigError(str(exc)) from None
    except QueueUnavailable as exc:
        raise ConfigError(f"the command queue is unavailable: {exc}") from None
    except InvalidTransition as exc:  # replaying or discarding a command that is not dead
        raise ConfigError(str(exc)) from None


def _worker(run_worker: WorkerRun, args: argparse.Namespace) -> None:
    settings = load_settings(Path(args.config), os.environ)
    asyncio.run(_until_signalled(lambda stop: run_worker(settings, stop)))


async def _until_signalled(work: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with AsyncExitStack():
        await work(stop)
