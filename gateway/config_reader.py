"""Typed reads of one TOML table, with errors that name the file and the full key."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")
_MISSING = object()


class ConfigError(Exception):
    """The configuration is missing, unreadable or invalid; the message names the key."""


class Table:
    def __init__(self, data: dict[str, Any], *, source: str, path: str = "") -> None:
        self._data = data
        self._source = source
        self._path = path
        self._read: set[str] = set()

    def table(self, key: str, *, required: bool = False) -> Table:
        value = self._get(key, None if not required else _MISSING)
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise self.error(key, f"expected a table [{self._key(key)}], got {value!r}")
        return Table(value, source=self._source, path=self._key(key))

    def has(self, key: str) -> bool:
        return key in self._data

    def string(self, key: str, default: Any = _MISSING) -> str:
        value = self._get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"expected a non-empty string, got {value!r}")
        return value.strip()

    def optional_string(self, key: str) -> str | None:
        return None if self._get(key, None) is None else self.string(key)

    def string_list(self, key: str, default: list[str]) -> list[str]:
        value = self._get(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(key, f"expected a list of strings, got {value!r}")
        return value

    def choice(self, key: str, options: Sequence[str], default: Any = _MISSING) -> str:
        value = self.string(key, default)
        if value not in options:
            raise self.error(key, f"expected one of {', '.join(options)}, got {value!r}")
        return value

    def url(self, key: str) -> str:
        value = self.string(key)
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise self.error(key, f"expected an http:// or https:// URL, got {value!r}")
        return value.rstrip("/")

    def cache_url(self, key: str, default: str) -> str:
        value = self.string(key, default)
        parts = urlsplit(value)
        if value != "memory://" and parts.scheme not in ("redis", "rediss"):
            raise self.error(key, f"expected memory:// or redis://host:port/db, got {value!r}")
        if parts.password:
            raise self.error(key, "put no password in the file: name its variable in password_env")
        return value

    def names(self) -> list[str]:
        return list(self._data)

    def non_negative_number(self, key: str, default: float) -> float:
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.error(key, f"expected a number of 0 or more, got {value!r}")
        return self._finite(key, float(value), "of 0 or more")

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {value!r}")
        return value

    def positive_number(self, key: str, default: float) -> float:
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.error(key, f"expected a number greater than 0, got {value!r}")
        return self._finite(key, float(value), "greater than 0")

    def positive_int(self, key: str, default: int) -> int:
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self.error(key, f"expected a whole number greater than 0, got {value!r}")
        return value

    def whole_number(self, key: str, default: int) -> int:
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(key, f"expected a whole number of 0 or more, got {value!r}")
        return value

    def _finite(self, key: str, value: float, bound: str) -> float:
        """TOML has `inf` and `nan`: as a limit or a timeout either lets everything
        through (no comparison with nan is true), so neither is a setting."""
        if not math.isfinite(value):
            raise self.error(key, f"expected a finite number {bound}, got {value!r}")
        return value

    def parse(self, key: str, parser: Callable[[str], T]) -> T:
        text = self.string(key)
        try:
            return parser(text)
        except ValueError as exc:
            raise self.error(key, str(exc)) from None

    def reject_unknown(self) -> None:
        unknown = sorted(set(self._data) - self._read)
        if unknown:
            raise self.error(unknown[0], "unknown key (a typo, or a setting of a newer version?)")

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self._source}: {self._key(key)}: {problem}")

    def _get(self, key: str, default: Any) -> Any:
        self._read.add(key)
        if key in self._data:
            return self._data[key]
        if default is _MISSING:
            raise self.error(key, "missing (required)")
        return default

    def _key(self, key: str) -> str:
        return f"{self._path}.{key}" if self._path else key
