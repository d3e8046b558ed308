"""The gateway's log lines: plain text or one JSON object a line (`[logging]`), with
the request id, the principal and the operation of the request being served."""

from gateway.logs.context import RequestLogging, note_operation
from gateway.logs.setup import configure_logging, uvicorn_logging

__all__ = ["RequestLogging", "configure_logging", "note_operation", "uvicorn_logging"]
