"""Typed reads of Odoo's wire records.

Odoo sends `false` for every unset value, many2one fields as `[id, "display name"]` and
x2many fields as lists of ids. `OdooRecord` turns those into Python values and raises
`BackendDataError` naming the model, record and field when a value has another shape,
so a surprise from a different Odoo version is a clear error, not a crash further up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from erp_backends.errors import BackendDataError
from erp_backends.normalize import NormalizationError
from erp_backends.normalize.dates import parse_date, parse_utc_datetime
from erp_backends.normalize.money import to_decimal

T = TypeVar("T")


class OdooRecord:
    # One per record of every answer (a list of 50 orders reads 167 lines): slots spare
    # each a dict, and the garbage collector an object to walk.
    __slots__ = ("backend", "id", "model", "raw")

    def __init__(self, model: str, raw: dict[str, Any], *, backend: str) -> None:
        self.model = model
        self.raw = raw
        self.backend = backend
        self.id = self._id()

    def text(self, name: str) -> str:
        value = self.optional_text(name)
        if value is None:
            raise self.bad(name, "is empty")
        return value

    # The accessors below test exact types (`type(v) is str`), not isinstance: JSON
    # decodes to exact types, and a record's fields are read for every item of every
    # list, where isinstance's extra cost shows in the profile.
    def optional_text(self, name: str) -> str | None:
        value = self._get(name)
        if type(value) is str:
            return value or None
        if value is False:
            return None
        raise self.bad(name, f"expected text, got {value!r}")

    def boolean(self, name: str) -> bool:
        value = self._get(name)
        if value is True or value is False:
            return value
        raise self.bad(name, f"expected true or false, got {value!r}")

    def number(self, name: str) -> Decimal:
        # `translate` written out: numbers are most of what a record holds.
        try:
            return to_decimal(self._get(name), what=name)
        except NormalizationError as exc:
            raise self.bad(name, str(exc)) from None

    def many2one_id(self, name: str) -> int | None:
        pair = self._many2one(name)
        return None if pair is None else pair[0]

    def many2one_name(self, name: str) -> str | None:
        pair = self._many2one(name)
        return None if pair is None else pair[1]

    def required_many2one(self, name: str) -> tuple[int, str]:
        pair = self._many2one(name)
        if pair is None:
            raise self.bad(name, "is empty")
        return pair

    # A many2one read without its display name (`web_search_read` without `fields` for
    # it, or `read(load=None)`): the related record's id, or false. The `[id, name]`
    # pair, from a server that sent the names anyway, reads as its id.
    def related_id(self, name: str) -> int | None:
        value = self._get(name)
        if type(value) is int:
            return value
        if value is False:
            return None
        pair = self._many2one(name)
        return None if pair is None else pair[0]

    def required_related_id(self, name: str) -> int:
        value = self.related_id(name)
        if value is None:
            raise self.bad(name, "is empty")
        return value

    def ids(self, name: str) -> tuple[int, ...]:
        value = self._get(name)
        if not isinstance(value, list) or not all(_is_int(v) for v in value):
            raise self.bad(name, f"expected a list of ids, got {value!r}")
        return tuple(value)

    def optional_date(self, name: str) -> date | None:
        value = self.optional_text(name)
        return None if value is None else self.translate(name, lambda v: parse_date(v, what=name))

    def datetime(self, name: str) -> datetime:
        return self.translate(name, lambda v: parse_utc_datetime(v, what=name))

    def translate(self, name: str, convert: Callable[[Any], T]) -> T:
        """`convert(value)`, with a NormalizationError reported against this field."""
        try:
            return convert(self._get(name))
        except NormalizationError as exc:
            raise self.bad(name, str(exc)) from None

    def bad(self, name: str, problem: str) -> BackendDataError:
        return BackendDataError(
            f"Odoo {self.model} {self.id}: field {name!r} {problem}", backend=self.backend
        )

    def _many2one(self, name: str) -> tuple[int, str] | None:
        value = self._get(name)
        if type(value) is list and len(value) == 2:
            key, display_name = value
            if type(key) is int and type(display_name) is str:
                return key, display_name
        if value is False:
            return None
        raise self.bad(name, f"expected [id, name] or false, got {value!r}")

    def _get(self, name: str) -> Any:
        try:
            return self.raw[name]
        except KeyError:
            raise self.bad(name, "is missing from the answer") from None

    def _id(self) -> int:
        value = self.raw.get("id")
        if not _is_int(value):
            raise BackendDataError(
                f"Odoo {self.model} record without an integer id: {str(self.raw)[:80]}",
                backend=self.backend,
            )
        return int(value)  # type: ignore[arg-type]


def odoo_key(key: str) -> int | None:
    """The Odoo id that a gateway key names, None when it names none. Keys are written
    `str(id)`, so only that spelling is read: "04990" read as 4990 would be answered
    under "4990", a key the caller did not ask for (the cache fails on such an answer)."""
    return int(key) if key.isascii() and key.isdigit() and not key.startswith("0") else None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
