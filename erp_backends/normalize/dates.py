"""Dates and datetimes on the wire: ISO 8601 out, each system's dialect in."""

from __future__ import annotations

from datetime import UTC, date, datetime

from erp_backends.normalize.errors import NormalizationError


def parse_date(value: str, *, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise NormalizationError(f"{what}: expected a date YYYY-MM-DD, got {value!r}") from None


def parse_utc_datetime(value: str, *, what: str) -> datetime:
    """A timezone-aware datetime from a naive UTC text ("2025-03-01 10:00:00", Odoo's way)
    or an ISO 8601 text with an offset."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise NormalizationError(
            f"{what}: expected a datetime YYYY-MM-DD HH:MM:SS, got {value!r}"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
