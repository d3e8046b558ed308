"""`erp-gateway serve --workers N`: N gateway processes answering on one socket.

A Python process runs on one core at a time. On a machine with more, uvicorn's own
supervisor (`uvicorn.supervisors.Multiprocess`) starts N processes on the socket bound
here, checks that each answers its pings, and replaces one that dies or hangs. Each
process is spawned, not forked: it shares nothing with the others but the socket and
the environment, so it loads gateway.toml and builds its app itself (`GatewayConfig`).

What the processes share is what the gateway keeps outside them: the command queue
with its reservation ledger, the audit log and the API tokens (SQLite files or Redis),
and the cache and the backends' rate limits when Redis holds them. Without Redis each
process has a cache of its own and keeps to 1/N of each backend's rate limit, so that
together they keep to all of it (`open_backends(processes=N)`).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from gateway.config import LoggingSettings, load_settings
from gateway.edge.protocol import head_limited
from gateway.logs import configure_logging, uvicorn_logging


class GatewayConfig(uvicorn.Config):
    """uvicorn's configuration of one gateway process, built in that process: what is
    sent to a spawned process is this object, pickled, so it carries the path to
    gateway.toml and nothing that cannot be pickled (the app, the protocol class)."""

    def __init__(
        self,
        config_path: Path,
        processes: int,
        logging: LoggingSettings | None = None,
        **options: Any,
    ) -> None:
        self.gateway_logging = logging  # before uvicorn's __init__, which configures logging
        options |= uvicorn_logging(logging)
        super().__init__(app="(built by GatewayConfig.load)", workers=processes, **options)
        self.gateway_config = str(config_path)
        self.processes = processes

    def configure_logging(self) -> None:
        """uvicorn's, then the gateway's (`[logging]`): in the supervisor and again in
        each spawned process, whose logging starts unconfigured."""
        super().configure_logging()
        if self.gateway_logging is not None:
            configure_logging(self.gateway_logging)

    def load(self) -> None:
        from gateway.wiring.app import create_app  # the app's modules load in the worker

        if not self.loaded:
            settings = load_settings(Path(self.gateway_config), os.environ)
            self.app = create_app(settings, processes=self.processes, serving=True)
            self.http = head_limited(settings.http.max_header_bytes, settings.http.header_timeout_s)
        super().load()


def serve_processes(
    config_path: Path,
    sock: socket.socket,
    processes: int,
    logging: LoggingSettings | None = None,
) -> None:
    """Serve the gateway from `processes` processes on `sock` until SIGINT or SIGTERM."""
    config = GatewayConfig(config_path, processes, logging, access_log=True)
    Multiprocess(config, sockets=[sock]).run()
