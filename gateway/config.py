"""Settings: one frozen object, built from a TOML file and the environment.

Every problem is reported as a `ConfigError` that names the file and the key, e.g.
`gateway.toml: backends.erp.url: expected an http:// or https:// URL, got 'localhost'`.
Secrets are read from the environment variable that the file names, never from the
file itself, and are kept as `Secret`s.
"""

from __future__ import annotations

import ipaddress
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import urlsplit

from erp_backends import registry
from erp_backends.http import Resilience
from erp_backends.rate_limit import RateLimit
from gateway.cache.caching import DEFAULT_TTLS
from gateway.cache.entities import Entity
from gateway.config_options import read_options
from gateway.config_reader import ConfigError, Table
from gateway.limits.settings import LimitsSettings, read_limits
from gateway.persisted_documents import ManifestError, read_manifest
from gateway.secrets import Secret
from gateway.stores import parse_store_url, with_password

__all__ = [
    "AuthSettings",
    "BackendSettings",
    "ClaimNames",
    "ConfigError",
    "FederationSettings",
    "GraphQLSettings",
    "HttpSettings",
    "LimitsSettings",
    "LoggingSettings",
    "QueueSettings",
    "Settings",
    "TelemetrySettings",
    "load_settings",
]

LINK_FIELDS = ("email", "reference")


@dataclass(frozen=True, slots=True)
class BackendSettings:
    """One system behind the gateway, in one role (erp, crm, shop)."""

    role: str
    kind: str  # a name in the backend registry, e.g. "odoo"
    url: str
    credentials: Secret = field(repr=False)
    credentials_env: str
    options: Any  # the kind's options dataclass (`BackendKind.options`)
    rate_limit: RateLimit | None = None
    resilience: Resilience = field(default_factory=Resilience)


@dataclass(frozen=True, slots=True)
class FederationSettings:
    # Which ERP customer field links it to its CRM contact and shop account.
    link_field: Literal["email", "reference"] = "email"


@dataclass(frozen=True, slots=True)
class ResponseCacheSettings:
    """Whole query responses per principal's visibility (`[cache.responses]`), kept
    where the records are (memory or Redis) and never longer than their records."""

    enabled: bool = True
    max_bytes: int = 64 * 1024 * 1024  # in memory, per process; Redis keeps its own bound
    max_ttl_s: float = 300.0


@dataclass(frozen=True, slots=True)
class CacheSettings:
    url: str = "memory://"  # or redis://host:port/db, shared by every gateway process
    password: Secret | None = field(default=None, repr=False)
    stale_ttl: float = 3600.0
    ttls: Mapping[Entity, float] = field(default_factory=lambda: dict(DEFAULT_TTLS))
    responses: ResponseCacheSettings = field(default_factory=ResponseCacheSettings)


HMAC_ALGORITHMS = ("HS256", "HS384", "HS512")
KEY_PAIR_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
JWT_SECRET_ENV = "ERP_GATEWAY_JWT_SECRET"  # noqa: S105 - the variable's name, not a secret
MIN_HMAC_SECRET_LENGTH = 32  # RFC 7518 3.2: the key must be at least as long as the hash


@dataclass(frozen=True, slots=True)
class ClaimNames:
    """Which JWT claim carries what; identity providers name them differently."""

    subject: str = "sub"
    scope: str = "scope"  # space-separated; a list (as in `scp`) is accepted too
    kind: str = "kind"
    customer_id: str = "customer_id"


@dataclass(frozen=True, slots=True)
class AuthSettings:
    # "production" turns GraphiQL and introspection off unless [graphql] turns them on.
    mode: Literal["development", "production"] = "development"
    issuer: str = "erp-gateway"
    audience: str = "erp-gateway"
    # Accepted algorithms: from here, never from the token's header.
    algorithms: tuple[str, ...] = ("HS256",)
    secret: Secret | None = field(default=None, repr=False)  # for HS* tokens
    jwks_url: str | None = None  # for RS*/ES* tokens
    jwks_min_refresh_s: float = 30.0  # an unknown kid refetches the JWKS at most this often
    jwks_max_age_s: float = 3600.0
    leeway_s: float = 30.0
    # A stolen JWT cannot be revoked, only outlived: refuse tokens that live longer.
    max_token_lifetime_s: float = 86400.0
    claims: ClaimNames = field(default_factory=ClaimNames)
    default_kind: str | None = None  # for tokens without a kind claim
    store: str = "sqlite:///erp-gateway.sqlite3"  # API tokens and the audit log
    store_password: Secret | None = field(default=None, repr=False)  # a Redis store's

    def store_connect_url(self) -> str:
        """The store's URL with its password: for opening it, never for showing."""
        password = None if self.store_password is None else self.store_password.reveal()
        return with_password(self.store, password)


@dataclass(frozen=True, slots=True)
class QueueSettings:
    """The durable command queue that mutations write to and workers drain."""

    url: str = "sqlite:///erp-gateway-queue.sqlite3"  # or redis://, shared by every process
    worker: bool = True  # `serve` drains the queue in-process; `erp-gateway worker` alone
    sync_wait_ms: int = 2000  # how long a mutation waits for the ERP before QUEUED
    max_attempts: int = 8  # then the command goes to the dead-letter list
    retry_backoff_s: float = 1.0  # first retry after up to this (full jitter), doubling
    retry_max_backoff_s: float = 300.0
    # A worker renews the lease of each command it runs every third of this; one silent
    # this long is presumed dead and another takes its commands over. It must outlast
    # the queue's worst pause (a renewal that cannot reach it), not the slowest command.
    lease_s: float = 30.0
    concurrency: int = 4  # lanes of one worker, each with its batch (the rate limit holds)
    batch_size: int = 100  # commands one lane claims at once; its orders go in one batch
    password: Secret | None = field(default=None, repr=False)  # a Redis queue's

    def connect_url(self) -> str:
        """The queue's URL with its password: for opening it, never for showing."""
        return with_password(self.url, None if self.password is None else self.password.reveal())


@dataclass(frozen=True, slots=True)
class WritesSettings:
    """What a mutation checks before it accepts a command (see the README's Writes)."""

    # Stock and credit snapshots older than this are read again from the ERP before an
    # acceptance relies on them; the reservation ledger covers what was accepted since.
    # Each round of reads costs some 4 ERP calls: at 15 s, a sixth of a 99/minute ERP.
    snapshot_max_age_s: float = 15.0
    max_lines: int = 200  # lines of one order or return
    max_note_chars: int = 2000  # an order's note, a return's reason
    max_address_field_chars: int = 200  # each field of a shipping address


PRINCIPAL_KINDS = ("customer", "staff", "partner", "service", "anonymous")


@dataclass(frozen=True, slots=True)
class GraphQLSettings:
    graphiql: bool = True
    introspection: bool = True
    suggestions: bool = True  # "Did you mean ...?" in errors; production mode turns it off
    max_depth: int = 15
    max_aliases: int = 30
    # graphql-core parses about 12 µs a token on the event loop: 2,000 keeps the worst
    # document near 25 ms. The largest query of the demo and the examples has ~250.
    max_tokens: int = 2000
    # The static cost of an operation (see resolvers/limits/measure.py). The default
    # lets the customer-360 query through at 100 orders deep (about 160,000) and refuses
    # three nested connections of first: 100 (about 1,000,000).
    max_cost: int = 250_000
    max_cost_by_kind: Mapping[str, int] = field(default_factory=dict)
    list_estimate: int = 10  # items assumed in a list without `first`
    mutation_weight: int = 10  # added to the cost per mutation field
    max_response_bytes: int = 5 * 1024 * 1024
    # Automatic persisted queries (README: Persisted operations): documents registered by
    # clients, kept per process in an LRU bounded in count and in bytes.
    apq: bool = True
    apq_max_documents: int = 1000
    apq_max_bytes: int = 4 * 1024 * 1024
    # Trusted documents: the manifest's file and its documents by SHA-256, read at start;
    # principals of the kinds in `persisted_only_for` may run nothing else.
    persisted_manifest: Path | None = None
    persisted_documents: Mapping[str, str] = field(default_factory=dict)
    persisted_only_for: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """Limits on what one HTTP request may hold or take, before GraphQL sees it."""

    max_body_bytes: int = 1024 * 1024  # larger: 413
    max_header_bytes: int = 16 * 1024  # the request line and every header together: 431
    header_timeout_s: float = 10.0  # the whole head must arrive within this: else 408
    body_timeout_s: float = 30.0  # likewise the body, from the end of the head
    cors_origins: tuple[str, ...] = ()  # browser origins allowed to call (gateway/edge/cors.py)
    # Proxies whose X-Forwarded-For names the client (rate limits by address); none: the
    # peer is the client, and X-Forwarded-For is not believed.
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()


LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("debug", "info", "warning", "error")


@dataclass(frozen=True, slots=True)
class LoggingSettings:
    """How `serve` writes its log lines (gateway/logs/): "text" for a terminal, "json"
    (one object a line, with the request id, subject and operation) for a collector."""

    format: Literal["text", "json"] = "text"
    level: Literal["debug", "info", "warning", "error"] = "info"


@dataclass(frozen=True, slots=True)
class TelemetrySettings:
    """Metrics at /metrics and traces to an OpenTelemetry collector (gateway/observability/),
    each off unless configured."""

    metrics: bool = False
    # Whoever scrapes /metrics sends `Authorization: Bearer <this>`: the port is public.
    metrics_token: Secret | None = field(default=None, repr=False)
    # Operation names counted under their own label beyond the trusted documents' (the
    # first ones seen); every further name is "other". Clients choose the names.
    max_operation_names: int = 100
    otlp_endpoint: str | None = None  # the collector's OTLP/HTTP base URL; None: no traces
    service_name: str = "erp-gateway"
    trace_sample_ratio: float = 1.0  # of the traces this gateway starts (parent decides else)


MIN_METRICS_TOKEN_LENGTH = 32


@dataclass(frozen=True, slots=True)
class Settings:
    erp: BackendSettings
    crm: BackendSettings | None = None
    shop: BackendSettings | None = None
    federation: FederationSettings = field(default_factory=FederationSettings)
    cache: CacheSettings = field(default_factory=CacheSettings)
    graphql: GraphQLSettings = field(default_factory=GraphQLSettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    queue: QueueSettings = field(default_factory=QueueSettings)
    writes: WritesSettings = field(default_factory=WritesSettings)
    limits: LimitsSettings = field(default_factory=LimitsSettings)
    telemetry: TelemetrySettings = field(default_factory=TelemetrySettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)


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
    _load_plugins(backends)
    erp = _backend(backends.table("erp", required=True), "erp", environ)
    crm, shop = (
        _backend(backends.table(role), role, environ) if backends.has(role) else None
        for role in ("crm", "shop")
    )
    backends.reject_unknown()
    federation = _federation(root.table("federation"), shop)
    cache = _cache(root.table("cache"), environ)
    auth = _auth(root.table("auth"), environ)
    graphql = _graphql(
        root.table("graphql"), production=auth.mode == "production", folder=_folder_of(source)
    )
    http = _http(root.table("http"))
    queue = _queue(root.table("queue"), environ)
    writes = _writes(root.table("writes"))
    limits = read_limits(root.table("limits"))
    telemetry = _telemetry(root.table("telemetry"), environ)
    logging = _logging(root.table("logging"))
    root.reject_unknown()
    return Settings(
        erp=erp,
        crm=crm,
        shop=shop,
        federation=federation,
        cache=cache,
        graphql=graphql,
        http=http,
        auth=auth,
        queue=queue,
        writes=writes,
        limits=limits,
        telemetry=telemetry,
        logging=logging,
    )


def _load_plugins(backends: Table) -> None:
    """Modules that register more backend systems (see erp_backends/registry.py)."""
    for module in backends.string_list("plugins", []):
        try:
            registry.load_plugins([module])
        except Exception as exc:  # a plugin is code: whatever stops it, name it in one line
            problem = f"{type(exc).__name__}: {exc}"
            raise backends.error("plugins", f"cannot load {module!r}: {problem}") from None


def _backend(table: Table, role: str, environ: Mapping[str, str]) -> BackendSettings:
    name = table.choice("kind", [kind.name for kind in registry.kinds(registry.Role(role))])
    kind = registry.kind(role, name)
    url = table.url("url")
    options = read_options(table, kind.options)
    credentials_env = table.string("credentials_env")
    secret = environ.get(credentials_env)
    if not secret:
        raise table.error(
            "credentials_env", f"the environment variable {credentials_env} is not set"
        )
    problem = kind.check_credentials(secret)
    if problem is not None:
        raise table.error(
            "credentials_env", f"the environment variable {credentials_env} {problem}"
        )
    rate_text = table.optional_string("rate_limit")
    settings = BackendSettings(
        role=role,
        kind=name,
        url=url,
        credentials=Secret(secret),
        credentials_env=credentials_env,
        options=options,
        rate_limit=None if rate_text is None else table.parse("rate_limit", RateLimit.parse),
        resilience=_resilience(table),
    )
    table.reject_unknown()
    return settings


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
    usable = registry.shop(shop.kind).link_fields if shop is not None else LINK_FIELDS
    if shop is not None and link_field not in usable:
        raise table.error(
            "link_field",
            f"the {shop.kind} shop finds customers by {' or '.join(usable)} only, "
            f"got {link_field!r}",
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
        known = {entity.local_name: entity for entity in Entity.of_role(role)}
        for name in role_table.names():
            if name not in known:
                raise role_table.error(name, f"no such cached entity; known: {', '.join(known)}")
            ttls[known[name]] = role_table.non_negative_number(name, 0)
        role_table.reject_unknown()
    ttl_table.reject_unknown()
    settings = CacheSettings(
        url=url,
        password=password,
        stale_ttl=table.non_negative_number("stale_ttl", 3600.0),
        ttls=ttls,
        responses=_response_cache(table.table("responses")),
    )
    table.reject_unknown()
    return settings


def _response_cache(table: Table) -> ResponseCacheSettings:
    defaults = ResponseCacheSettings()
    settings = ResponseCacheSettings(
        enabled=table.boolean("enabled", defaults.enabled),
        max_bytes=table.positive_int("max_bytes", defaults.max_bytes),
        max_ttl_s=table.positive_number("max_ttl_s", defaults.max_ttl_s),
    )
    table.reject_unknown()
    return settings


def _auth(table: Table, environ: Mapping[str, str]) -> AuthSettings:
    defaults = AuthSettings()
    mode = table.choice("mode", ("development", "production"), "development")
    algorithms = tuple(table.string_list("algorithms", list(defaults.algorithms)))
    for algorithm in algorithms:
        if algorithm not in HMAC_ALGORITHMS + KEY_PAIR_ALGORITHMS:
            raise table.error(
                "algorithms",
                f"{algorithm!r} is not accepted; choose from "
                + ", ".join(HMAC_ALGORITHMS + KEY_PAIR_ALGORITHMS),
            )
    if not algorithms:
        raise table.error("algorithms", "name at least one algorithm")
    secret = None
    secret_env = table.optional_string("secret_env") or JWT_SECRET_ENV
    if any(a in HMAC_ALGORITHMS for a in algorithms):
        value = environ.get(secret_env, "")
        if not value:
            raise table.error(
                "secret_env",
                f"the environment variable {secret_env} is not set; HS256 tokens need it "
                "(or accept only RS256/ES256 with a jwks_url)",
            )
        if len(value.encode()) < MIN_HMAC_SECRET_LENGTH:
            raise table.error(
                "secret_env",
                f"the secret in {secret_env} is too short: use at least "
                f"{MIN_HMAC_SECRET_LENGTH} random characters",
            )
        secret = Secret(value)
    jwks_url = table.url("jwks_url") if table.has("jwks_url") else None
    if jwks_url is None and any(a in KEY_PAIR_ALGORITHMS for a in algorithms):
        raise table.error("jwks_url", "RS*/ES* algorithms need the identity provider's JWKS URL")
    claims_table = table.table("claims")
    claim_defaults = ClaimNames()
    claims = ClaimNames(
        **{
            name: claims_table.optional_string(name) or getattr(claim_defaults, name)
            for name in ("subject", "scope", "kind", "customer_id")
        }
    )
    claims_table.reject_unknown()
    store = table.optional_string("store") or defaults.store
    try:
        parse_store_url(store)
    except ValueError as exc:
        raise table.error("store", str(exc)) from None
    if urlsplit(store).password:
        raise table.error(
            "store", "put no password in the file: name its variable in store_password_env"
        )
    store_password = _password(table, "store_password_env", environ)
    default_kind = table.optional_string("default_kind")
    if default_kind is not None and default_kind not in ("customer", "staff", "partner", "service"):
        raise table.error("default_kind", "expected customer, staff, partner or service")
    settings = AuthSettings(
        mode=cast(Literal["development", "production"], mode),
        issuer=table.optional_string("issuer") or defaults.issuer,
        audience=table.optional_string("audience") or defaults.audience,
        algorithms=algorithms,
        secret=secret,
        jwks_url=jwks_url,
        jwks_min_refresh_s=table.non_negative_number(
            "jwks_min_refresh_s", defaults.jwks_min_refresh_s
        ),
        jwks_max_age_s=table.positive_number("jwks_max_age_s", defaults.jwks_max_age_s),
        leeway_s=table.non_negative_number("leeway_s", defaults.leeway_s),
        max_token_lifetime_s=table.positive_number(
            "max_token_lifetime_s", defaults.max_token_lifetime_s
        ),
        claims=claims,
        default_kind=default_kind,
        store=store,
        store_password=store_password,
    )
    table.reject_unknown()
    return settings


def _password(table: Table, key: str, environ: Mapping[str, str]) -> Secret | None:
    """The secret in the environment variable that `key` names, if it names one."""
    name = table.optional_string(key)
    if name is None:
        return None
    if not environ.get(name):
        raise table.error(key, f"the environment variable {name} is not set")
    return Secret(environ[name])


def _queue(table: Table, environ: Mapping[str, str]) -> QueueSettings:
    defaults = QueueSettings()
    url = table.optional_string("url") or defaults.url
    try:
        parse_store_url(url)
    except ValueError as exc:
        raise table.error("url", str(exc)) from None
    if urlsplit(url).password:
        raise table.error("url", "put no password in the file: name its variable in password_env")
    settings = QueueSettings(
        url=url,
        worker=table.boolean("worker", defaults.worker),
        sync_wait_ms=table.whole_number("sync_wait_ms", defaults.sync_wait_ms),
        max_attempts=table.positive_int("max_attempts", defaults.max_attempts),
        retry_backoff_s=table.positive_number("retry_backoff_s", defaults.retry_backoff_s),
        retry_max_backoff_s=table.positive_number(
            "retry_max_backoff_s", defaults.retry_max_backoff_s
        ),
        lease_s=table.positive_number("lease_s", defaults.lease_s),
        concurrency=table.positive_int("concurrency", defaults.concurrency),
        batch_size=table.positive_int("batch_size", defaults.batch_size),
        password=_password(table, "password_env", environ),
    )
    table.reject_unknown()
    return settings


def _graphql(table: Table, *, production: bool = False, folder: Path = Path()) -> GraphQLSettings:
    # Production hides the schema from strangers unless [graphql] says otherwise: the
    # committed schema.graphql is how integrating teams read it.
    defaults = GraphQLSettings(
        graphiql=not production, introspection=not production, suggestions=not production
    )
    manifest, documents, only_for = _trusted_documents(table, folder)
    settings = GraphQLSettings(
        graphiql=table.boolean("graphiql", defaults.graphiql),
        introspection=table.boolean("introspection", defaults.introspection),
        suggestions=table.boolean("suggestions", defaults.suggestions),
        max_depth=table.positive_int("max_depth", defaults.max_depth),
        max_aliases=table.positive_int("max_aliases", defaults.max_aliases),
        max_tokens=table.positive_int("max_tokens", defaults.max_tokens),
        max_cost=table.positive_int("max_cost", defaults.max_cost),
        max_cost_by_kind=_max_cost_by_kind(table.table("max_cost_by_kind")),
        list_estimate=table.positive_int("list_estimate", defaults.list_estimate),
        mutation_weight=table.whole_number("mutation_weight", defaults.mutation_weight),
        max_response_bytes=table.positive_int("max_response_bytes", defaults.max_response_bytes),
        apq=table.boolean("apq", defaults.apq),
        apq_max_documents=table.positive_int("apq_max_documents", defaults.apq_max_documents),
        apq_max_bytes=table.positive_int("apq_max_bytes", defaults.apq_max_bytes),
        persisted_manifest=manifest,
        persisted_documents=documents,
        persisted_only_for=only_for,
    )
    table.reject_unknown()
    return settings


def _trusted_documents(
    table: Table, folder: Path
) -> tuple[Path | None, dict[str, str], frozenset[str]]:
    """`persisted_manifest` (relative to the config file's folder) read and checked, and
    the principal kinds limited to it."""
    manifest: Path | None = None
    documents: dict[str, str] | None = None
    if table.has("persisted_manifest"):
        manifest = folder / table.string("persisted_manifest")
        try:
            documents = read_manifest(manifest)
        except ManifestError as exc:
            raise table.error("persisted_manifest", f"{manifest}: {exc}") from None
    kinds = table.string_list("persisted_only_for", [])
    unknown = [kind for kind in kinds if kind not in PRINCIPAL_KINDS]
    if unknown:
        raise table.error(
            "persisted_only_for",
            f"no such principal kind: {', '.join(unknown)}; known: {', '.join(PRINCIPAL_KINDS)}",
        )
    if kinds and documents is None:
        raise table.error(
            "persisted_only_for",
            "needs persisted_manifest: the trusted documents those principals may run",
        )
    return manifest, documents or {}, frozenset(kinds)


def _folder_of(source: str) -> Path:
    """Where a config file's relative paths start: its folder (the working directory
    for settings that come from no file)."""
    return Path(source).parent


def _max_cost_by_kind(table: Table) -> dict[str, int]:
    limits = {}
    for kind in table.names():
        if kind not in PRINCIPAL_KINDS:
            raise table.error(kind, f"no such principal kind; known: {', '.join(PRINCIPAL_KINDS)}")
        limits[kind] = table.positive_int(kind, 1)
    table.reject_unknown()
    return limits


def _writes(table: Table) -> WritesSettings:
    defaults = WritesSettings()
    settings = WritesSettings(
        snapshot_max_age_s=table.positive_number("snapshot_max_age_s", defaults.snapshot_max_age_s),
        max_lines=table.positive_int("max_lines", defaults.max_lines),
        max_note_chars=table.positive_int("max_note_chars", defaults.max_note_chars),
        max_address_field_chars=table.positive_int(
            "max_address_field_chars", defaults.max_address_field_chars
        ),
    )
    table.reject_unknown()
    return settings


def _telemetry(table: Table, environ: Mapping[str, str]) -> TelemetrySettings:
    defaults = TelemetrySettings()
    metrics = table.boolean("metrics", defaults.metrics)
    token = _password(table, "metrics_token_env", environ)
    if metrics and token is None:
        raise table.error(
            "metrics_token_env",
            "/metrics is served on the gateway's public port, so it needs a bearer token: "
            "name the environment variable that holds it",
        )
    if token is not None and len(token.reveal()) < MIN_METRICS_TOKEN_LENGTH:
        raise table.error(
            "metrics_token_env",
            f"the token is too short: use at least {MIN_METRICS_TOKEN_LENGTH} random characters",
        )
    ratio = table.non_negative_number("trace_sample_ratio", defaults.trace_sample_ratio)
    if ratio > 1:
        raise table.error("trace_sample_ratio", f"expected a share from 0 to 1, got {ratio:g}")
    settings = TelemetrySettings(
        metrics=metrics,
        metrics_token=token,
        max_operation_names=table.whole_number("max_operation_names", defaults.max_operation_names),
        otlp_endpoint=table.url("otlp_endpoint") if table.has("otlp_endpoint") else None,
        service_name=table.optional_string("service_name") or defaults.service_name,
        trace_sample_ratio=ratio,
    )
    table.reject_unknown()
    return settings


def _cors_origins(table: Table) -> tuple[str, ...]:
    """Origins as a browser sends them in `Origin` (`scheme://host[:port]`: no path, no
    trailing slash), or "*" alone: an origin written any other way would never match,
    and CORS would fail in the browser with no hint why."""
    origins = table.string_list("cors_origins", [])
    if "*" in origins and len(origins) > 1:
        raise table.error("cors_origins", '"*" allows every origin: list it alone or not at all')
    for origin in origins:
        parts = urlsplit(origin)
        if origin != "*" and (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.username is not None
            or origin != f"{parts.scheme}://{parts.netloc}"
        ):
            raise table.error(
                "cors_origins",
                f"{origin!r} is not an origin: write scheme://host[:port], "
                'e.g. "https://app.example.com", without a path or a trailing slash',
            )
    return tuple(origins)


def _trusted_proxies(
    table: Table,
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for text in table.string_list("trusted_proxies", []):
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise table.error(
                "trusted_proxies",
                f"{text!r} is not an address or a network, e.g. 10.0.0.5 or 10.0.0.0/8",
            ) from None
    return tuple(networks)


def _http(table: Table) -> HttpSettings:
    defaults = HttpSettings()
    settings = HttpSettings(
        max_body_bytes=table.positive_int("max_body_bytes", defaults.max_body_bytes),
        max_header_bytes=table.positive_int("max_header_bytes", defaults.max_header_bytes),
        header_timeout_s=table.positive_number("header_timeout_s", defaults.header_timeout_s),
        body_timeout_s=table.positive_number("body_timeout_s", defaults.body_timeout_s),
        cors_origins=_cors_origins(table),
        trusted_proxies=_trusted_proxies(table),
    )
    table.reject_unknown()
    return settings


def _logging(table: Table) -> LoggingSettings:
    defaults = LoggingSettings()
    log_format = table.choice("format", LOG_FORMATS, defaults.format)
    level = table.choice("level", LOG_LEVELS, defaults.level)
    table.reject_unknown()
    return LoggingSettings(
        format=cast(Literal["text", "json"], log_format),
        level=cast(Literal["debug", "info", "warning", "error"], level),
    )
