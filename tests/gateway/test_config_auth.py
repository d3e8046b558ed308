"""The [auth] table: its defaults, one clear message per invalid key, the claim names it
maps, production mode's effect on [graphql], and a secret that never shows."""

from __future__ import annotations

import json
import time
from typing import Any, cast

import pytest
from jose import jwt
from starlette.datastructures import Headers

from gateway.auth.authenticate import Authenticator
from gateway.auth.jwt_tokens import JwtVerifier
from gateway.auth.principal import PrincipalKind
from gateway.config import (
    AuthSettings,
    ClaimNames,
    ConfigError,
    load_settings,
    settings_from_dict,
)
from gateway.secrets import Secret

JWT_SECRET = "config-tests-jwt-secret-0123456789abcdef"
ENV = {"ODOO_API_KEY": "s3cret-key", "ERP_GATEWAY_JWT_SECRET": JWT_SECRET}
ERP = {
    "kind": "odoo",
    "url": "http://127.0.0.1:8069",
    "database": "demo",
    "credentials_env": "ODOO_API_KEY",
}
JWKS_URL = "https://idp.example.com/.well-known/jwks.json"


def config(auth: dict[str, Any] | None = None, **tables: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"backends": {"erp": dict(ERP)}, **tables}
    if auth is not None:
        data["auth"] = auth
    return data


def test_without_an_auth_table_the_defaults_apply():
    settings = settings_from_dict(config(), ENV)

    assert settings.auth == AuthSettings(secret=Secret(JWT_SECRET))
    assert settings.auth.mode == "development"
    assert (settings.auth.issuer, settings.auth.audience) == ("erp-gateway", "erp-gateway")
    assert settings.auth.algorithms == ("HS256",)
    assert settings.auth.jwks_url is None
    assert (settings.auth.jwks_min_refresh_s, settings.auth.jwks_max_age_s) == (30.0, 3600.0)
    assert settings.auth.leeway_s == 30.0
    assert settings.auth.max_token_lifetime_s == 86400.0
    assert settings.auth.claims == ClaimNames("sub", "scope", "kind", "customer_id")
    assert settings.auth.default_kind is None
    assert settings.auth.store == "sqlite:///erp-gateway.sqlite3"
    assert (settings.graphql.graphiql, settings.graphql.introspection) == (True, True)


def test_every_key_of_the_auth_table_is_read():
    auth = {
        "mode": "production",
        "issuer": "https://idp.example.com/",
        "audience": "erp-api",
        "algorithms": ["RS256", "ES256"],
        "jwks_url": JWKS_URL + "/",
        "jwks_min_refresh_s": 0,
        "jwks_max_age_s": 900,
        "leeway_s": 5,
        "max_token_lifetime_s": 3600,
        "default_kind": "service",
        "store": "redis://127.0.0.1:6379/3",
    }

    settings = settings_from_dict(config(auth), {"ODOO_API_KEY": "k"})  # no HS*: no secret

    assert settings.auth == AuthSettings(
        mode="production",
        issuer="https://idp.example.com/",
        audience="erp-api",
        algorithms=("RS256", "ES256"),
        secret=None,
        jwks_url=JWKS_URL,
        jwks_min_refresh_s=0.0,
        jwks_max_age_s=900.0,
        leeway_s=5.0,
        max_token_lifetime_s=3600.0,
        default_kind="service",
        store="redis://127.0.0.1:6379/3",
    )


def test_the_secret_comes_from_the_variable_secret_env_names():
    env = {"ODOO_API_KEY": "k", "IDP_SECRET": "s" * 32}
    settings = settings_from_dict(config({"secret_env": "IDP_SECRET"}), env)
    assert settings.auth.secret == Secret("s" * 32)


SHORT = "short-secret-0123456789abcdef01"  # 31 characters


@pytest.mark.parametrize(
    ("auth", "environ", "message"),
    [
        (
            {"algorithms": ["none"]},
            ENV,
            "config: auth.algorithms: 'none' is not accepted; "
            "choose from HS256, HS384, HS512, RS256",
        ),
        (
            {"algorithms": ["HS256", "PS256"]},
            ENV,
            "config: auth.algorithms: 'PS256' is not accepted",
        ),
        ({"algorithms": ["hs256"]}, ENV, "config: auth.algorithms: 'hs256' is not accepted"),
        ({"algorithms": []}, ENV, "config: auth.algorithms: name at least one algorithm"),
        ({"algorithms": "HS256"}, ENV, "config: auth.algorithms: expected a list of strings"),
        (
            {},
            {"ODOO_API_KEY": "k"},
            "config: auth.secret_env: the environment variable "
            "ERP_GATEWAY_JWT_SECRET is not set; HS256 tokens need it",
        ),
        (
            {"secret_env": "IDP_SECRET"},
            ENV,
            "config: auth.secret_env: the environment variable IDP_SECRET is not set",
        ),
        (
            {},
            {**ENV, "ERP_GATEWAY_JWT_SECRET": ""},
            "config: auth.secret_env: the environment variable ERP_GATEWAY_JWT_SECRET is not set",
        ),
        (
            {},
            {**ENV, "ERP_GATEWAY_JWT_SECRET": SHORT},
            "config: auth.secret_env: the secret in "
            "ERP_GATEWAY_JWT_SECRET is too short: use "
            "at least 32 random characters",
        ),
        (
            {"algorithms": ["RS256"]},
            ENV,
            "config: auth.jwks_url: RS*/ES* algorithms need the identity provider's JWKS URL",
        ),
        ({"algorithms": ["HS256", "ES256"]}, ENV, "config: auth.jwks_url: RS*/ES* algorithms"),
        (
            {"algorithms": ["RS256"], "jwks_url": "idp.example.com/jwks"},
            ENV,
            "config: auth.jwks_url: expected an http:// or https:// URL, "
            "got 'idp.example.com/jwks'",
        ),
        (
            {"algorithms": ["RS256"], "jwks_url": "file:///etc/jwks.json"},
            ENV,
            "config: auth.jwks_url: expected an http:// or https:// URL",
        ),
        (
            {"store": "postgres://db/erp"},
            ENV,
            "config: auth.store: expected sqlite:///<file> or "
            "redis://host:port/db, got 'postgres://db/erp'",
        ),
        ({"store": "sqlite:///"}, ENV, "config: auth.store: expected sqlite:///<file>, got"),
        ({"issuer_url": "https://idp"}, ENV, "config: auth.issuer_url: unknown key"),
        ({"claims": {"role": "roles"}}, ENV, "config: auth.claims.role: unknown key"),
        (
            {"claims": {"subject": ""}},
            ENV,
            "config: auth.claims.subject: expected a non-empty string",
        ),
        ({"claims": "sub"}, ENV, "config: auth.claims: expected a table [auth.claims]"),
        (
            {"default_kind": "admin"},
            ENV,
            "config: auth.default_kind: expected customer, staff, partner or service",
        ),
        ({"default_kind": "anonymous"}, ENV, "config: auth.default_kind: expected customer"),
        (
            {"mode": "prod"},
            ENV,
            "config: auth.mode: expected one of development, production, got 'prod'",
        ),
        (
            {"jwks_min_refresh_s": -1},
            ENV,
            "config: auth.jwks_min_refresh_s: expected a number of 0 or more",
        ),
        (
            {"jwks_max_age_s": 0},
            ENV,
            "config: auth.jwks_max_age_s: expected a number greater than 0",
        ),
        ({"leeway_s": "30"}, ENV, "config: auth.leeway_s: expected a number of 0 or more"),
        ({"issuer": ""}, ENV, "config: auth.issuer: expected a non-empty string"),
        (
            {"max_token_lifetime_s": 0},
            ENV,
            "config: auth.max_token_lifetime_s: expected a number greater than 0, got 0",
        ),
        (
            {"max_token_lifetime_s": -60},
            ENV,
            "config: auth.max_token_lifetime_s: expected a number greater than 0",
        ),
        (
            {"max_token_lifetime_s": "1d"},
            ENV,
            "config: auth.max_token_lifetime_s: expected a number greater than 0, got '1d'",
        ),
        (
            {"max_token_lifetime_s": True},
            ENV,
            "config: auth.max_token_lifetime_s: expected a number greater than 0",
        ),
        (
            {"max_token_lifetime_s": float("inf")},
            ENV,
            "config: auth.max_token_lifetime_s: expected a finite number greater than 0",
        ),
        (
            {"max_token_lifetime_s": float("nan")},
            ENV,
            "config: auth.max_token_lifetime_s: expected a finite number greater than 0",
        ),
    ],
)
def test_each_invalid_auth_key_is_named_in_one_message(auth, environ, message):
    with pytest.raises(ConfigError) as raised:
        settings_from_dict(config(auth), environ)

    text = str(raised.value)
    assert text.startswith(message)
    assert "\n" not in text
    assert JWT_SECRET not in text
    assert SHORT not in text


def toml_with_auth(tmp_path, auth_line: str):
    path = tmp_path / "gateway.toml"
    erp = "\n".join(f"{key} = {json.dumps(value)}" for key, value in ERP.items())
    path.write_text(f"[backends.erp]\n{erp}\n\n[auth]\n{auth_line}\n")
    return path


def test_max_token_lifetime_s_is_read_from_the_toml_file(tmp_path):
    path = toml_with_auth(tmp_path, "max_token_lifetime_s = 900.5")
    assert load_settings(path, ENV).auth.max_token_lifetime_s == 900.5


@pytest.mark.parametrize("value", ["inf", "nan", "0", "-1", '"24h"'])
def test_max_token_lifetime_s_must_be_a_finite_positive_number_in_toml(tmp_path, value):
    path = toml_with_auth(tmp_path, f"max_token_lifetime_s = {value}")
    expected = r"auth\.max_token_lifetime_s: expected a (finite )?number greater than 0"
    with pytest.raises(ConfigError, match=expected):
        load_settings(path, ENV)


def test_the_auth_table_must_be_a_table():
    with pytest.raises(ConfigError, match=r"^config: auth: expected a table \[auth\]"):
        settings_from_dict({**config(), "auth": "hs256"}, ENV)


CLAIMS = {"subject": "email", "scope": "scp", "kind": "role", "customer_id": "erp_customer"}


async def test_claim_names_map_the_identity_providers_claims():
    data = config({"claims": CLAIMS, "default_kind": "service"})
    settings = settings_from_dict(data, ENV)
    assert settings.auth.claims == ClaimNames(
        subject="email", scope="scp", kind="role", customer_id="erp_customer"
    )
    # No token store is needed for JWTs.
    authenticator = Authenticator(settings.auth, JwtVerifier(settings.auth, None), cast(Any, None))
    now = int(time.time())
    base = {"iss": "erp-gateway", "aud": "erp-gateway", "exp": now + 60}

    async def principal_of(claims: dict[str, Any]):
        token = jwt.encode({**base, **claims}, JWT_SECRET, algorithm="HS256")
        return await authenticator.principal_for(Headers({"authorization": f"Bearer {token}"}))

    staff = await principal_of(
        {
            "email": "ann@example.com",
            "role": "staff",
            "scp": ["orders:read", "stock:read"],
            "sub": "ignored",
            "kind": "customer",
            "scope": "customers:impersonate",
        }
    )
    service = await principal_of({"email": "batch@example.com", "scp": "stock:read"})

    assert (staff.subject, staff.kind) == ("ann@example.com", PrincipalKind.STAFF)
    assert staff.scopes == {"orders:read", "stock:read"}
    assert (service.subject, service.kind) == ("batch@example.com", PrincipalKind.SERVICE)
    assert service.scopes == {"stock:read"}


def test_claim_names_not_given_keep_their_defaults():
    settings = settings_from_dict(config({"claims": {"scope": "scp"}}), ENV)
    assert settings.auth.claims == ClaimNames(scope="scp")


@pytest.mark.parametrize(
    ("mode", "graphql", "expected"),
    [
        ("development", {}, (True, True)),
        ("production", {}, (False, False)),
        ("production", {"graphiql": True}, (True, False)),
        ("production", {"introspection": True}, (False, True)),
        ("production", {"graphiql": True, "introspection": True}, (True, True)),
        ("development", {"graphiql": False, "introspection": False}, (False, False)),
    ],
)
def test_production_mode_turns_graphiql_and_introspection_off_unless_graphql_says(
    mode, graphql, expected
):
    settings = settings_from_dict(config({"mode": mode}, graphql=graphql), ENV)
    assert (settings.graphql.graphiql, settings.graphql.introspection) == expected
    assert settings.graphql.max_depth == 15  # the other limits keep their defaults


def test_the_jwt_secret_is_never_in_a_repr():
    settings = settings_from_dict(config({"algorithms": ["HS256"]}), ENV)

    assert settings.auth.secret is not None
    assert settings.auth.secret.reveal() == JWT_SECRET
    for shown in (repr(settings), str(settings), repr(settings.auth), str(settings.auth.secret)):
        assert JWT_SECRET not in shown
