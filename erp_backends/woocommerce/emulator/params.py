"""Query parameters as WordPress's REST server reads and validates them, and its errors.

WordPress checks every parameter against the route's schema before the handler runs
and refuses the request with one `rest_invalid_param` error naming all the bad ones:

    {"code": "rest_invalid_param", "message": "Invalid parameter(s): per_page",
     "data": {"status": 400, "params": {"per_page": "per_page must be between 1
     (inclusive) and 100 (inclusive)"}, "details": {"per_page": {"code":
     "rest_out_of_bounds", "message": "...", "data": null}}}}
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import QueryParams

from erp_backends.emulation.responses import JSONResponse

MAX_PER_PAGE = 100
_FORM_NAME = re.compile(r"^([^\[]+)((?:\[[^\]]*\])*)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class WpError(Exception):
    """An error WordPress answers as `{"code", "message", "data": {"status", ...}}`."""

    def __init__(self, status: int, code: str, message: str, **data: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.data = status, code, message, data

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "data": {"status": self.status, **self.data},
        }

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status)


def no_route() -> WpError:
    return WpError(404, "rest_no_route", "No route was found matching the URL and request method.")


class Params:
    """Typed reads of a request's query; problems are collected, then raised by `check`."""

    def __init__(self, query: QueryParams) -> None:
        self._query = query
        self._problems: dict[str, tuple[str, str]] = {}

    def integer(
        self, name: str, default: int | None = None, *, minimum: int = 0, maximum: int | None = None
    ) -> int | None:
        raw = self._query.get(name)
        if raw is None or raw == "":
            return default
        if not re.fullmatch(r"-?\d+", raw.strip()):
            self._problem(name, "rest_invalid_type", f"{name} is not of type integer.")
            return None
        value = int(raw)
        if value < minimum or (maximum is not None and value > maximum):
            bounds = (
                f"between {minimum} (inclusive) and {maximum} (inclusive)"
                if maximum is not None
                else f"greater than or equal to {minimum}"
            )
            self._problem(name, "rest_out_of_bounds", f"{name} must be {bounds}")
            return None
        return value

    def ids(self, name: str) -> list[int]:
        """A list of ids: `include=1,2,3` or `include[]=1&include[]=2` (wp_parse_id_list)."""
        values = self._query.getlist(f"{name}[]") or self._query.getlist(name)
        parts = [part.strip() for value in values for part in value.split(",") if part.strip()]
        if not all(part.isdigit() for part in parts):
            self._problem(name, "rest_invalid_type", f"{name}[0] is not of type integer.")
            return []
        return list(dict.fromkeys(int(part) for part in parts))

    def choice(self, name: str, default: str, choices: Sequence[str]) -> str:
        value = self._query.get(name) or default
        if value not in choices:
            listed = ", ".join(choices[:-1]) + f" and {choices[-1]}"
            self._problem(name, "rest_not_in_enum", f"{name} is not one of {listed}.")
        return value

    def choices(self, name: str, default: str, choices: Sequence[str]) -> list[str]:
        """A list parameter of enum values, comma-separated or repeated with `[]`."""
        values = self._query.getlist(f"{name}[]") or [self._query.get(name) or default]
        parts = [part.strip() for value in values for part in value.split(",") if part.strip()]
        for part in parts:
            if part not in choices:
                listed = ", ".join(choices[:-1]) + f" and {choices[-1]}"
                self._problem(name, "rest_not_in_enum", f"{name}[0] is not one of {listed}.")
        return parts

    def text(self, name: str) -> str | None:
        value = self._query.get(name)
        return value if value else None

    def email(self, name: str) -> str | None:
        value = self.text(name)
        if value is not None and not _EMAIL.match(value):
            self._problem(name, "rest_invalid_email", "Invalid email address.")
            return None
        return value

    def check(self) -> None:
        if not self._problems:
            return
        names = ", ".join(self._problems)
        raise WpError(
            400,
            "rest_invalid_param",
            f"Invalid parameter(s): {names}",
            params={name: message for name, (_code, message) in self._problems.items()},
            details={
                name: {"code": code, "message": message, "data": None}
                for name, (code, message) in self._problems.items()
            },
        )

    def _problem(self, name: str, code: str, message: str) -> None:
        self._problems.setdefault(name, (code, message))


def php_form(text: str) -> dict[str, Any]:
    """A form body as PHP's `$_POST` holds it: `billing[city]=X` nests, `a[]=1&a[]=2`
    lists, a repeated name keeps its last value; every value is a string."""
    root: dict[str, Any] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        match = _FORM_NAME.match(name)
        if match is None:
            continue
        keys = [match[1], *re.findall(r"\[([^\]]*)\]", match[2])]
        node = root
        for key in keys[:-1]:
            step = key or str(len(node))
            if not isinstance(node.get(step), dict):
                node[step] = {}
            node = node[step]
        node[keys[-1] or str(len(node))] = value
    return _lists(root)


def _lists(node: dict[str, Any]) -> dict[str, Any]:
    """Arrays numbered 0..n-1 become JSON lists, as WordPress sees them."""
    for key, value in node.items():
        if isinstance(value, dict):
            inner = _lists(value)
            numbered = list(inner) == [str(n) for n in range(len(inner))]
            node[key] = list(inner.values()) if inner and numbered else inner
    return node
