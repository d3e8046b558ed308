"""Checks of an order's or a return's input that need no backend: run first, so that a
request the worker would refuse later (or the ERP record wrongly) is refused at
acceptance, and a huge one costs nothing before it is.

- at most `[writes] max_lines` lines (TOO_MANY_LINES), before any product is looked up;
- free text (a note, a return's reason, each shipping address field) at most
  `max_note_chars` / `max_address_field_chars` long (TEXT_TOO_LONG), without control
  characters or lone surrogates, which the ERP's database cannot store (INVALID_TEXT);
- a shipping address's country in any common spelling, normalised to ISO 3166-1
  alpha-2 (UNKNOWN_COUNTRY), and its region to ISO 3166-2 within that country
  (UNKNOWN_REGION).
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import TYPE_CHECKING

from erp_backends.errors import UserErrorCode
from erp_backends.models import Address, AddressKind
from erp_backends.normalize.countries import parse_country, parse_region, region_country
from erp_backends.normalize.errors import NormalizationError
from resolvers.commands.accepting import writes_of
from resolvers.commands.types import UserError, user_error
from resolvers.context import Info

if TYPE_CHECKING:
    from resolvers.orders.placing import AddressInput

# The worker sends quantities to the ERP as floats: below a billion, 6 decimals still fit
# a float's 15 significant digits, so the ERP records what was accepted (and a "1e400"
# never becomes infinity on the way).
MAX_QUANTITY = Decimal(10) ** 9
MAX_QUANTITY_DECIMALS = 6

# The address fields as Python and GraphQL name them, in the input's order.
ADDRESS_FIELDS = (
    ("name", "name"),
    ("street", "street"),
    ("street2", "street2"),
    ("postal_code", "postalCode"),
    ("city", "city"),
    ("region", "region"),
    ("country_code", "countryCode"),
)
_LINE_BREAKS = frozenset("\t\n\r")


def valid_quantity(quantity: Decimal) -> bool:
    """More than 0, less than MAX_QUANTITY, at most 6 decimals."""
    return (
        quantity.is_finite()
        and 0 < quantity < MAX_QUANTITY
        and int(quantity.as_tuple().exponent) >= -MAX_QUANTITY_DECIMALS
    )


def invalid_quantity(sales_unit: str, path: str, index: int) -> UserError:
    message = (
        f"The quantity must be more than 0 and less than {MAX_QUANTITY:,} {sales_unit}, "
        f"with at most {MAX_QUANTITY_DECIMALS} decimals"
    )
    return user_error(UserErrorCode.INVALID_QUANTITY, message, path, index, "quantity")


def line_count_errors(info: Info, count: int, path: str = "lines") -> list[UserError]:
    """TOO_MANY_LINES past `[writes] max_lines`."""
    limit = writes_of(info).settings.max_lines
    if count <= limit:
        return []
    message = f"{count} lines; at most {limit} in one request: split it"
    return [user_error(UserErrorCode.TOO_MANY_LINES, message, path)]


def note_errors(info: Info, note: str | None, path: str) -> list[UserError]:
    """An order's note or a return's reason: line breaks and tabs allowed."""
    limit = writes_of(info).settings.max_note_chars
    return text_errors(note, limit, (path,), multiline=True)


def text_errors(
    text: str | None, limit: int, path: tuple[str, ...], *, multiline: bool = False
) -> list[UserError]:
    """TEXT_TOO_LONG past `limit` characters, INVALID_TEXT for a control character (a
    line break or tab too, unless `multiline`) or a lone surrogate."""
    if text is None:
        return []
    if len(text) > limit:
        message = f"{len(text)} characters; at most {limit}"
        return [user_error(UserErrorCode.TEXT_TOO_LONG, message, *path)]
    allowed = _LINE_BREAKS if multiline else frozenset()
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in allowed for c in text):
        kinds = "control characters" if multiline else "control characters or line breaks"
        return [user_error(UserErrorCode.INVALID_TEXT, f"The text holds {kinds}", *path)]
    return []


def checked_address(
    info: Info, address: AddressInput | None
) -> tuple[Address | None, list[UserError]]:
    """The shipping address with blank fields absent, its country as ISO 3166-1 alpha-2
    and its region as ISO 3166-2; or what is wrong with it, each error at its field."""
    if address is None:
        return None, []
    limit = writes_of(info).settings.max_address_field_chars
    values: dict[str, str | None] = {}
    errors: list[UserError] = []
    for attribute, name in ADDRESS_FIELDS:
        value = getattr(address, attribute)
        field_errors = text_errors(value, limit, ("shippingAddress", name))
        errors += field_errors
        values[attribute] = None if field_errors or value is None else value.strip() or None
    if errors:
        return None, errors
    place = _country_and_region(values["country_code"], values["region"])
    if isinstance(place, UserError):
        return None, [place]
    values["country_code"], values["region"] = place
    return Address(kind=AddressKind.SHIPPING, **values), []


def _country_and_region(
    country: str | None, region: str | None
) -> tuple[str | None, str | None] | UserError:
    if country is not None:
        try:
            country = parse_country(country)
        except NormalizationError as exc:
            message = f"{exc}: send an ISO 3166-1 code, e.g. US"
            return _address_error(UserErrorCode.UNKNOWN_COUNTRY, message, "countryCode")
    if region is None:
        return country, None
    country = country or region_country(region)
    if country is None:
        message = f"{region!r} names no subdivision: send its ISO 3166-2 code, or countryCode"
        return _address_error(UserErrorCode.UNKNOWN_REGION, message, "region")
    try:
        return country, parse_region(region, country)
    except NormalizationError as exc:
        return _address_error(UserErrorCode.UNKNOWN_REGION, str(exc), "region")


def _address_error(code: UserErrorCode, message: str, field: str) -> UserError:
    return user_error(code, message, "shippingAddress", field)
