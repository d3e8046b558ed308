"""Configuring the process's logging from `[logging]`: the gateway's loggers and
uvicorn's (startup, errors, access) write to standard error in one format."""

from __future__ import annotations

import logging
import sys
from types import TracebackType
from typing import Any

from gateway.config import LoggingSettings
from gateway.logs.json_lines import JsonLines

TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")


def configure_logging(settings: LoggingSettings) -> None:
    """Every log line of the process to standard error, as `settings` say."""
    handler = logging.StreamHandler(sys.stderr)
    json_lines = settings.format == "json"
    handler.setFormatter(JsonLines() if json_lines else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(settings.level.upper())
    # httpx logs every backend request at INFO; the gateway logs the failures that matter.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
    if json_lines:
        # uvicorn's lines go through the root's handler, not through uvicorn's own.
        for name in UVICORN_LOGGERS:
            logger = logging.getLogger(name)
            logger.handlers.clear()
            logger.propagate = True
        logging.captureWarnings(True)  # a Python warning is a line like any other
        sys.excepthook = _log_uncaught  # and a crash, which would print a bare traceback


def _log_uncaught(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, trace)
        return
    logging.getLogger("erp_gateway").critical("uncaught exception", exc_info=(kind, error, trace))


def uvicorn_logging(settings: LoggingSettings | None) -> dict[str, Any]:
    """uvicorn.Config's options for `settings`: with JSON lines, uvicorn configures no
    handler of its own (its lines reach the root's); its loggers keep `level`."""
    if settings is None:
        return {"log_level": "info"}
    options: dict[str, Any] = {"log_level": settings.level}
    if settings.format == "json":
        options["log_config"] = None
    return options
