"""Settings: one frozen object, built from a TOML file and the environment.

Every problem is reported as a `ConfigError` that names the file and the key, e.g.
`gateway.toml: backends.erp.url: expected an http:// or https:// URL, got 'localhost'`.
Secrets are read from the environment variable that the file names, never from the
file itself, and are kept as `Secret`s.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from erp_backends.http import Resilience
from erp_backends.rate_limit import RateLimit
from gateway.cache.caching import DEFAULT_TTLS
from gateway.config_reader import ConfigError, Table
from gateway.secrets import Secret

__all__ = [
    "BackendSettings",
    "ConfigError",
    "FederationSettings",
    "GraphQLSettings",
    "HubSpotOptions",
    "OdooOptions",
    "Settings",
    "WooCommerceOptions",
    "load_settings",
]

KINDS = {"erp": ("odoo",), "crm": ("hubspot",), "shop": ("woocommerce",)}
LINK_FIELDS = ("email", "reference")


@dataclass(frozen=True, slots=True)
class OdooOptions:
    database: str
    login: str = "admin"
    protocol: Literal["jsonrpc", "json2"] = "jsonrpc"


@dataclass(frozen=True, slots=True)
class HubSpotOptions:
    link_property: str = "email"  # the unique contact property holding the link value
    currency: str = "EUR"  # for deals without a deal_currency_code


@dataclass(frozen=True, slots=True)
class WooCommerceOptions:
    # ERP orders that came from the shop carry "<prefix><shop order number>" as the
    # customer's reference; that is how an ERP order finds its shop order.
    order_reference_prefix: str = "SHOP-"
    currency: str = "EUR"  # the shop's currency (WooCommerce > Settings > General)


KindOptions = OdooOptions | HubSpotOptions | WooCommerceOptions


@dataclass(frozen=True, slots=True)
class BackendSettings:
    """One system behind the gateway, in one role (erp, crm, shop)."""

    role: str
    kind: str
    url: str
    credentials: Secret = field(repr=False)
    credentials_env: str
    options: KindOptions
    rate_limit: RateLimit | None = None
    resilience: Resilience = field(default_factory=Resilience)


@dataclass(frozen=True, slots=True)
class FederationSettings:
    # Which ERP customer field links it to its CRM contact and shop account.
    link_field: Literal["email", "reference"] = "email"


@dataclass(frozen=True, slots=True)
class CacheSettings:
    url: str = "memory://"  # or redis://host:port/db, shared by every gateway process
    password: Secret | None = field(default=None, repr=False)
    stale_ttl: float = 3600.0
    ttls: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TTLS))


@dataclass(frozen=True, slots=True)
class GraphQLSettings:
    graphiql: bool = True
    max_depth: int = 15
    max_aliases: int = 30
    max_tokens: int = 5000


@dataclass(frozen=True, slots=True)
class Settings:
    erp: BackendSettings
    crm: BackendSettings | None = None
    shop: BackendSettings | None = None
    federation: FederationSettings = field(default_factory=FederationSettings)
    cache: CacheSettings = field(default_factory=CacheSettings)
    graphql: GraphQLSettings = field(default_factory=GraphQLSettings)


def load_settings(path: Path, environ: Mapping[str, str]) -> Settings:
    """Settings from the TOML file at `path`; secrets from `environ`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file; copy gateway.example.toml to start") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return settings_from_dict(data, environ, source=str(path))


def settings_from_dict(
    data: dict[str, Any], environ: Mapping[str, str], *, source: str = "config"
) -> Settings:
    root = Table(data, source=source)
    backends = root.table("backends", required=True)
    erp = _backend(backends.table("erp", required=True), "erp", environ)
    crm, shop = (
        _backend(backends.table(role), role, environ) if backends.has(role) else None
        for role in ("crm", "shop")
    )
    backends.reject_unknown()
    federation = _federation(root.table("federation"), shop)
    cache = _cache(root.table("cache"), environ)
    graphql = _graphql(root.table("graphql"))
    root.reject_unknown()
    return Settings(
        erp=erp, crm=crm, shop=shop, federation=federation, cache=cache, graphql=graphql
    )


def _backend(table: Table, role: str, environ: Mapping[str, str]) -> BackendSettings:
    kind = table.choice("kind", KINDS[role])
    url = table.url("url")
    options = _OPTIONS[kind](table)
    credentials_env = table.string("credentials_env")
    secret = environ.get(credentials_env)
    if not secret:
        raise table.error(
            "credentials_env", f"the environment variable {credentials_env} is not set"
        )
    if kind == "woocommerce" and ":" not in secret:
        raise table.error(
            "credentials_env",
            f"the environment variable {credentials_env} must hold consumer_key:consumer_secret",
        )
    rate_text = table.optional_string("rate_limit")
    settings = BackendSettings(
        role=role,
        kind=kind,
        url=url,
        credentials=Secret(secret),
        credentials_env=credentials_env,
        options=options,
        rate_limit=None if rate_text is None else table.parse("rate_limit", RateLimit.parse),
        resilience=_resilience(table),
    )
    table.reject_unknown()
    return settings


def _odoo(table: Table) -> OdooOptions:
    protocol = table.choice("protocol", ("jsonrpc", "json2"), "jsonrpc")
    return OdooOptions(
        database=table.string("database"),
        login=table.optional_string("login") or "admin",
        protocol=cast(Literal["jsonrpc", "json2"], protocol),
    )


def _hubspot(table: Table) -> HubSpotOptions:
    return HubSpotOptions(
        link_property=table.optional_string("link_property") or "email",
        currency=table.optional_string("currency") or "EUR",
    )


def _woocommerce(table: Table) -> WooCommerceOptions:
    prefix = table.optional_string("order_reference_prefix")
    currency = table.optional_string("currency")
    return WooCommerceOptions(order_reference_prefix=prefix or "SHOP-", currency=currency or "EUR")


_OPTIONS: dict[str, Callable[[Table], KindOptions]] = {
    "odoo": _odoo,
    "hubspot": _hubspot,
    "woocommerce": _woocommerce,
}


def _resilience(table: Table) -> Resilience:
    default = Resilience()
    return Resilience(
        timeout_s=table.positive_number("timeout_s", default.timeout_s),
        retries=table.whole_number("retries", default.retries),
        backoff_s=table.positive_number("retry_backoff_s", default.backoff_s),
        max_backoff_s=table.positive_number("retry_max_backoff_s", default.max_backoff_s),
        circuit_failures=table.positive_int("circuit_failures", default.circuit_failures),
        circuit_reset_s=table.positive_number("circuit_reset_s", default.circuit_reset_s),
    )


def _federation(table: Table, shop: BackendSettings | None) -> FederationSettings:
    link_field = table.choice("link_field", LINK_FIELDS, "email")
    if link_field != "email" and shop is not None:
        raise table.error(
            "link_field", f"the {shop.kind} shop finds customers by email only, got {link_field!r}"
        )
    table.reject_unknown()
    return FederationSettings(link_field=cast(Literal["email", "reference"], link_field))


def _cache(table: Table, environ: Mapping[str, str]) -> CacheSettings:
    url = table.cache_url("url", "memory://")
    password_env = table.optional_string("password_env")
    password = None
    if password_env is not None:
        if not environ.get(password_env):
            raise table.error("password_env", f"the environment variable {password_env} is not set")
        password = Secret(environ[password_env])
    ttls = dict(DEFAULT_TTLS)
    ttl_table = table.table("ttl")
    for role in ("erp", "crm", "shop"):
        role_table = ttl_table.table(role)
        for entity in role_table.names():
            if f"{role}.{entity}" not in DEFAULT_TTLS:
                known = ", ".join(k.split(".", 1)[1] for k in DEFAULT_TTLS if k.startswith(role))
                raise role_table.error(entity, f"no such cached entity; known: {known}")
            ttls[f"{role}.{entity}"] = role_table.non_negative_number(entity, 0)
        role_table.reject_unknown()
    ttl_table.reject_unknown()
    settings = CacheSettings(
        url=url,
        password=password,
        stale_ttl=table.non_negative_number("stale_ttl", 3600.0),
        ttls=ttls,
    )
    table.reject_unknown()
    return settings


def _graphql(table: Table) -> GraphQLSettings:
    defaults = GraphQLSettings()
    settings = GraphQLSettings(
        graphiql=table.boolean("graphiql", defaults.graphiql),
        max_depth=table.positive_int("max_depth", defaults.max_depth),
        max_aliases=table.positive_int("max_aliases", defaults.max_aliases),
        max_tokens=table.positive_int("max_tokens", defaults.max_tokens),
    )
    table.reject_unknown()
    return settings
