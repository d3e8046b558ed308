"""Fixtures shared by every test package."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest

from erp_backends.hubspot import emulator as hubspot
from erp_backends.odoo import emulator as odoo
from erp_backends.woocommerce import emulator as woocommerce
from gateway.wiring import server
from tests.inprocess import serve_in_process
from tests.servers import self_signed_certificate, serve_in_thread, serve_tls_in_thread

# Tests that reach a server on a socket or start a process are `slow`: `make test-fast`
# (`pytest -m "not slow"`) leaves them out. A test using one of these fixtures is marked
# so here; modules that start their own servers or processes say so with `pytestmark`.
SOCKET_FIXTURES = frozenset(
    {"odoo_emulator_url", "hubspot_emulator_url", "woocommerce_emulator_url", "redis_url"}
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SOCKET_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _servers_only_in_slow_tests(request, monkeypatch):
    """A test that binds a server socket must be marked slow, or the fast lane would
    quietly be slow: binding fails loudly in any other test."""
    if request.node.get_closest_marker("slow") is None:

        def refuse(*_args, **_kwargs):
            raise AssertionError("this test starts a server: mark it @pytest.mark.slow")

        monkeypatch.setattr(server, "bind", refuse)


@pytest.fixture(scope="session")
def odoo_emulator_app():
    """The seed-1 Odoo emulator without faults, shared by the whole session: in-process
    through `odoo_emulator`, over HTTP through `odoo_emulator_url`."""
    return odoo.create_app(odoo.EmulatorOptions(seed=1))


@pytest.fixture(scope="session")
def hubspot_emulator_app():
    """The seed-1 HubSpot emulator without faults (token "pat-demo")."""
    return hubspot.create_app(hubspot.EmulatorOptions(seed=1))


@pytest.fixture(scope="session")
def woocommerce_emulator_app():
    """The seed-1 WooCommerce emulator without faults (key "ck_demo", secret "cs_demo")."""
    return woocommerce.create_app(woocommerce.EmulatorOptions(seed=1))


@pytest.fixture(scope="session")
def odoo_emulator(odoo_emulator_app):
    """A client of the seed-1 Odoo emulator, in-process (its RPC, its call log)."""
    with serve_in_process(odoo_emulator_app) as client:
        yield client


@pytest.fixture(scope="session")
def hubspot_emulator(hubspot_emulator_app):
    with serve_in_process(hubspot_emulator_app) as client:
        yield client


@pytest.fixture(scope="session")
def woocommerce_emulator(woocommerce_emulator_app):
    with serve_in_process(woocommerce_emulator_app) as client:
        yield client


@pytest.fixture(scope="session")
def odoo_emulator_url(odoo_emulator_app):
    with serve_in_thread(odoo_emulator_app) as url:
        yield url


@pytest.fixture(scope="session")
def hubspot_emulator_url(hubspot_emulator_app):
    with serve_in_thread(hubspot_emulator_app) as url:
        yield url


@pytest.fixture(scope="session")
def woocommerce_emulator_url(woocommerce_emulator_app, tmp_path_factory):
    """Over plain HTTP (the gateway signs with OAuth 1.0a), or with
    WOOCOMMERCE_EMULATOR_TLS=1 over HTTPS (Basic auth) with a self-signed certificate
    that every HTTP client of the session trusts (SSL_CERT_FILE)."""
    if os.environ.get("WOOCOMMERCE_EMULATOR_TLS") != "1":
        with serve_in_thread(woocommerce_emulator_app) as url:
            yield url
        return
    certificate = self_signed_certificate(tmp_path_factory.mktemp("tls"))
    os.environ["SSL_CERT_FILE"] = certificate.certfile
    with serve_tls_in_thread(
        woocommerce_emulator_app, certificate.certfile, certificate.keyfile
    ) as url:
        yield url


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real Redis for the session: REDIS_URL if set, else a private redis-server on a
    free port. Without either, Redis tests skip with the reason, unless REQUIRE_REDIS=1
    (as in CI), where a missing Redis is a failure."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    binary = shutil.which("redis-server")
    if binary is None:
        message = "no Redis: set REDIS_URL or install redis-server"
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(message + " (REQUIRE_REDIS=1)")
        pytest.skip(message)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    workdir = tmp_path_factory.mktemp("redis")
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    argv += ["--dir", str(workdir)]
    server = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for_port(port: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"redis-server did not listen on port {port}")
