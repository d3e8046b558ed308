"""`erp-gateway token ...`: partner API tokens from the command line.

    token create --name acme --scopes orders:write,stock:read [--customer ID ...] [--expires 90d]
                 [--rate 600/minute]
    token list
    token revoke ID
    token rotate ID [--grace 24h]

Each finds its store in --store URL, or in the [auth] store of --config gateway.toml,
else in $ERP_GATEWAY_STORE, else sqlite:///erp-gateway.sqlite3. `create` and `rotate`
print the token once, alone on stdout, so `$(erp-gateway token create ...)` captures
just the token; what else they have to say goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from erp_backends.rate_limit import RateLimit
from gateway.auth.api_tokens import ApiToken, parse_duration
from gateway.auth.errors import AuthUnavailable
from gateway.auth.scopes import CUSTOMERS_ANY, SCOPES, unknown_scopes
from gateway.auth.token_store import (
    ApiTokenStore,
    TokenNotRotatable,
    UnknownTokenId,
    open_token_store,
)
from gateway.config import AuthSettings, ConfigError, load_settings

__all__ = ["DEFAULT_STORE", "STORE_ENV", "add_token_commands", "store_url"]

T = TypeVar("T")
STORE_ENV = "ERP_GATEWAY_STORE"
DEFAULT_STORE = AuthSettings().store
DEFAULT_GRACE = "24h"
TOKEN_ID = re.compile(r"[0-9a-f]{12}")
HEADER = ("ID", "NAME", "SCOPES", "CUSTOMERS", "CREATED", "EXPIRES", "STATE")
ONE_TIME_NOTE = "store it now: it is not shown again"
Run = Callable[[argparse.Namespace], None]


def add_token_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `token create|list|revoke|rotate` to the `erp-gateway` sub-commands."""
    token = commands.add_parser("token", help="partner API tokens")
    actions = token.add_subparsers(required=True, metavar="ACTION")
    create = _action(actions, "create", "create a token and print it once", _create)
    create.add_argument("--name", required=True, help="who the token is for, e.g. acme")
    create.add_argument(
        "--scopes", required=True, metavar="A,B", help="comma-separated, from: " + ", ".join(SCOPES)
    )
    create.add_argument(
        "--customer",
        metavar="ID",
        action="append",
        default=[],
        help="a customer the token acts for (repeat for several); without one, the token "
        f"acts for no customer unless its scopes include {CUSTOMERS_ANY}",
    )
    create.add_argument("--expires", metavar="DURATION", help="e.g. 90d, 12h; default: never")
    create.add_argument(
        "--rate",
        metavar="N/PERIOD",
        help="its own rate limit, e.g. 600/minute (or /second, /hour); default: the "
        "[limits] requests_per_minute of partners",
    )
    _action(actions, "list", "list tokens (never their secrets)", _list)
    revoke = _action(actions, "revoke", "revoke a token, at once, in every gateway", _revoke)
    revoke.add_argument("id")
    rotate = _action(actions, "rotate", "give a token a new secret and print it once", _rotate)
    rotate.add_argument("id")
    rotate.add_argument(
        "--grace",
        default=DEFAULT_GRACE,
        metavar="DURATION",
        help="the old secret works this long (default: %(default)s)",
    )


def _action(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help: str, run: Run
) -> argparse.ArgumentParser:
    parser = actions.add_parser(name, help=help)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--store", metavar="URL", help="sqlite:///<file> or redis://host:port/db")
    where.add_argument("--config", metavar="FILE", help="gateway.toml: use its [auth] store")
    parser.set_defaults(run=run)
    return parser


def store_url(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    """The token store's URL: --store, else --config's [auth] store, else the
    environment, else the default."""
    if args.store:
        return str(args.store)
    if args.config:
        return load_settings(Path(args.config), environ).auth.store_connect_url()
    return environ.get(STORE_ENV) or DEFAULT_STORE


def _create(args: argparse.Namespace) -> None:
    name, scopes = _name(args.name), _scopes(args.scopes)
    customer_ids = [_customer_id(customer) for customer in args.customer]
    if customer_ids and CUSTOMERS_ANY in scopes:
        raise ConfigError(f"--customer: a token with {CUSTOMERS_ANY} acts for every customer")
    expires_at = None if args.expires is None else _from_now(_duration("--expires", args.expires))
    rate = None if args.rate is None else _rate(args.rate)
    created = _with_store(
        args, lambda store: store.create(name, scopes, customer_ids, expires_at, rate)
    )
    token, text = created
    _say(
        f"created API token {token.id} ({token.name}); customers: {_customers(token)}; "
        f"rate: {_rate_of(token)}"
    )
    _print_once(text)


def _list(args: argparse.Namespace) -> None:
    tokens = _with_store(args, lambda store: store.list())
    if not tokens:
        print("no API tokens")
        return
    now = datetime.now(UTC)
    rows = [HEADER, *(_row(token, now) for token in tokens)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADER))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())


def _row(token: ApiToken, now: datetime) -> tuple[str, ...]:
    expires = "never" if token.expires_at is None else _time(token.expires_at)
    customer = _customers(token)
    scopes = ",".join(sorted(token.scopes))
    return (
        token.id,
        token.name,
        scopes,
        customer,
        _time(token.created_at),
        expires,
        token.state(now).value,
    )


def _customers(token: ApiToken) -> str:
    """Whom the token acts for: its customers' ids, "any" (customers:any), or "none"."""
    if CUSTOMERS_ANY in token.scopes:
        return "any"
    return ",".join(token.customer_ids) or "none"


def _rate_of(token: ApiToken) -> str:
    return "default" if token.rate_limit is None else str(token.rate_limit)


def _revoke(args: argparse.Namespace) -> None:
    token_id = _token_id(args.id)
    token = _with_store(args, lambda store: store.revoke(token_id))
    revoked_at = _time(token.revoked_at) if token.revoked_at else "now"
    print(f"revoked API token {token.id} ({token.name}) at {revoked_at}")


def _rotate(args: argparse.Namespace) -> None:
    token_id, grace = _token_id(args.id), _duration("--grace", args.grace)
    token, text = _with_store(args, lambda store: store.rotate(token_id, grace))
    until = _time(token.previous_valid_until) if token.previous_valid_until else "now"
    _say(f"rotated API token {token.id} ({token.name}); the old secret works until {until}")
    _print_once(text)


def _with_store(args: argparse.Namespace, work: Callable[[ApiTokenStore], Awaitable[T]]) -> T:
    try:
        store = open_token_store(store_url(args, os.environ))
    except ValueError as exc:
        raise ConfigError(f"token store: {exc}") from None

    async def run() -> T:
        try:
            return await work(store)
        finally:
            await store.close()

    try:
        return asyncio.run(run())
    except AuthUnavailable as exc:
        # The cause names what failed (a refused connection, an unreadable file), never
        # a password: neither redis-py nor sqlite3 put the URL's credentials in errors.
        raise ConfigError(f"{exc.reason}: {exc.__cause__}") from None
    except (UnknownTokenId, TokenNotRotatable) as exc:
        raise ConfigError(str(exc)) from None


def _name(text: str) -> str:
    name = text.strip()
    if not name or not name.isprintable() or len(name) > 100:
        raise ConfigError(f"--name: expected up to 100 printable characters, got {text!r}")
    return name


def _token_id(text: str) -> str:
    if TOKEN_ID.fullmatch(text) is None:
        # Not echoed: someone may have pasted the whole token, secret and all.
        raise ConfigError("expected a token's id: the 12 hex digits that `token list` shows")
    return text


def _scopes(text: str) -> frozenset[str]:
    scopes = frozenset(scope.strip() for scope in text.split(",") if scope.strip())
    if not scopes:
        raise ConfigError("--scopes: name at least one scope; known: " + ", ".join(SCOPES))
    unknown = unknown_scopes(scopes)
    if unknown:
        raise ConfigError(f"--scopes: unknown {', '.join(unknown)}; known: " + ", ".join(SCOPES))
    return scopes


def _customer_id(global_id: str) -> str:
    from gateway.global_ids import decode_id

    decoded = decode_id(global_id)
    if decoded is None:  # any other spelling would bind the token to a customer of no records
        raise ConfigError(f"--customer: {global_id!r} is not a valid ID")
    if decoded[0] != "Customer":
        kind = decoded[0]
        raise ConfigError(f"--customer: {global_id!r} is the ID of a {kind}, not of a Customer")
    return global_id


def _rate(text: str) -> RateLimit:
    try:
        return RateLimit.parse(text)
    except ValueError as exc:
        raise ConfigError(f"--rate: {exc}") from None


def _duration(option: str, text: str) -> timedelta:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise ConfigError(f"{option}: {exc}") from None


def _from_now(duration: timedelta) -> datetime:
    return datetime.now(UTC) + duration


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ")


def _print_once(token: str) -> None:
    print(token, flush=True)
    _say(ONE_TIME_NOTE)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
