"""Tests of one raw value against a domain term's operator and value, with the
semantics of Odoo's SQL: `=`/`in` with `False` mean unset, negations match unset
values too, comparisons never do, and LIKE patterns use `%` and `_` wildcards.
"""

from __future__ import annotations

import operator as op
import re
from collections.abc import Callable
from typing import Any

Test = Callable[[Any], bool]

NEGATIONS = {"!=": "=", "not in": "in", "not like": "like", "not ilike": "ilike", "not any": "any"}
LIKE_OPERATORS = frozenset({"like", "ilike", "=like", "=ilike"})
_COMPARE = {">": op.gt, ">=": op.ge, "<": op.lt, "<=": op.le}
_NUMERIC = frozenset({"integer", "float", "monetary"})


class DomainError(ValueError):
    """A domain that is not well formed; the message names the offending part."""


def value_test(operator: str, value: Any, field_type: str) -> Test:
    """A test of one raw value (None when unset) for a term's operator and value."""
    if operator in NEGATIONS:
        positive = value_test(NEGATIONS[operator], value, field_type)
        return lambda v: not positive(v)
    if operator == "=":
        return _equals(value, field_type)
    if operator == "in":
        return _member(value, field_type)
    if operator in _COMPARE:
        if value is False or value is None:
            return lambda _v: False
        compare, target = _COMPARE[operator], _coerce(value, field_type)
        return lambda v: v is not None and compare(v, target)
    if operator in LIKE_OPERATORS:
        regex = like_regex(operator, value)
        return lambda v: v is not None and v is not False and regex.fullmatch(str(v)) is not None
    raise DomainError(f"Operator {operator!r} cannot be used on a {field_type} field")


def _member(values: Any, field_type: str) -> Test:
    if field_type == "boolean":
        allowed = {bool(item) for item in values}
        return lambda v: bool(v) in allowed
    # A set, not a chain of tests: adapters send "id in [500 ids]".
    unset = any(item is False or item is None for item in values)
    targets = {
        _coerce(item, field_type) for item in values if item is not False and item is not None
    }
    return lambda v: unset if v is None else v in targets


def _equals(value: Any, field_type: str) -> Test:
    if field_type == "boolean":
        expected = bool(value)
        return lambda v: bool(v) == expected
    if value is False or value is None:
        return lambda v: v is None
    target = _coerce(value, field_type)
    return lambda v: v == target


def _coerce(value: Any, field_type: str) -> Any:
    if field_type in _NUMERIC:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        try:
            return float(value)
        except (TypeError, ValueError):
            raise DomainError(f"Invalid value {value!r} for a {field_type} field") from None
    if field_type == "datetime" and isinstance(value, str) and len(value) == 10:
        return value + " 00:00:00"  # a date compared with a datetime means midnight
    return value if isinstance(value, str) else str(value)


def like_regex(operator: str, value: Any) -> re.Pattern[str]:
    """SQL LIKE as a regex: `%` any run, `_` one character; like/ilike add `%` around."""
    pattern = str(value)
    if operator in ("like", "ilike"):
        pattern = f"%{pattern}%"
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    flags = re.DOTALL | (re.IGNORECASE if "ilike" in operator else 0)
    return re.compile(regex, flags)
