"""Whose bucket a request draws from, how many tokens it takes, and the one place where
a refusal is decided.

The client of a request is
- a partner API token: its own bucket (`token:<id>`), at the token's `--rate` if it has
  one, else its kind's;
- a staff member acting as a customer: the staff member's bucket (impersonating
  customers one after another opens no fresh buckets);
- anyone else with credentials: `<kind>:<subject>`, at its kind's rate;
- an anonymous request: the bucket of its address (`address:<net>`), at the anonymous
  rate; refused credentials draw from that bucket too (`gateway/edge/rate_limit.py`).

A request takes 1 token at the edge, before GraphQL parses it, and `weight(cost) - 1`
more once its document is validated and its cost known, before anything runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from erp_backends.rate_limit import RateLimit
from gateway.auth.principal import Principal, PrincipalKind
from gateway.limits.buckets import Buckets, Decision
from gateway.limits.settings import LimitsSettings

log = logging.getLogger("erp_gateway.rate_limit")

CHARGE_STATE = "rate_charge"  # a request's RequestCharge, in its scope["state"]


@dataclass(frozen=True, slots=True)
class Client:
    key: str
    limit: RateLimit
    kind: str  # the principal kind whose rate it is, for logs and metrics


def _uncounted(kind: str) -> None:
    """No metrics: a refusal is counted nowhere."""


class ClientLimiter:
    def __init__(
        self,
        settings: LimitsSettings,
        buckets: Buckets,
        *,
        on_refused: Callable[[str], None] = _uncounted,
    ) -> None:
        self.settings = settings
        self._buckets = buckets
        self._on_refused = on_refused
        self._anonymous = settings.rate_of(PrincipalKind.ANONYMOUS)

    def client_of(self, principal: Principal, address: str) -> Client:
        sender = principal.actor or principal
        if sender.kind is PrincipalKind.ANONYMOUS:
            return self.address_client(address)
        limit = sender.rate_limit or self.settings.rate_of(sender.kind)
        token_id = sender.credential.removeprefix("api_token:")
        if token_id != sender.credential:
            return Client(f"token:{token_id}", limit, sender.kind)
        return Client(f"{sender.kind}:{sender.subject}", limit, sender.kind)

    def address_client(self, address: str) -> Client:
        return Client(f"address:{address}", self._anonymous, PrincipalKind.ANONYMOUS)

    def weight(self, cost: int, client: Client) -> int:
        """Tokens for an operation of this cost: 1 + cost // cost_per_token, at most the
        bucket's size, so that whatever [graphql] max_cost lets through can run once the
        bucket is full rather than never."""
        per_token = self.settings.cost_per_token
        extra = cost // per_token if per_token > 0 else 0
        return min(1 + extra, client.limit.count)

    async def take(self, client: Client, tokens: int) -> Decision:
        decision = await self._buckets.take(client.key, client.limit, tokens)
        if not decision.allowed:
            self.refused(client)
        return decision

    def refused(self, client: Client) -> None:
        """The one place a client is refused, at the edge or after validation: where
        `erp_gateway_rate_limit_refusals_total` counts (by `client.kind`). Debug only in
        the log: a flood of refusals must not become a flood of log lines."""
        self._on_refused(client.kind)
        log.debug("rate limit: refused a request of %s (%s)", client.kind, client.limit)

    async def close(self) -> None:
        await self._buckets.close()


class RequestCharge:
    """One request's account with its client's bucket: the edge's take, the cost's, and
    the last answer, which the answer's headers show."""

    def __init__(self, limiter: ClientLimiter, client: Client, decision: Decision) -> None:
        self.limiter = limiter
        self.client = client
        self.decision = decision

    async def charge_cost(self, cost: int) -> Decision:
        """Take what the operation's cost adds to the token the edge took."""
        extra = self.limiter.weight(cost, self.client) - 1
        if extra > 0:
            self.decision = await self.limiter.take(self.client, extra)
        return self.decision
