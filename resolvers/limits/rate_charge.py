"""Charges the client's rate-limit bucket by an operation's cost, before it runs.

`OperationLimits` measures the cost while validating; `CostCharged` is that extension
plus the charge: when the document passed, and before anything executes, the request
takes `weight(cost) - 1` more tokens from the bucket the edge took its one token from
(`gateway/edge/rate_limit.py`). Without those tokens nothing runs: the answer is HTTP
429 with a `RATE_LIMITED` error, and the edge's token stays spent (it paid for the parse
and the validation). Used only when `[limits]` weighs cost, since it is asynchronous.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import GraphQLError
from strawberry.types import ExecutionResult

from gateway.limits.clients import CHARGE_STATE, RequestCharge
from resolvers.limits.operation_limits import OperationLimits

TOO_MANY_REQUESTS = 429


class CostCharged(OperationLimits):
    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        charge = _charge_of(context.context)
        if charge is not None and self.cost is not None:
            decision = await charge.charge_cost(self.cost)
            if not decision.allowed:
                message = (
                    f"Too many requests: this operation costs {self.cost}, "
                    f"{charge.limiter.weight(self.cost, charge.client)} tokens, and this "
                    f"client has {decision.remaining}; retry in {decision.retry_after_s} s"
                )
                error = GraphQLError(message, extensions={"code": "RATE_LIMITED"})
                context.result = ExecutionResult(data=None, errors=[error])  # nothing runs
                response = getattr(context.context, "response", None)
                if response is not None:  # the edge adds Retry-After and the RateLimit-*
                    response.status_code = TOO_MANY_REQUESTS
        yield


def _charge_of(context: object) -> RequestCharge | None:
    request = getattr(context, "request", None)
    state = getattr(request, "scope", {}).get("state", {})
    charge = state.get(CHARGE_STATE)
    return charge if isinstance(charge, RequestCharge) else None
