"""`[logging] format = "json"`: one JSON object a line, with the request it was logged
for, from the app in-process and from `erp-gateway serve` as operators run it."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import httpx
import pytest

from gateway.auth.principal import PrincipalKind
from gateway.config import ConfigError, LoggingSettings, settings_from_dict
from gateway.logs.json_lines import JsonLines
from tests.gateway.test_cli import COMMAND, EXAMPLE_ENV, ROOT, example_config
from tests.harness import bearer, odoo_settings, token_for
from tests.inprocess import in_process_gateway
from tests.servers import free_port

FIRST_PRODUCT = """
# a comment naming query Decoy, which is not the operation
query FirstProduct { products(first: 1) { nodes { sku } } }
"""
SECRET_TOKEN = token_for(subject="log-reader")


class Lines(logging.Handler):
    """The JSON lines the process's loggers write while it is attached."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonLines())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def parsed(self) -> list[dict]:
        return [json.loads(line) for line in self.lines]


@contextmanager
def captured_lines() -> Iterator[Lines]:
    root = logging.getLogger()
    handler, level = Lines(), root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def logging_erp(app):
    """The emulator's ASGI app, logging a line each time the gateway calls it: a line
    logged inside the gateway's request, as a backend adapter's would be."""
    erp_log = logging.getLogger("erp_gateway.test_backend")

    async def logged(scope, receive, send):
        if scope["type"] == "http":
            erp_log.info("ERP called with Bearer %s", SECRET_TOKEN)
        await app(scope, receive, send)

    return logged


def test_lines_logged_inside_a_request_carry_its_id_subject_and_operation(odoo_emulator_app):
    # Given a gateway logging JSON lines
    settings = replace(odoo_settings("http://erp.in-process"), logging=LoggingSettings("json"))
    emulators = {"erp": logging_erp(odoo_emulator_app)}
    with captured_lines() as lines, in_process_gateway(settings, emulators) as client:
        # when a query runs, with a request id of the client's
        answer = client.post(
            "/graphql",
            json={"query": FIRST_PRODUCT},
            headers={**bearer(SECRET_TOKEN), "X-Request-ID": "req-42"},
        )
        assert answer.status_code == 200, answer.text
    # then the line logged inside it names the request, who made it, and what it ran
    inside = [line for line in lines.parsed() if line["logger"] == "erp_gateway.test_backend"]
    assert inside, lines.lines
    for line in inside:
        assert line["request_id"] == "req-42"
        assert line["subject"] == "log-reader"
        assert line["operation"] == "FirstProduct"
        assert line["level"] == "INFO"
        assert line["time"].endswith("Z")
        # and the token it quoted is gone
        assert line["message"] == "ERP called with [redacted]"
    assert not any(SECRET_TOKEN in line for line in lines.lines)


def test_lines_outside_requests_carry_no_request_fields_and_keep_tracebacks():
    with captured_lines() as lines:
        try:
            raise ValueError("connecting to redis://:hunter2-secret@cache:6379/0")
        except ValueError:
            logging.getLogger("erp_gateway.test").exception("it broke")
    (line,) = lines.parsed()
    assert line["message"] == "it broke"
    assert "request_id" not in line
    assert "ValueError" in line["exception"]
    assert "hunter2" not in line["exception"]
    assert "redis://:[redacted]@cache:6379/0" in line["exception"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"format": "yaml"}, "logging.format: expected one of text, json, got 'yaml'"),
        ({"level": "loud"}, "logging.level: expected one of debug, info, warning, error"),
        ({"colour": True}, "logging.colour: unknown key"),
    ],
)
def test_logging_settings_refuse_what_they_do_not_know(table, message):
    data = {
        "backends": {
            "erp": {"kind": "odoo", "url": "http://erp", "credentials_env": "K", "database": "d"}
        },
        "logging": table,
    }
    environ = {"K": "admin", **EXAMPLE_ENV}
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        settings_from_dict(data, environ)


def test_logging_defaults_to_text_at_info():
    data = {
        "backends": {
            "erp": {"kind": "odoo", "url": "http://erp", "credentials_env": "K", "database": "d"}
        }
    }
    settings = settings_from_dict(data, {"K": "admin", **EXAMPLE_ENV})
    assert settings.logging == LoggingSettings(format="text", level="info")


@pytest.mark.slow
def test_serve_writes_only_json_lines_to_stderr(tmp_path, odoo_emulator_url):
    # Given `erp-gateway serve` with JSON logs, in front of the Odoo emulator
    replacements = {
        "http://127.0.0.1:8069": odoo_emulator_url,
        'format = "text"': 'format = "json"',
    }
    config = example_config(tmp_path, **replacements)
    port = free_port()
    env = {**os.environ, **EXAMPLE_ENV, "ODOO_API_KEY": "admin"}
    process = subprocess.Popen(
        [*COMMAND, "serve", "--config", str(config), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        assert process.stdout is not None
        assert f":{port}/graphql" in process.stdout.readline()  # printed once it listens
        # when a staff member's query (its token in the URL too) and an anonymous probe come
        token = token_for(PrincipalKind.STAFF, subject="ops-7")
        answer = httpx.post(
            f"http://127.0.0.1:{port}/graphql?token={token}",
            json={"query": FIRST_PRODUCT},
            headers={**bearer(token), "X-Request-ID": "served-1"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=30).status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    # then every line on stderr is a JSON object, uvicorn's too
    lines = [json.loads(line) for line in stderr.splitlines()]
    assert {"uvicorn.error", "uvicorn.access"} <= {line["logger"] for line in lines}, stderr
    # and the access line of the query names its request, subject and operation
    (access,) = [line for line in lines if line.get("request_id") == "served-1"]
    assert access["logger"] == "uvicorn.access"
    assert access["subject"] == "ops-7"
    assert access["operation"] == "FirstProduct"
    assert access["path"] == "/graphql"  # the query string (and the token in it) left out
    assert access["status"] == 200
    assert token not in stderr
