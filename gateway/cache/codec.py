"""Canonical records to JSON and back, exactly, without pickle.

A shared Redis must never be a path to code execution, so values are data only: JSON
built from the records' declared field types, and read back by those same types (the
decoder constructs nothing but the dataclasses, enums and scalars that the target type
names). Decimals travel as strings, dates and datetimes in ISO 8601, enums by value.

`MODEL_VERSION` fingerprints every record type's fields: a deploy that changes the
canonical model gets a new version, and so new cache keys, and never reads records of
an older shape. Should one reach it anyway, a field added since with a default (such as
`Product.sellable`) decodes as that default, and the record still reads.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin

from erp_backends import models
from erp_backends.paging import Page

T = TypeVar("T")


class CodecError(ValueError):
    """A cached value does not match the type it is read as."""


def dumps(value: object) -> str:
    return json.dumps(encode(value), separators=(",", ":"), sort_keys=True)


def loads(text: str | bytes, target: Any) -> Any:
    return decode(json.loads(text), target)


def encode(value: object) -> Any:
    """JSON-able data for a record, a page or a tuple of records."""
    return _encode(value)


def decode(data: Any, target: Any) -> Any:
    """The value of type `target` (a record class, `Page[Record]`, `tuple[Record, ...]`)."""
    try:
        return _decode(data, target)
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise CodecError(f"cached value is not a {target}: {exc}") from exc


def _encode(value: object) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode(data: Any, target: Any) -> Any:
    origin = get_origin(target)
    if origin in (Union, types.UnionType):
        members = get_args(target)
        if data is None and type(None) in members:
            return None
        (inner,) = [m for m in members if m is not type(None)]
        return _decode(data, inner)
    if origin is tuple:
        (item, _ellipsis) = get_args(target)
        return tuple(_decode(element, item) for element in _expect(data, list))
    if origin is Page:
        (item,) = get_args(target)
        fields = _expect(data, dict)
        items = tuple(_decode(element, item) for element in _expect(fields["items"], list))
        total = fields["total"]
        return Page(
            items,
            _expect(fields["offset"], int),
            None if total is None else _expect(total, int),
            _expect(fields.get("more", False), bool),  # absent in entries before `more`
        )
    return _scalar_or_record(data, target)


def _scalar_or_record(data: Any, target: Any) -> Any:
    if target is Decimal:
        return Decimal(_expect(data, str))
    if target is datetime:
        return datetime.fromisoformat(_expect(data, str))
    if target is date:
        return date.fromisoformat(_expect(data, str))
    if isinstance(target, type) and issubclass(target, Enum):
        return target(data)
    if target in (str, int, bool):
        return _expect(data, target)
    if isinstance(target, type) and dataclasses.is_dataclass(target):
        fields = _expect(data, dict)
        hints = _hints(target)
        # A field with a default may be absent: a record cached before the field was added.
        return target(
            **{name: _decode(fields[name], hint) for name, hint in hints.items() if name in fields}
        )
    raise TypeError(f"no decoding for {target!r}")


def _expect(value: Any, kind: type[T]) -> T:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
    return value


@cache
def _hints(record: type) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(record)}
    hints = typing.get_type_hints(record, vars(models))
    return {name: hint for name, hint in hints.items() if name in names}


def _fingerprint() -> str:
    records = sorted(
        (name, obj)
        for name, obj in vars(models).items()
        if isinstance(obj, type) and (dataclasses.is_dataclass(obj) or issubclass(obj, Enum))
    )
    shape = [
        (name, sorted((k, str(v)) for k, v in _hints(obj).items()))
        if dataclasses.is_dataclass(obj)
        else (name, sorted(str(member.value) for member in obj))
        for name, obj in records
    ]
    return hashlib.sha256(repr(shape).encode()).hexdigest()[:12]


MODEL_VERSION = _fingerprint()
