from decimal import Decimal

import pytest

from erp_backends.models import Quantity
from erp_backends.normalize import NormalizationError
from erp_backends.normalize.units import convert, unit_code, unit_name


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Units", "C62"),
        ("Dozens", "DZN"),
        ("kg", "KGM"),
        ("L", "LTR"),
        ("Hours", "HUR"),
        ("Nos", "C62"),
        ("dzn", "DZN"),
    ],
)
def test_system_unit_names_map_to_rec20_codes(name, code):
    assert unit_code(name) == code


def test_an_unknown_unit_name_is_rejected_by_name():
    with pytest.raises(NormalizationError, match="unknown unit of measure 'Pallets'"):
        unit_code("Pallets")


def test_conversion_within_a_dimension_is_exact():
    assert convert(Quantity(Decimal(2), "DZN"), "C62") == Quantity(Decimal(24), "C62")
    assert convert(Quantity(Decimal(250), "GRM"), "KGM") == Quantity(Decimal("0.25"), "KGM")


def test_conversion_across_dimensions_is_refused():
    with pytest.raises(NormalizationError, match="cannot convert kilogram \\(mass\\) to unit"):
        convert(Quantity(Decimal(1), "KGM"), "C62")


def test_unit_names_are_readable():
    assert unit_name("DZN") == "dozen"
