"""The `erp-gateway` command.

    erp-gateway demo [--port 8000]           emulated backends + gateway, on loopback
    erp-gateway serve --config gateway.toml  the gateway against configured backends
                      [--workers N]          ... from N processes, one per core
    erp-gateway sandbox odoo --port 8069     one emulated system, standalone
    erp-gateway cache clear --config F       forget cached records (--entity erp.stock)
    erp-gateway token create --name N ...    partner API tokens (list, revoke, rotate)
    erp-gateway audit tail                   the audit log of impersonation and mutations
    erp-gateway worker --config F            drain the command queue into the ERP
    erp-gateway dlq list                     commands given up on (replay, discard)
    erp-gateway schema export                the GraphQL SDL, as in schema.graphql
    erp-gateway persisted export             the trusted documents manifest of
                      [--operations DIR]     ... mobile_examples/operations/*.graphql
                      [--out FILE]           ... to FILE instead of stdout

Expected failures (a bad config, a port in use) print one line naming the problem and
exit with status 2; they never show a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import logging
import math
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp

from erp_backends import registry
from erp_backends.rate_limit import RateLimit
from erp_backends.registry import BackendKind
from gateway.auth.audit_cli import add_audit_commands
from gateway.auth.token_cli import add_token_commands
from gateway.commands.cli import add_queue_commands
from gateway.config import ConfigError, Settings, load_settings
from gateway.logs import configure_logging
from gateway.wiring.server import (
    BACKEND_KEEP_ALIVE_S,
    ListenError,
    Served,
    address,
    bind,
    run,
    serve,
)

if TYPE_CHECKING:  # emulator code is loaded only by the commands that run emulators
    from erp_backends.emulation.faults import FaultOptions


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # httpx logs every backend request at INFO; the gateway logs the failures that matter.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        args.run(args)
    except (ConfigError, ListenError) as exc:
        print(f"erp-gateway: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


def _demo(args: argparse.Namespace) -> None:
    from gateway.wiring.demo import run_demo

    run(run_demo(host=args.host, port=args.port, seed=args.seed, faults=_faults(args)))


def _serve(args: argparse.Namespace) -> None:
    from gateway.wiring.app import create_app

    settings = load_settings(Path(args.config), os.environ)  # a bad file stops it here
    configure_logging(settings.logging)
    sock = bind(args.host, args.port)
    if args.workers > 1:
        from gateway.wiring.workers import serve_processes

        print(f"GraphQL at {address(sock)}/graphql, {args.workers} processes", flush=True)
        serve_processes(Path(args.config), sock, args.workers, settings.logging)
        return
    app = create_app(settings, serving=True)
    served = Served(app, sock, http=settings.http)
    started = _say(f"GraphQL at {address(sock)}/graphql")
    run(serve([served], on_started=started, logging=settings.logging))


def _sandbox(kind: BackendKind[Any, Any]) -> Callable[[argparse.Namespace], None]:
    def run(args: argparse.Namespace) -> None:
        assert kind.emulator is not None, "only systems with an emulator get a sandbox command"
        flags = {flag.name: getattr(args, flag.name) for flag in kind.emulator.flags}
        emulator = kind.emulator.load()
        app = emulator.create_app(args.seed, _faults(args), flags)
        _run_emulator(args, kind.title, app, emulator.access(flags).detail)

    return run


def _run_emulator(args: argparse.Namespace, system: str, app: ASGIApp, detail: str) -> None:
    sock = bind(args.host, args.port)
    started = _say(f"{system} emulator (seed {args.seed}, {detail}) on {address(sock)}")
    served = Served(app, sock, access_log=not args.no_access_log, keep_alive_s=BACKEND_KEEP_ALIVE_S)
    run(serve([served], on_started=started))


def _say(message: str) -> Callable[[], Awaitable[None]]:
    async def say() -> None:
        print(message, flush=True)

    return say


async def _run_worker(settings: Settings, stop: asyncio.Event) -> None:
    from gateway.wiring.worker_process import run_worker

    await run_worker(settings, stop)


def _cache_clear(args: argparse.Namespace) -> None:
    from gateway.cache.entities import Entity
    from gateway.wiring.backends import open_gateway_cache

    settings = load_settings(Path(args.config), os.environ).cache
    known = sorted(entity.value for entity in Entity)
    if args.entity is not None and args.entity not in known:
        raise ConfigError(f"--entity: no cached entity {args.entity!r}; known: {', '.join(known)}")
    entity = None if args.entity is None else Entity(args.entity)
    if settings.url == "memory://":
        raise ConfigError(
            "cache.url is memory://: each gateway process holds its own cache, which a "
            "restart clears; use redis:// to share the cache and clear it from here"
        )

    async def clear() -> None:
        async with AsyncExitStack() as stack:
            cache = await open_gateway_cache(settings, stack)
            await cache.clear(entity)

    asyncio.run(clear())
    print(f"cleared {args.entity or 'every cached entity'} in {settings.url}")


def _schema_export(_: argparse.Namespace) -> None:
    from resolvers.schema import export_sdl

    sys.stdout.write(export_sdl())


def _persisted_export(args: argparse.Namespace) -> None:
    from gateway.persisted_documents import ManifestError, manifest_json, operations_manifest

    try:
        documents = operations_manifest(Path(args.operations))
    except ManifestError as exc:
        raise ConfigError(f"--operations: {exc}") from None
    if args.out is None:
        sys.stdout.write(manifest_json(documents))
        return
    try:
        Path(args.out).write_text(manifest_json(documents), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"--out: {args.out}: cannot write it ({exc.strerror})") from None
    print(f"wrote {len(documents)} documents to {args.out}", file=sys.stderr)


def _faults(args: argparse.Namespace) -> FaultOptions:
    from erp_backends.emulation.faults import FaultOptions

    return FaultOptions(
        latency_ms=args.latency_ms,
        fail_rate=args.fail_rate,
        rate_limit=args.rate_limit,
        seed=args.seed,
    )


def _version() -> str:
    """The installed distribution's version (pyproject.toml), as pip and bug reports see it."""
    try:
        return importlib.metadata.version("erp-gateway")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree, not installed
        return "unknown (not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="erp-gateway", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"erp-gateway {_version()}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="run emulated backends and the gateway on loopback")
    _listen_options(demo, port=8000)
    _emulator_options(demo)
    demo.set_defaults(run=_demo)

    serve_cmd = commands.add_parser("serve", help="run the gateway against configured backends")
    serve_cmd.add_argument("--config", required=True, help="path to gateway.toml")
    serve_cmd.add_argument(
        "--workers",
        type=_processes,
        default=1,
        metavar="N",
        help="processes serving together, one per core (default: 1; README: Serving)",
    )
    _listen_options(serve_cmd, port=8000)
    serve_cmd.set_defaults(run=_serve)

    sandbox = commands.add_parser("sandbox", help="run one emulated backend standalone")
    systems = sandbox.add_subparsers(required=True, metavar="SYSTEM")
    for kind in registry.kinds():
        if kind.emulator is not None:
            system = systems.add_parser(kind.name, help=kind.emulator.summary)
            _listen_options(system, port=kind.emulator.default_port)
            _emulator_options(system)
            for flag in kind.emulator.flags:
                option = "--" + flag.name.replace("_", "-")
                system.add_argument(option, default=flag.default, help=flag.help or None)
            system.set_defaults(run=_sandbox(kind))

    cache = commands.add_parser("cache", help="the shared cache")
    cache_commands = cache.add_subparsers(required=True, metavar="ACTION")
    clear = cache_commands.add_parser("clear", help="forget cached records")
    clear.add_argument("--config", required=True, help="path to gateway.toml")
    clear.add_argument("--entity", help='only this "<role>.<entity>", e.g. erp.stock')
    clear.set_defaults(run=_cache_clear)

    add_token_commands(commands)
    add_audit_commands(commands)
    add_queue_commands(commands, run_worker=_run_worker)

    schema = commands.add_parser("schema", help="the GraphQL schema")
    schema_commands = schema.add_subparsers(required=True, metavar="ACTION")
    export = schema_commands.add_parser("export", help="print the SDL")
    export.set_defaults(run=_schema_export)

    persisted = commands.add_parser("persisted", help="persisted operations")
    persisted_commands = persisted.add_subparsers(required=True, metavar="ACTION")
    manifest = persisted_commands.add_parser(
        "export", help="write the trusted documents manifest of a folder of operations"
    )
    manifest.add_argument(
        "--operations",
        default="mobile_examples/operations",
        metavar="DIR",
        help="its *.graphql files (default: %(default)s)",
    )
    manifest.add_argument("--out", metavar="FILE", help="default: standard output")
    manifest.set_defaults(run=_persisted_export)
    return parser


def _listen_options(parser: argparse.ArgumentParser, *, port: int) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="default: %(default)s")
    parser.add_argument("--port", type=int, default=port, help="default: %(default)s")


def _emulator_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=1, help="dataset seed (default: 1)")
    parser.add_argument("--latency-ms", type=_non_negative, default=0.0, metavar="MS")
    parser.add_argument(
        "--fail-rate",
        type=_probability,
        default=0.0,
        metavar="P",
        help="share of requests answered with HTTP 503, 0 to 1",
    )
    parser.add_argument(
        "--rate-limit",
        type=_rate_limit,
        default=None,
        metavar="N/PERIOD",
        help="e.g. 100/second; excess requests get HTTP 429",
    )
    parser.add_argument(
        "--no-access-log",
        action="store_true",
        help="do not print a line per request (benchmarks: the log costs the emulator CPU)",
    )


def _processes(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 64, got {text!r}")
    return value


def _non_negative(text: str) -> float:
    value = _number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def _probability(text: str) -> float:
    value = _number(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}")
    return value


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}")
    return value


def _rate_limit(text: str) -> RateLimit:
    try:
        return RateLimit.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
