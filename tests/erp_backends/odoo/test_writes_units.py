"""Units as commands name them: packagings ("Pack of 12") as a count of a unit.

(`erp_backends.normalize.units.parse_unit`; kept here with the write side that needs it.)
"""

from decimal import Decimal

import pytest

from erp_backends.normalize import NormalizationError
from erp_backends.normalize.units import parse_unit


@pytest.mark.parametrize(
    ("text", "code", "count"),
    [
        ("Pack of 12", "C62", 12),
        ("pack of 12", "C62", 12),
        ("box of 6", "C62", 6),
        ("case of 24", "C62", 24),
        ("Boxes of 6 kg", "KGM", 6),
        (" Case  of  24 ", "C62", 24),
    ],
)
def test_packagings_are_a_count_of_a_unit(text, code, count):
    assert parse_unit(text) == (code, Decimal(count))


@pytest.mark.parametrize(
    ("text", "code"), [("Units", "C62"), ("Dozens", "DZN"), ("kg", "KGM"), ("HUR", "HUR")]
)
def test_plain_names_and_codes_are_one_of_their_unit(text, code):
    assert parse_unit(text) == (code, Decimal(1))


@pytest.mark.parametrize(
    ("text", "named"), [("Pallets", "'Pallets'"), ("crate of 4 pallets", "'pallets'")]
)
def test_an_unknown_unit_is_refused_by_name(text, named):
    with pytest.raises(NormalizationError, match=f"unknown unit of measure {named}"):
        parse_unit(text)


def test_an_empty_packaging_is_refused():
    with pytest.raises(NormalizationError, match="pack of 0"):
        parse_unit("pack of 0")
