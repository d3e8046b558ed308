"""`/metrics`: the Prometheus exposition, for a scraper with the bearer token.

The gateway's port faces the internet, and the metrics tell a stranger much: which
operations exist and how often they run, which backend is failing, how deep the queue
is. So `/metrics` answers only `Authorization: Bearer <token>` (the token from the
environment variable `[telemetry] metrics_token_env` names, compared in constant
time); Prometheus sends it with `authorization: {credentials_file: ...}`. Without
`[telemetry] metrics = true` there is no route at all (404).
"""

from __future__ import annotations

import hmac

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from gateway.edge.errors import error_response
from gateway.observability.metrics import GatewayMetrics
from gateway.secrets import Secret


class MetricsEndpoint:
    def __init__(self, metrics: GatewayMetrics, token: Secret) -> None:
        self._metrics = metrics
        self._expected = f"Bearer {token.reveal()}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        sent = Headers(scope=scope).get("authorization", "").encode("latin-1")
        if not hmac.compare_digest(sent, self._expected):
            response = error_response(
                401, "UNAUTHENTICATED", "/metrics needs the metrics bearer token"
            )
            response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        else:
            body = await self._metrics.exposition()
            response = Response(
                body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"}
            )
        await response(scope, receive, send)
