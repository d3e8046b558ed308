"""`erp-gateway audit`: read the audit log.

    erp-gateway audit tail [-n 20] [--json] [--follow]   the last entries, oldest first

The store is `--store URL`, else `auth.store` of `--config gateway.toml`, else
$ERP_GATEWAY_STORE, else sqlite:///erp-gateway.sqlite3 (as the gateway's default).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from gateway.auth.audit import (
    AuditEntry,
    AuditLog,
    AuditUnavailable,
    display_url,
    open_audit_log,
)
from gateway.config import AuthSettings, ConfigError, load_settings

STORE_ENV = "ERP_GATEWAY_STORE"
POLL_INTERVAL_S = 1.0
FOLLOW_BATCH = 500


def add_audit_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `audit tail` to the `erp-gateway` parser's sub-commands."""
    audit = commands.add_parser("audit", help="the audit log of impersonations and mutations")
    actions = audit.add_subparsers(required=True, metavar="ACTION")
    tail = actions.add_parser("tail", help="print the last entries, oldest first")
    tail.add_argument(
        "-n",
        "--lines",
        type=_positive_int,
        default=20,
        metavar="N",
        help="how many entries (default: %(default)s)",
    )
    tail.add_argument("--json", action="store_true", help="one JSON object per line")
    tail.add_argument(
        "-f",
        "--follow",
        action="store_true",
        help="then print new entries as they come, until Ctrl-C",
    )
    source = tail.add_mutually_exclusive_group()
    source.add_argument("--store", metavar="URL", help="sqlite:///<file> or redis://host/db")
    source.add_argument("--config", metavar="FILE", help="use auth.store of this gateway.toml")
    tail.set_defaults(run=run_tail)


def run_tail(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> None:
    url = store_url(args, os.environ if environ is None else environ)
    try:
        log = open_audit_log(url)
    except ValueError:
        raise ConfigError(
            f"audit store: expected sqlite:///<file> or redis://host:port/db, "
            f"got {display_url(url)!r}"
        ) from None
    try:
        asyncio.run(_show_and_close(log, args))
    except AuditUnavailable as exc:
        raise ConfigError(exc.reason) from None


def store_url(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    if args.store:
        return str(args.store)
    if args.config:
        return load_settings(Path(args.config), environ).auth.store_connect_url()
    return environ.get(STORE_ENV) or AuthSettings().store


async def _show_and_close(log: AuditLog, args: argparse.Namespace) -> None:
    try:
        await show(log, lines=args.lines, as_json=args.json, follow=args.follow)
    finally:
        await log.close()


async def show(
    log: AuditLog,
    *,
    lines: int,
    as_json: bool = False,
    follow: bool = False,
    poll_interval_s: float = POLL_INTERVAL_S,
) -> None:
    """Print the last `lines` entries; with `follow`, then every new one, forever."""
    batch = await log.follow(None, lines)
    _print(batch.entries, as_json)
    while follow:
        batch = await log.follow(batch.cursor, FOLLOW_BATCH)
        _print(batch.entries, as_json)
        if not batch.entries:
            await asyncio.sleep(poll_interval_s)


def _print(entries: Iterable[AuditEntry], as_json: bool) -> None:
    for entry in entries:
        print(entry.to_json() if as_json else format_entry(entry), flush=True)


def format_entry(entry: AuditEntry) -> str:
    """One line: when, who (as whom), what, how it ended, the variables, the root
    fields' arguments (when there are any), the request."""
    return "  ".join(
        (
            entry.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            _who(entry),
            f"{entry.operation_type} {_printable(entry.operation_name or '(unnamed)')}",
            _printable(entry.outcome),
            _printable(json.dumps(entry.variables, ensure_ascii=False, default=str)),
            *(
                [_printable("args " + json.dumps(entry.arguments, ensure_ascii=False, default=str))]
                if entry.arguments
                else []
            ),
            f"request {_printable(entry.request_id)}",
        )
    )


def _who(entry: AuditEntry) -> str:
    via = f"[{_printable(entry.credential)}]"
    if entry.actor is not None:
        as_whom = _printable(entry.customer_id or entry.subject)
        return f"staff {_printable(entry.actor)} as customer {as_whom} {via}"
    who = f"{entry.kind} {_printable(entry.subject)}"
    if entry.customer_id and entry.customer_id != entry.subject:
        who += f" for customer {_printable(entry.customer_id)}"
    return f"{who} {via}"


def _printable(text: str) -> str:
    # Subjects and names come from clients: a newline in one must not forge a line.
    return text if text.isprintable() else json.dumps(text)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value
