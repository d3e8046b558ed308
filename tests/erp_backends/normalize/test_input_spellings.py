"""Countries, regions and currencies as clients spell them, read into ISO codes; and
amounts measured against their currency's minor unit."""

from decimal import Decimal

import pytest

from erp_backends.normalize import NormalizationError
from erp_backends.normalize.countries import parse_country, parse_region, region_country
from erp_backends.normalize.money import decimals, minor_units, payment_currency

US_SPELLINGS = ["US", "us", " us ", "USA", "usa", "U.S.A.", "U.S.", "840", "United States"]


@pytest.mark.parametrize("spelling", [*US_SPELLINGS, "united states of america", "America"])
def test_the_united_states_in_any_common_spelling_is_us(spelling):
    assert parse_country(spelling) == "US"


@pytest.mark.parametrize(
    ("spelling", "alpha_2"),
    [
        ("DE", "DE"),
        ("DEU", "DE"),
        ("276", "DE"),
        ("Germany", "DE"),
        ("Deutschland", "DE"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("40", "AT"),  # numeric codes are three digits: "040"
        ("Österreich", "AT"),
        ("Côte d'Ivoire", "CI"),
        ("cote d'ivoire", "CI"),
        ("Curacao", "CW"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
    ],
)
def test_other_countries_by_code_name_or_usual_name(spelling, alpha_2):
    assert parse_country(spelling) == alpha_2


@pytest.mark.parametrize("spelling", ["XX", "EU", "", "  ", "Atlantis", "999", "U S A A", "Korea"])
def test_unknown_or_ambiguous_countries_are_refused_not_guessed(spelling):
    with pytest.raises(NormalizationError, match="unknown country"):
        parse_country(spelling)


@pytest.mark.parametrize(
    ("spelling", "country", "code"),
    [
        ("US-CA", "US", "US-CA"),
        ("us-ca", "US", "US-CA"),
        ("CA", "US", "US-CA"),
        ("California", "US", "US-CA"),
        ("BY", "DE", "DE-BY"),
        ("Baden-Wurttemberg", "DE", "DE-BW"),
    ],
)
def test_regions_read_as_iso_3166_2_within_their_country(spelling, country, code):
    assert parse_region(spelling, country) == code


def test_a_region_of_another_country_is_refused():
    with pytest.raises(NormalizationError, match="'DE-BY' is no ISO 3166-2 subdivision of US"):
        parse_region("DE-BY", "US")
    with pytest.raises(NormalizationError):
        parse_region("ZZ", "FR")


def test_a_full_region_code_names_its_country():
    assert region_country("us-ca") == "US"
    assert region_country("CA") is None


def test_payment_currencies_are_iso_4217_money():
    assert payment_currency(" eur ") == "EUR"
    assert payment_currency("JPY") == "JPY"
    for code in ("EURO", "", "XAU", "XXX", "XTS"):
        with pytest.raises(NormalizationError):
            payment_currency(code)


def test_minor_units_per_currency():
    assert [minor_units(c) for c in ("EUR", "USD", "JPY", "KWD", "CLF")] == [2, 2, 0, 3, 4]


@pytest.mark.parametrize(
    ("amount", "places"),
    [
        ("10", 0),
        ("10.5", 1),
        ("10.50", 1),
        ("10.500", 1),  # trailing zeros are no finer than cents
        ("0.001", 3),
        ("5E+2", 0),
        ("0.000", 0),
        ("1.00000000000000000000000000001", 29),  # beyond the context's 28 digits
    ],
)
def test_decimals_an_amount_needs(amount, places):
    assert decimals(Decimal(amount)) == places
