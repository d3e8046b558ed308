"""Metrics and traces: what an operator watches the gateway by.

- `metrics.py`: the Prometheus metrics, in a registry of the app's own, served at
  `/metrics` by `endpoint.py` to a scraper with the bearer token.
- `tracing.py`: OpenTelemetry traces exported over OTLP/HTTP, only when a collector is
  configured; with none, no tracer exists and nothing is done per request.
- `requests.py`: the request's span, count and latency, around `/graphql`; its
  operation name and outcome come from a schema extension.
- `backend_calls.py`: the observer `BackendHttp` tells of every backend call.
- `telemetry.py`: the one object the wiring builds from `[telemetry]`.

Nothing here imports prometheus-client's or OpenTelemetry's heavier modules unless the
feature is on.
"""
