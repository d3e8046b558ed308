"""One JSON object per log line, for log collectors (`[logging] format = "json"`).

    {"time": "2026-01-31T12:00:00.123Z", "level": "INFO", "logger": "uvicorn.access",
     "message": "POST /graphql 200", "request_id": "c0ffee...", "subject": "ops-7",
     "operation": "CustomerOrders", "client": "10.0.0.7", "method": "POST",
     "path": "/graphql", "status": 200}

`request_id`, `subject` (and `actor` when staff impersonates), `operation` are there
on every line logged while a request is served; `exception` holds a traceback as one
string. uvicorn's access lines are rebuilt from their parts: the path without its
query string, which may hold a whole GraphQL document and its variables.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import orjson

from gateway.logs.context import RequestLog, current_request
from gateway.logs.redaction import scrub

ACCESS_LOGGER = "uvicorn.access"


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _utc(record.created),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == ACCESS_LOGGER and _is_access(record.args):
            line.update(_access(record.args))
        else:
            line["message"] = scrub(record.getMessage())
        request = current_request()
        if request is not None:
            line.update(_request_fields(request))
        if record.exc_info:
            line["exception"] = scrub(self.formatException(record.exc_info))
        elif record.exc_text:
            line["exception"] = scrub(record.exc_text)
        if record.stack_info:
            line["stack"] = scrub(self.formatStack(record.stack_info))
        return orjson.dumps(line, default=str).decode()


_second: tuple[int, str] = (-1, "")  # the last second formatted: lines come many a second


def _utc(created: float) -> str:
    global _second
    whole = int(created)
    if _second[0] != whole:
        _second = (whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)))
    return f"{_second[1]}.{int(created % 1 * 1000):03d}Z"


def _request_fields(request: RequestLog) -> dict[str, Any]:
    fields = {
        "request_id": request.request_id,
        "subject": request.subject,
        "operation": request.operation,
    }
    actor = request.actor
    if actor is not None:
        fields["actor"] = actor
    return fields


def _is_access(args: object) -> bool:
    """uvicorn's access line: (client, method, path with query, HTTP version, status)."""
    return isinstance(args, tuple) and len(args) == 5


def _access(args: Any) -> dict[str, Any]:
    client, method, full_path, _, status = args
    path = scrub(str(full_path).partition("?")[0])
    return {
        "message": f"{method} {path} {status}",
        "client": str(client),
        "method": str(method),
        "path": path,
        "status": status,
    }
