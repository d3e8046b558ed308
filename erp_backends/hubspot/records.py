"""Typed reads of HubSpot's CRM records.

HubSpot sends every property value as a string (numbers "1500.00", booleans "true",
datetimes "2026-10-12T14:03:22.518Z") or null when unset. `HubSpotRecord` turns them
into Python values and raises `BackendDataError` naming the object, record and property
when a value has another shape.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from erp_backends.errors import BackendDataError
from erp_backends.normalize import NormalizationError
from erp_backends.normalize.dates import parse_utc_datetime
from erp_backends.normalize.money import to_decimal

T = TypeVar("T")


class HubSpotRecord:
    __slots__ = ("backend", "id", "object_type", "properties")  # one per record read

    def __init__(self, object_type: str, raw: Any, *, backend: str) -> None:
        self.object_type = object_type
        self.backend = backend
        key = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(key, str) or not key:
            raise BackendDataError(
                f"HubSpot {object_type} record without an id: {str(raw)[:80]!r}", backend=backend
            )
        self.id = key
        properties = raw.get("properties")
        if not isinstance(properties, dict):
            raise self.bad("properties", f"expected an object, got {properties!r}")
        self.properties: dict[str, Any] = properties

    def text(self, name: str) -> str | None:
        """The property's value; None when it is unset, empty or not in the answer."""
        value = self.properties.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.bad(name, f"expected a string, got {value!r}")
        return value

    def required_text(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            raise self.bad(name, "is empty")
        return value

    def number(self, name: str) -> Decimal | None:
        value = self.text(name)
        if value is None:
            return None
        return self._translate(name, lambda: to_decimal(value, what=name))

    def flag(self, name: str) -> bool | None:
        value = self.text(name)
        if value is None:
            return None
        if value.lower() not in ("true", "false"):
            raise self.bad(name, f"expected 'true' or 'false', got {value!r}")
        return value.lower() == "true"

    def datetime(self, name: str) -> datetime | None:
        """A datetime property: ISO 8601 ("...Z"), or milliseconds since the epoch."""
        value = self.text(name)
        if value is None:
            return None
        if value.isdigit():
            return self._translate(name, lambda: datetime.fromtimestamp(int(value) / 1000, UTC))
        return self._translate(name, lambda: parse_utc_datetime(value, what=name))

    def date(self, name: str) -> date | None:
        """A date ("2026-12-15") or the UTC date of a datetime (HubSpot's `closedate`)."""
        value = self.text(name)
        if value is not None and len(value) == 10 and value[4] == "-":
            return self._translate(name, lambda: date.fromisoformat(value))
        moment = self.datetime(name)
        return None if moment is None else moment.date()

    def bad(self, name: str, problem: str) -> BackendDataError:
        return BackendDataError(
            f"HubSpot {self.object_type} {self.id}: property {name!r} {problem}",
            backend=self.backend,
        )

    def _translate(self, name: str, convert: Callable[[], T]) -> T:
        try:
            return convert()
        except (NormalizationError, ValueError, OverflowError, OSError) as exc:
            raise self.bad(name, str(exc)) from None
