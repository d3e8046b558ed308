"""Money: ISO 4217 currencies and exact decimal amounts.

Backends send amounts as JSON floats (Odoo), strings (WooCommerce, SAP) or integers of
minor units (Stripe-style). All become `Decimal`, rounded half-up to the currency's
minor unit, never a float.
"""

from __future__ import annotations

import functools
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pycountry

from erp_backends.models import Money
from erp_backends.normalize.errors import NormalizationError

# ISO 4217 minor units that are not 2. pycountry has the codes but not the exponents.
_MINOR_UNITS = {
    **dict.fromkeys(
        "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0
    ),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
    **dict.fromkeys("CLF UYW".split(), 4),
}
# ISO 4217 codes with no minor unit ("N.A."): precious metals, SDRs, bond-market units,
# the testing code and "no currency". Nothing is paid in them.
_NOT_MONEY = frozenset("XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA XXX".split())


# Every amount a backend sends is checked against its currency: a memo spares pycountry's
# lookup per amount (a backend uses a handful of codes; bounded all the same).
@functools.lru_cache(maxsize=1024)
def currency_code(code: str) -> str:
    cleaned = code.strip().upper()
    if pycountry.currencies.get(alpha_3=cleaned) is None:
        raise NormalizationError(f"unknown ISO 4217 currency code {code!r}")
    return cleaned


def payment_currency(code: str) -> str:
    """An ISO 4217 code of money one pays in ("eur" -> "EUR"); not gold nor XXX."""
    cleaned = currency_code(code)
    if cleaned in _NOT_MONEY:
        raise NormalizationError(f"{cleaned} is an ISO 4217 code of no money one pays in")
    return cleaned


def minor_units(currency: str) -> int:
    return _MINOR_UNITS.get(currency, 2)


def decimals(amount: Decimal) -> int:
    """How many decimals a finite amount needs, trailing zeros aside: 1.10 -> 1, 5E+2 -> 0."""
    _sign, digits, exponent = amount.as_tuple()
    if not any(digits):
        return 0
    significant = "".join(map(str, digits)).rstrip("0")
    return max(0, -(int(exponent) + len(digits) - len(significant)))


def to_decimal(value: object, *, what: str) -> Decimal:
    """An exact Decimal from a JSON number or numeric string; floats go through repr.

    repr gives the shortest string that round-trips, so 1740.1 becomes Decimal("1740.1")
    rather than 1740.09999999999990905052982270717620849609375.
    """
    if type(value) is float and math.isfinite(value):  # Odoo's amounts: the common case
        # Zero is left out of the memo: 0.0 and -0.0 are one key, but not one Decimal.
        return _decimal_of_float(value) if value else Decimal(repr(value))
    if isinstance(value, bool):
        raise NormalizationError(f"{what}: expected a number, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise NormalizationError(f"{what}: expected a finite number, got {value!r}")
    if isinstance(value, int | float | str):
        try:
            return Decimal(repr(value) if isinstance(value, float) else str(value).strip())
        except InvalidOperation:
            pass
    raise NormalizationError(f"{what}: expected a number, got {value!r}")


# A list of order lines or stock quants repeats the same quantities and prices, and so
# do the requests after it: the conversion of a float is kept (bounded).
@functools.lru_cache(maxsize=8192)
def _decimal_of_float(value: float) -> Decimal:
    return Decimal(repr(value))


def money(amount: object, currency: str, *, what: str = "amount") -> Money:
    # Zero is left out of the memo: 0.0 and -0.0 are one key, but not one Decimal.
    if type(amount) is float and math.isfinite(amount) and amount:
        return _money_of_float(amount, currency, what)
    if type(amount) is str:
        return _money_of_text(amount, currency, what)
    return _exact_money(amount, currency, what)


def _exact_money(amount: object, currency: str, what: str) -> Money:
    code = currency_code(currency)
    exact = to_decimal(amount, what=what).quantize(_smallest(code), rounding=ROUND_HALF_UP)
    return Money(exact, code)


# A list of products or order lines repeats the same prices, and so do the requests
# after it: the exact conversion of an amount is kept (bounded), for a float (Odoo's)
# and for a text (WooCommerce's, HubSpot's), in a memo per type (1.0 and True are one
# key). A refusal raises each time: an exception is not kept.
_money_of_float = functools.lru_cache(maxsize=8192)(_exact_money)
_money_of_text = functools.lru_cache(maxsize=8192)(_exact_money)


@functools.lru_cache(maxsize=1024)
def _smallest(currency: str) -> Decimal:
    """The currency's minor unit as an amount (0.01 for EUR), to round amounts to."""
    return Decimal(1).scaleb(-minor_units(currency))
