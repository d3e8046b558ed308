from datetime import UTC, date, datetime

import pytest

from erp_backends.normalize import NormalizationError
from erp_backends.normalize.countries import country_code, country_name, subdivision_code
from erp_backends.normalize.dates import parse_date, parse_utc_datetime


def test_country_codes_normalise_to_alpha_2():
    assert country_code("be") == "BE"
    assert country_code("DEU") == "DE"
    assert country_name("NL") == "Netherlands"


def test_unknown_countries_and_subdivisions_are_rejected():
    with pytest.raises(NormalizationError, match="unknown ISO 3166 country code 'XX'"):
        country_code("XX")
    with pytest.raises(NormalizationError, match="'US-ZZ'"):
        subdivision_code("US", "ZZ")
    assert subdivision_code("us", "ca") == "US-CA"


def test_odoo_datetimes_are_utc():
    assert parse_utc_datetime("2025-03-01 10:00:00", what="date_order") == datetime(
        2025, 3, 1, 10, tzinfo=UTC
    )
    assert parse_date("2025-03-01", what="invoice_date") == date(2025, 3, 1)


def test_malformed_dates_name_the_field():
    with pytest.raises(NormalizationError, match="invoice_date: expected a date"):
        parse_date("01/03/2025", what="invoice_date")
