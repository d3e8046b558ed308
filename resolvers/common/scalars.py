"""A stricter `Decimal` than strawberry's, for amounts and quantities clients send.

Strawberry's parses anything `decimal.Decimal` does: "NaN", "Infinity", "1e999999" and
a number of 5,000 digits all get through to resolvers, where comparing a NaN raises.
Here a Decimal is a plain fixed-point number, as the schema documents it: an optional
minus, digits, an optional fraction, at most `MAX_DIGITS` digits in all; a JSON number
is taken when it reads as one.
"""

from __future__ import annotations

import re
from decimal import Decimal

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.types.scalar import ScalarDefinition

MAX_DIGITS = 30  # no amount or quantity of an ERP comes near this
_FIXED_POINT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def parse_decimal(value: object) -> Decimal:
    text = value if isinstance(value, str) else _number_text(value)
    if text is None or not _FIXED_POINT.fullmatch(text):
        raise StrawberryInputCoercionError(
            f'Decimal expects a number written like "12" or "2.5", got {_shown(value)}'
        )
    if sum(c.isdigit() for c in text) > MAX_DIGITS:
        raise StrawberryInputCoercionError(f"Decimal takes at most {MAX_DIGITS} digits")
    return Decimal(text)


def _number_text(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return str(value)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


STRICT_DECIMAL = ScalarDefinition(
    name="Decimal",
    description='A fixed-point decimal number as a string, e.g. "1740.10".',
    specified_by_url=None,
    serialize=str,
    parse_value=parse_decimal,
    parse_literal=None,
    origin=Decimal,
)
