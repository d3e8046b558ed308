"""Units of measure as UN/ECE Recommendation 20 codes, and conversion between them.

Each system names units its own way (Odoo "Units", "Dozens", "kg"; ERPNext "Nos",
"Kg"; WooCommerce none at all). `unit_code` maps those names to one code, `parse_unit`
also reads packagings ("Pack of 12": 12 units); `convert`
changes a quantity's unit within a dimension (count, mass, volume, length, time) and
refuses to convert across dimensions or into units it does not know.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from erp_backends.models import Quantity
from erp_backends.normalize.errors import NormalizationError


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name: str
    dimension: str
    factor: Decimal  # how many of the dimension's base unit one of this unit is


def _unit(code: str, name: str, dimension: str, factor: str) -> Unit:
    return Unit(code, name, dimension, Decimal(factor))


UNITS: dict[str, Unit] = {
    u.code: u
    for u in (
        _unit("C62", "unit", "count", "1"),
        _unit("PR", "pair", "count", "2"),
        _unit("DZN", "dozen", "count", "12"),
        _unit("KGM", "kilogram", "mass", "1"),
        _unit("GRM", "gram", "mass", "0.001"),
        _unit("TNE", "tonne", "mass", "1000"),
        _unit("LBR", "pound", "mass", "0.45359237"),
        _unit("ONZ", "ounce", "mass", "0.028349523125"),
        _unit("LTR", "litre", "volume", "1"),
        _unit("MLT", "millilitre", "volume", "0.001"),
        _unit("MTQ", "cubic metre", "volume", "1000"),
        _unit("MTR", "metre", "length", "1"),
        _unit("CMT", "centimetre", "length", "0.01"),
        _unit("MMT", "millimetre", "length", "0.001"),
        _unit("KMT", "kilometre", "length", "1000"),
        _unit("HUR", "hour", "time", "1"),
        _unit("DAY", "day", "time", "24"),
    )
}

# Names systems use for these units, lower-cased. Codes themselves are accepted too.
_ALIASES = {
    alias: code
    for code, aliases in {
        "C62": "units unit unit(s) nos pcs piece pieces each ea",
        "PR": "pair pairs",
        "DZN": "dozens dozen",
        "KGM": "kg",
        "GRM": "g",
        "TNE": "t",
        "LBR": "lb lbs",
        "ONZ": "oz",
        "LTR": "l liter litre",
        "MLT": "ml",
        "MTQ": "m³ m3",
        "MTR": "m",
        "CMT": "cm",
        "MMT": "mm",
        "KMT": "km",
        "HUR": "hours hour h",
        "DAY": "days day",
    }.items()
    for alias in aliases.split()
}


@functools.lru_cache(maxsize=512)  # a system names its units the same way every time
def unit_code(name: str) -> str:
    """The Rec 20 code for a unit named by a system, e.g. "Dozens" -> "DZN"."""
    cleaned = name.strip()
    if cleaned.upper() in UNITS:
        return cleaned.upper()
    code = _ALIASES.get(cleaned.lower())
    if code is None:
        raise NormalizationError(f"unknown unit of measure {name!r}")
    return code


_PACKAGING = re.compile(
    r"^(?:pack|box|case|carton|bag|crate|set|bundle)(?:e?s)?\s+of\s+(\d+(?:\.\d+)?)(?:\s+(.+))?$",
    re.IGNORECASE,
)


def parse_unit(text: str) -> tuple[str, Decimal]:
    """A unit as a code and how many of it one counts: "Pack of 12" -> ("C62", 12),
    "box of 6 kg" -> ("KGM", 6), "Dozens" -> ("DZN", 1). Unknown units are refused."""
    cleaned = " ".join(text.split())
    match = _PACKAGING.match(cleaned)
    if match is None:
        return unit_code(cleaned), Decimal(1)
    count, inner = Decimal(match.group(1)), match.group(2)
    if count <= 0:
        raise NormalizationError(f"unknown unit of measure {text!r}: an empty packaging")
    return (unit_code(inner) if inner else "C62"), count


def unit_name(code: str) -> str:
    return _known(code).name


def convert(quantity: Quantity, to_unit: str) -> Quantity:
    """The same amount in another unit of the same dimension ("1 DZN" -> "12 C62"); the
    quantity itself when it is in that unit already (even one this table does not know:
    an ERP's own unit needs no conversion to itself)."""
    if quantity.unit == to_unit:
        return quantity
    source, target = _known(quantity.unit), _known(to_unit)
    if source.dimension != target.dimension:
        raise NormalizationError(
            f"cannot convert {source.name} ({source.dimension}) to {target.name} "
            f"({target.dimension})"
        )
    return Quantity(quantity.value * source.factor / target.factor, target.code)


def _known(code: str) -> Unit:
    unit = UNITS.get(code)
    if unit is None:
        raise NormalizationError(f"unknown unit of measure code {code!r}")
    return unit
