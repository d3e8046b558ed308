"""`erp-gateway token ...`, through the same argparse wiring the erp-gateway parser uses."""

import argparse
import asyncio
import re

import pytest

from gateway.auth.errors import InvalidToken
from gateway.auth.token_cli import DEFAULT_STORE, STORE_ENV, add_token_commands, store_url
from gateway.auth.token_store import SqliteApiTokenStore
from gateway.config import ConfigError
from resolvers.node import encode_id

CUSTOMER = encode_id("Customer", "7")
ORDER = encode_id("Order", "7")
TOKEN = re.compile(r"egw_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")
CONFIG = """
[backends.erp]
kind = "odoo"
url = "http://127.0.0.1:8069"
database = "demo"
credentials_env = "ODOO_API_KEY"

[auth]
store = "{store}"
"""
ENVIRON = {"ODOO_API_KEY": "x", "ERP_GATEWAY_JWT_SECRET": "s" * 32}


def parse(*argv):
    parser = argparse.ArgumentParser(prog="erp-gateway")
    add_token_commands(parser.add_subparsers(required=True, metavar="COMMAND"))
    return parser.parse_args(["token", *argv])


@pytest.fixture
def db(tmp_path):
    return tmp_path / "tokens.sqlite3"


@pytest.fixture
def token(db, capsys):
    """Runs `erp-gateway token ...` against the test's SQLite store."""

    def run(*argv):
        args = parse(*argv, "--store", f"sqlite:///{db}")
        args.run(args)
        return capsys.readouterr()

    return run


def verify(db, text):
    async def check():
        store = SqliteApiTokenStore(db)
        try:
            return await store.verify(text)
        finally:
            await store.close()

    return asyncio.run(check())


def test_create_prints_the_token_once_alone_on_stdout(token, db):
    naming = ["--name", "acme", "--scopes", "orders:write, stock:read"]
    out = token("create", *naming, "--customer", CUSTOMER, "--expires", "90d")

    assert TOKEN.fullmatch(out.out.strip())
    assert "store it now: it is not shown again" in out.err
    created = verify(db, out.out.strip())
    assert created.name == "acme"
    assert created.scopes == {"orders:write", "stock:read"}
    assert created.customer_ids == (CUSTOMER,)
    assert created.expires_at is not None
    assert created.id in out.err


def test_list_shows_a_table_and_no_secret(token):
    text = token("create", "--name", "acme", "--scopes", "stock:read").out.strip()

    listed = token("list").out

    header, row = listed.splitlines()
    assert header.split() == ["ID", "NAME", "SCOPES", "CUSTOMERS", "CREATED", "EXPIRES", "STATE"]
    assert row.split()[:4] == [text.split("_")[1], "acme", "stock:read", "none"]
    assert row.split()[-2:] == ["never", "active"]
    assert text.split("_", 2)[2] not in listed


def test_list_of_an_empty_store_says_so(token):
    assert token("list").out == "no API tokens\n"


def test_revoke_ends_a_token_and_list_shows_it(token, db):
    text = token("create", "--name", "acme", "--scopes", "stock:read").out.strip()
    token_id = text.split("_")[1]

    out = token("revoke", token_id)

    assert f"revoked API token {token_id} (acme)" in out.out
    assert token("list").out.splitlines()[1].endswith("revoked")
    with pytest.raises(InvalidToken, match="API token revoked"):
        verify(db, text)


def test_rotate_prints_a_new_token_and_keeps_the_old_one_for_the_grace(token, db):
    old = token("create", "--name", "acme", "--scopes", "stock:read").out.strip()
    token_id = old.split("_")[1]

    out = token("rotate", token_id, "--grace", "1h")

    new = out.out.strip()
    assert TOKEN.fullmatch(new)
    assert new != old
    assert "store it now" in out.err
    assert verify(db, old).id == verify(db, new).id == token_id
    assert token("list").out.splitlines()[1].endswith("rotating")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["create", "--name", "acme", "--scopes", "stock:read,orders:delete,x"],
            "--scopes: unknown orders:delete, x; known: customers:read, orders:read",
        ),
        (["create", "--name", "acme", "--scopes", " , "], "--scopes: name at least one scope"),
        (["create", "--name", " ", "--scopes", "stock:read"], "--name: expected"),
        (
            ["create", "--name", "acme", "--scopes", "stock:read", "--customer", "nope"],
            "--customer: 'nope' is not a valid ID",
        ),
        (
            ["create", "--name", "acme", "--scopes", "stock:read", "--customer", ORDER],
            "--customer: .* is the ID of a Order, not of a Customer",
        ),
        (
            ["create", "--name", "acme", "--scopes", "stock:read", "--expires", "soon"],
            "--expires: expected a duration like 90d",
        ),
        (["rotate", "0123456789ab", "--grace", "1w"], "--grace: expected a duration"),
        (["revoke", "0123456789ab"], "no API token with id '0123456789ab'"),
        (["rotate", "0123456789ab"], "no API token with id '0123456789ab'"),
    ],
)
def test_expected_failures_are_one_clear_line(token, argv, message):
    with pytest.raises(ConfigError, match=message):
        token(*argv)


def test_a_pasted_token_instead_of_an_id_is_refused_without_echoing_it(token):
    text = token("create", "--name", "acme", "--scopes", "stock:read").out.strip()

    with pytest.raises(ConfigError) as caught:
        token("revoke", text)

    assert "12 hex digits" in str(caught.value)
    assert text.split("_", 2)[2] not in str(caught.value)


def test_a_revoked_token_cannot_be_rotated(token):
    token_id = token("create", "--name", "acme", "--scopes", "stock:read").out.split("_")[1]
    token("revoke", token_id)

    with pytest.raises(ConfigError, match=f"API token {token_id} is revoked: create a new one"):
        token("rotate", token_id)


def test_an_unreachable_store_is_one_line_without_its_password():
    args = parse("list", "--store", "redis://:hunter2@127.0.0.1:1/0")

    with pytest.raises(ConfigError, match=r"^token store unavailable: ") as caught:
        args.run(args)

    assert "hunter2" not in str(caught.value)


def test_a_bad_store_url_is_named():
    args = parse("list", "--store", "postgres://db/tokens")

    with pytest.raises(ConfigError, match="token store: expected sqlite:///<file> or redis://"):
        args.run(args)


def test_the_store_comes_from_store_then_config_then_environment_then_default(tmp_path):
    config = tmp_path / "gateway.toml"
    config.write_text(CONFIG.format(store="redis://127.0.0.1:6379/3"))
    env = {**ENVIRON, STORE_ENV: "sqlite:///from-env.sqlite3"}

    assert store_url(parse("list", "--store", "sqlite:///a.sqlite3"), env) == "sqlite:///a.sqlite3"
    assert store_url(parse("list", "--config", str(config)), env) == "redis://127.0.0.1:6379/3"
    assert store_url(parse("list"), env) == "sqlite:///from-env.sqlite3"
    assert store_url(parse("list"), {}) == DEFAULT_STORE == "sqlite:///erp-gateway.sqlite3"


def test_store_and_config_exclude_each_other(capsys):
    with pytest.raises(SystemExit):
        parse("list", "--store", "sqlite:///a.sqlite3", "--config", "gateway.toml")

    assert "not allowed with argument" in capsys.readouterr().err
