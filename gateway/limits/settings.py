"""`[limits]`: the rate each kind of principal may call at, and how a query's cost
weighs.

    [limits]
    enabled = true
    cost_per_token = 1000       # a request takes 1 + cost // cost_per_token tokens
    [limits.requests_per_minute]
    customer = 600
    partner = 600

A partner API token created with `--rate` has its own rate instead of its kind's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from erp_backends.rate_limit import RateLimit
from gateway.auth.principal import PrincipalKind
from gateway.config_reader import Table

PRINCIPAL_KINDS = tuple(kind.value for kind in PrincipalKind)

# A person in an app or at a desk sends a few requests a second at most, a partner's
# system about the same; the company's own services more. Anonymous clients (limited
# per address) may only explore the schema, and refused credentials draw from the same
# bucket of their address.
DEFAULT_REQUESTS_PER_MINUTE: Mapping[str, int] = {
    "customer": 600,
    "partner": 600,
    "staff": 1200,
    "service": 6000,
    "anonymous": 120,
}
# The examples' operations cost a few hundred to 2,500 (1 to 3 tokens); the customer-360
# at 50 orders deep about 80,000 (81 tokens); the largest [graphql] max_cost allows,
# 250,000 (251 tokens: a partner's bucket holds 600).
DEFAULT_COST_PER_TOKEN = 1000


@dataclass(frozen=True, slots=True)
class LimitsSettings:
    enabled: bool = True
    requests_per_minute: Mapping[str, int] = field(
        default_factory=lambda: dict(DEFAULT_REQUESTS_PER_MINUTE)
    )
    cost_per_token: int = DEFAULT_COST_PER_TOKEN  # 0: every request takes one token

    def rate_of(self, kind: str) -> RateLimit:
        return RateLimit(self.requests_per_minute[kind], 60.0)

    @property
    def weighs_cost(self) -> bool:
        return self.enabled and self.cost_per_token > 0


def read_limits(table: Table) -> LimitsSettings:
    """`[limits]` checked key by key; a ConfigError names the key at fault."""
    rates = dict(DEFAULT_REQUESTS_PER_MINUTE)
    per_kind = table.table("requests_per_minute")
    for kind in per_kind.names():
        if kind not in PRINCIPAL_KINDS:
            raise per_kind.error(
                kind, f"no such principal kind; known: {', '.join(PRINCIPAL_KINDS)}"
            )
        rates[kind] = per_kind.positive_int(kind, 1)
    per_kind.reject_unknown()
    settings = LimitsSettings(
        enabled=table.boolean("enabled", True),
        requests_per_minute=rates,
        cost_per_token=table.whole_number("cost_per_token", DEFAULT_COST_PER_TOKEN),
    )
    table.reject_unknown()
    return settings
