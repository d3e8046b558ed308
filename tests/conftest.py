"""Fixtures shared by every test package."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest

from erp_backends.hubspot import emulator as hubspot_emulator
from erp_backends.odoo.emulator import EmulatorOptions, create_app
from erp_backends.woocommerce import emulator as woocommerce_emulator
from tests.servers import serve_in_thread


@pytest.fixture(scope="session")
def odoo_emulator_url():
    """The seed-1 Odoo emulator without faults, over HTTP, shared by the whole session."""
    with serve_in_thread(create_app(EmulatorOptions(seed=1))) as url:
        yield url


@pytest.fixture(scope="session")
def hubspot_emulator_url():
    """The seed-1 HubSpot emulator without faults (token "pat-demo"), over HTTP, shared
    by the whole session."""
    options = hubspot_emulator.EmulatorOptions(seed=1)
    with serve_in_thread(hubspot_emulator.create_app(options)) as url:
        yield url


@pytest.fixture(scope="session")
def woocommerce_emulator_url():
    """The seed-1 WooCommerce emulator without faults (key "ck_demo", secret "cs_demo"),
    over HTTP, shared by the whole session."""
    options = woocommerce_emulator.EmulatorOptions(seed=1)
    with serve_in_thread(woocommerce_emulator.create_app(options)) as url:
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
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
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
