"""`[telemetry]`: off by default, and every mistake named with its key."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.config import ConfigError, TelemetrySettings, settings_from_dict
from gateway.observability.telemetry import Telemetry
from gateway.secrets import Secret

TOKEN = "t" * 32
ENV = {"ODOO_API_KEY": "s3cret-key", "ERP_GATEWAY_JWT_SECRET": "j" * 32, "METRICS": TOKEN}
ERP = {
    "kind": "odoo",
    "url": "http://127.0.0.1:8069",
    "database": "demo",
    "credentials_env": "ODOO_API_KEY",
}


def settings(environ=ENV, **telemetry):
    return settings_from_dict({"backends": {"erp": ERP}, "telemetry": telemetry}, environ)


def test_telemetry_is_off_by_default():
    loaded = settings()
    assert loaded.telemetry == TelemetrySettings()
    # and off, nothing of it is on the request path
    telemetry = Telemetry.from_settings(loaded)
    assert not telemetry.on
    app: Any = object()
    assert telemetry.around_requests(app) is app
    assert telemetry.schema_extensions() == []
    assert telemetry.backend_calls() is None
    assert telemetry.routes() == []


def test_every_key_is_read():
    loaded = settings(
        metrics=True,
        metrics_token_env="METRICS",
        max_operation_names=0,
        otlp_endpoint="http://127.0.0.1:4318/",
        service_name="gateway-eu",
        trace_sample_ratio=0.25,
    )
    assert loaded.telemetry == TelemetrySettings(
        metrics=True,
        metrics_token=Secret(TOKEN),
        max_operation_names=0,
        otlp_endpoint="http://127.0.0.1:4318",
        service_name="gateway-eu",
        trace_sample_ratio=0.25,
    )
    assert TOKEN not in repr(loaded)


@pytest.mark.parametrize(
    ("telemetry", "environ", "problem"),
    [
        ({"metrics": True}, ENV, "telemetry.metrics_token_env: /metrics is served on the"),
        (
            {"metrics": True, "metrics_token_env": "UNSET"},
            ENV,
            "telemetry.metrics_token_env: the environment variable UNSET is not set",
        ),
        (
            {"metrics": True, "metrics_token_env": "METRICS"},
            {**ENV, "METRICS": "short"},
            "telemetry.metrics_token_env: the token is too short",
        ),
        ({"otlp_endpoint": "127.0.0.1:4318"}, ENV, "telemetry.otlp_endpoint: expected an http"),
        ({"trace_sample_ratio": 2}, ENV, "telemetry.trace_sample_ratio: expected a share"),
        ({"max_operation_names": -1}, ENV, "telemetry.max_operation_names"),
        ({"metric": True}, ENV, "telemetry.metric"),
    ],
)
def test_mistakes_are_named(telemetry, environ, problem):
    with pytest.raises(ConfigError, match=problem.replace(".", r"\.").replace("/", "/")):
        settings(environ, **telemetry)


def test_metrics_from_several_processes_are_announced_at_start(caplog):
    loaded = settings(metrics=True, metrics_token_env="METRICS")
    with caplog.at_level("WARNING", logger="erp_gateway.metrics"):
        Telemetry.from_settings(loaded, processes=1)
        assert not caplog.records
        Telemetry.from_settings(loaded, processes=4)
    assert "4 processes serve on one socket" in caplog.text
