"""The audit log: append-only and redacted, the same over SQLite and a real Redis
(contract suite), and `erp-gateway audit tail` reading it."""

import argparse
import asyncio
import contextlib
import json
import sqlite3
import sys
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis

from gateway.auth.audit import (
    AuditEntry,
    AuditUnavailable,
    RedisAuditLog,
    SqliteAuditLog,
    open_audit_log,
    redact,
)
from gateway.auth.audit_cli import add_audit_commands, show
from gateway.auth.principal import Principal, PrincipalKind
from gateway.config import ConfigError

ROOT = Path(__file__).parents[3]
AT = datetime(2026, 12, 2, 4, 10, tzinfo=UTC)
CUSTOMER_ID = "Q3VzdG9tZXI6Nw=="
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"
API_TOKEN = "egw_3f9a1c_Zm9vYmFyYmF6cXV4"


def entry(n=1, **changes):
    impersonated = AuditEntry(
        at=AT + timedelta(minutes=n),
        request_id=f"req-{n}",
        actor="alice",
        subject="customer-7",
        kind="customer",
        customer_id=CUSTOMER_ID,
        credential="jwt",
        operation_type="mutation",
        operation_name="PlaceOrder",
        variables={"lines": [{"sku": "A-1", "quantity": 2}]},
        outcome="ok",
    )
    return replace(impersonated, **changes)


class Store:
    """One store under test: its URL, and how to open another log on it (in a test
    process or in a child process), as another gateway process would."""

    def __init__(self, url, stream=None):
        self.url, self.stream = url, stream
        self.opened = []

    def open(self):
        log = open_log(self.url, self.stream)
        self.opened.append(log)
        return log


def open_log(url, stream=None):
    return open_audit_log(url) if stream is None else RedisAuditLog(url, stream=stream)


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.slow)])
async def store(request, tmp_path):
    if request.param == "sqlite":
        # A folder that does not exist yet: the log creates it.
        yield (store := Store(f"sqlite:///{tmp_path / 'state' / 'audit.sqlite3'}"))
    else:
        stream = f"test:audit:{uuid.uuid4().hex}"
        yield (store := Store(request.getfixturevalue("redis_url"), stream))
        redis = Redis.from_url(store.url)
        await redis.delete(stream)
        await redis.aclose()
    for log in store.opened:
        await log.close()


async def test_tail_returns_the_last_entries_oldest_first_with_every_field(store):
    log = store.open()
    written = [
        entry(1),
        entry(
            2,
            actor=None,
            kind="partner",
            subject="acme",
            credential="api_token:3f9a1c",
            outcome="error: FORBIDDEN",
        ),
        entry(3, operation_type="query", operation_name=None, variables={}),
    ]
    for item in written:
        await log.append(item)

    assert await log.tail(10) == written
    assert await log.tail(2) == written[1:]


async def test_another_log_on_the_same_store_sees_the_entries(store):
    await store.open().append(entry(1))

    assert await store.open().tail(5) == [entry(1)]


@pytest.mark.slow
async def test_entries_appended_by_other_processes_at_once_all_arrive(store):
    children = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", CHILD, store.url, store.stream or "", prefix, cwd=ROOT
        )
        for prefix in ("a", "b")
    ]
    assert [await child.wait() for child in children] == [0, 0]

    ids = [item.request_id for item in await store.open().tail(100)]
    assert sorted(ids) == sorted(f"{p}-{n}" for p in "ab" for n in range(1, 21))
    assert [i for i in ids if i.startswith("a-")] == [f"a-{n}" for n in range(1, 21)]


CHILD = """
import asyncio, sys
from tests.gateway.auth.test_audit import append_many
asyncio.run(append_many(sys.argv[1], sys.argv[2] or None, sys.argv[3], 20))
"""


async def append_many(url, stream, prefix, count):
    log = open_log(url, stream)
    try:
        for n in range(1, count + 1):
            await log.append(entry(n, request_id=f"{prefix}-{n}"))
    finally:
        await log.close()


async def test_follow_returns_only_what_came_after_the_cursor(store):
    log = store.open()
    await log.append(entry(1))
    first = await log.follow(None, 10)
    await log.append(entry(2))
    await log.append(entry(3))

    later = await log.follow(first.cursor, 10)
    assert later.entries == [entry(2), entry(3)]
    assert (await log.follow(later.cursor, 10)).entries == []


async def test_an_empty_log_tails_nothing(store):
    assert await store.open().tail(5) == []


async def test_sqlite_refuses_update_and_delete(tmp_path):
    path = tmp_path / "audit.sqlite3"
    log = SqliteAuditLog(path)
    await log.append(entry(1))
    await log.close()

    db = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only: UPDATE"):
        db.execute("UPDATE audit_log SET entry = '{}'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only: DELETE"):
        db.execute("DELETE FROM audit_log")
    db.close()
    assert await SqliteAuditLog(path).tail(5) == [entry(1)]


async def test_sqlite_is_in_wal_mode(tmp_path):
    log = SqliteAuditLog(tmp_path / "audit.sqlite3")
    await log.append(entry(1))
    await log.close()

    db = sqlite3.connect(tmp_path / "audit.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.close()


async def test_a_failed_append_is_audit_unavailable_naming_the_store_kind(tmp_path):
    (tmp_path / "a-file").write_text("")
    sqlite_log = SqliteAuditLog(tmp_path / "a-file" / "audit.sqlite3")
    with pytest.raises(AuditUnavailable, match="SQLite audit log"):
        await sqlite_log.append(entry(1))

    redis_log = RedisAuditLog("redis://:hunter2-password@127.0.0.1:1/0")
    with pytest.raises(AuditUnavailable, match="Redis audit log") as raised:
        await redis_log.append(entry(1))
    await redis_log.close()
    assert "hunter2" not in str(raised.value)


async def test_open_audit_log_picks_the_store_by_url(tmp_path, redis_url):
    sqlite_log = open_audit_log(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    redis_log = open_audit_log(redis_url)
    assert isinstance(sqlite_log, SqliteAuditLog)
    assert isinstance(redis_log, RedisAuditLog)
    await redis_log.close()
    with pytest.raises(ValueError, match="expected sqlite"):
        open_audit_log("postgres://db/audit")


# --- Redaction ------------------------------------------------------------------------


def test_redact_removes_secrets_by_key_and_keeps_business_fields():
    variables = {
        "password": "p",
        "newPassword": "p",
        "apiKey": "k",
        "api_key": "k",
        "X-Api-Key": "k",
        "clientSecret": "s",
        "refresh_token": "t",
        "Authorization": "x",
        "card": {"number": "4111111111111111"},
        "cvv": "123",
        "iban": "DE89",
        "pin": "1234",
        "pinCode": "1234",
        "userPIN": "1234",
        "otp": "999999",
        "quantity": 2,
        "sku": "A-1",
        "shippingAddress": {"city": "Paris"},
        "author": "bob",
        "lines": [{"sku": "B-2", "quantity": 1, "cardNumber": "4111"}],
    }

    assert redact(variables) == {
        "password": "[redacted]",
        "newPassword": "[redacted]",
        "apiKey": "[redacted]",
        "api_key": "[redacted]",
        "X-Api-Key": "[redacted]",
        "clientSecret": "[redacted]",
        "refresh_token": "[redacted]",
        "Authorization": "[redacted]",
        "card": "[redacted]",
        "cvv": "[redacted]",
        "iban": "[redacted]",
        "pin": "[redacted]",
        "pinCode": "[redacted]",
        "userPIN": "[redacted]",
        "otp": "[redacted]",
        "quantity": 2,
        "sku": "A-1",
        "shippingAddress": {"city": "Paris"},
        "author": "bob",
        "lines": [{"sku": "B-2", "quantity": 1, "cardNumber": "[redacted]"}],
    }


def test_redact_removes_credentials_by_their_shape_anywhere():
    variables = {"note": f"use {JWT} please", "refs": [API_TOKEN, "bearer abc.def", "S00042"]}

    assert redact(variables) == {
        "note": "use [redacted] please",
        "refs": ["[redacted]", "[redacted]", "S00042"],
    }


def test_redact_copies_and_leaves_the_original_alone():
    variables = {"input": {"password": "p", "lines": [{"sku": "A"}]}}

    copy = redact(variables)
    copy["input"]["lines"][0]["sku"] = "changed"

    assert variables == {"input": {"password": "p", "lines": [{"sku": "A"}]}}


def test_an_entry_is_redacted_when_built_and_survives_json():
    item = entry(1, variables={"token": API_TOKEN, "first": 5}, outcome=f"denied: {JWT}")

    assert item.variables == {"token": "[redacted]", "first": 5}
    assert item.outcome == "denied: [redacted]"
    assert AuditEntry.from_json(item.to_json()) == item
    assert API_TOKEN not in item.to_json()


def test_an_entry_of_an_impersonating_principal_names_both():
    staff = Principal(subject="alice", kind=PrincipalKind.STAFF, credential="jwt")
    acting = Principal(
        subject="customer-7",
        kind=PrincipalKind.CUSTOMER,
        customer_id=CUSTOMER_ID,
        actor=staff,
        credential="jwt",
    )

    item = AuditEntry.of(
        acting,
        request_id="req-1",
        operation_type="mutation",
        operation_name="PlaceOrder",
        variables={},
        outcome="ok",
        at=AT,
    )

    assert (item.actor, item.subject, item.kind) == ("alice", "customer-7", "customer")
    assert item.customer_id == CUSTOMER_ID


# --- The CLI --------------------------------------------------------------------------


def parse(*argv):
    parser = argparse.ArgumentParser(prog="erp-gateway")
    add_audit_commands(parser.add_subparsers(required=True))
    return parser.parse_args(argv)


def seed(url, entries):
    async def append_all():
        log = open_audit_log(url)
        for item in entries:
            await log.append(item)
        await log.close()

    asyncio.run(append_all())


def test_audit_tail_prints_one_line_per_entry_oldest_first(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    partner = entry(
        3,
        actor=None,
        kind="partner",
        subject="acme",
        customer_id=None,
        credential="api_token:3f9a1c",
        operation_type="query",
        operation_name="Stock",
        variables={"first": 5},
        outcome="error: FORBIDDEN",
        arguments={"products": {"first": 5}},
    )
    seed(url, [entry(1), entry(2), partner])

    args = parse("audit", "tail", "-n", "2", "--store", url)
    args.run(args)

    assert capsys.readouterr().out.splitlines() == [
        f"2026-12-02T04:12:00Z  staff alice as customer {CUSTOMER_ID} [jwt]  mutation PlaceOrder"
        '  ok  {"lines": [{"sku": "A-1", "quantity": 2}]}  request req-2',
        "2026-12-02T04:13:00Z  partner acme [api_token:3f9a1c]  query Stock"
        '  error: FORBIDDEN  {"first": 5}  args {"products": {"first": 5}}  request req-3',
    ]


def test_audit_tail_json_prints_entries_that_read_back(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    seed(url, [entry(1), entry(2)])

    args = parse("audit", "tail", "--json", "--store", url)
    args.run(args)

    lines = capsys.readouterr().out.splitlines()
    assert [AuditEntry.from_json(line) for line in lines] == [entry(1), entry(2)]
    assert json.loads(lines[0])["actor"] == "alice"


def test_audit_tail_reads_the_store_from_the_config(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    seed(url, [entry(1)])
    config = tmp_path / "gateway.toml"
    config.write_text(f"""
[backends.erp]
kind = "odoo"
url = "http://127.0.0.1:8069"
database = "demo"
credentials_env = "ODOO_API_KEY"

[auth]
store = "{url}"
""")
    environ = {"ODOO_API_KEY": "k", "ERP_GATEWAY_JWT_SECRET": "x" * 32}

    args = parse("audit", "tail", "--config", str(config))
    args.run(args, environ)

    assert "request req-1" in capsys.readouterr().out


def test_audit_tail_without_store_reads_the_environment(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    seed(url, [entry(1)])

    args = parse("audit", "tail")
    args.run(args, {"ERP_GATEWAY_STORE": url})

    assert "request req-1" in capsys.readouterr().out


def test_audit_tail_names_a_bad_store_without_its_password():
    args = parse("audit", "tail", "--store", "postgres://admin:hunter2@db/audit")
    with pytest.raises(ConfigError, match="expected sqlite") as raised:
        args.run(args)
    assert "hunter2" not in str(raised.value)


def test_audit_tail_of_an_unreachable_redis_is_a_config_error():
    args = parse("audit", "tail", "--store", "redis://:hunter2@127.0.0.1:1/0")
    with pytest.raises(ConfigError, match="Redis audit log") as raised:
        args.run(args)
    assert "hunter2" not in str(raised.value)


async def test_follow_prints_new_entries_as_they_come(tmp_path, capsys):
    log = SqliteAuditLog(tmp_path / "audit.sqlite3")
    await log.append(entry(1))
    following = asyncio.create_task(show(log, lines=5, follow=True, poll_interval_s=0.01))
    try:
        await until_printed(capsys, "request req-1")
        await log.append(entry(2))
        await until_printed(capsys, "request req-2")
    finally:
        following.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await following
        await log.close()


async def until_printed(capsys, text, timeout_s=5.0):
    printed = ""
    async with asyncio.timeout(timeout_s):
        while text not in printed:
            printed += capsys.readouterr().out
            await asyncio.sleep(0.01)
