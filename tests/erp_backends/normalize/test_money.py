from decimal import Decimal

import pytest

from erp_backends.models import Money
from erp_backends.normalize import NormalizationError
from erp_backends.normalize.money import currency_code, money, to_decimal


def test_float_amounts_become_the_exact_decimal_they_print_as():
    assert to_decimal(1740.1, what="amount") == Decimal("1740.1")
    assert money(0.1 + 0.2, "EUR") == Money(Decimal("0.30"), "EUR")


def test_amounts_round_half_up_to_the_currency_minor_unit():
    assert money("2.675", "EUR").amount == Decimal("2.68")
    assert money(1234.5, "JPY").amount == Decimal("1235")
    assert money("1.2345", "KWD").amount == Decimal("1.235")


def test_currency_codes_are_checked_against_iso_4217():
    assert currency_code(" usd ") == "USD"
    with pytest.raises(NormalizationError, match="unknown ISO 4217 currency code 'EURO'"):
        money(1, "EURO")


@pytest.mark.parametrize("bad", [True, None, "12,50", float("nan"), float("inf"), [1]])
def test_non_numbers_are_rejected_with_the_field_named(bad):
    with pytest.raises(NormalizationError, match="amount_total: expected"):
        to_decimal(bad, what="amount_total")


def test_remembered_float_amounts_answer_as_a_fresh_conversion_would():
    for _ in range(2):  # the second round comes from the memo
        assert money(2.675, "eur") == Money(Decimal("2.68"), "EUR")  # 2.675 prints so
        assert money(1234.5, "JPY") == Money(Decimal("1235"), "JPY")
        assert str(money(-0.0, "EUR").amount) == "-0.00"
        assert str(money(0.0, "EUR").amount) == "0.00"
        with pytest.raises(NormalizationError, match="unknown ISO 4217 currency code 'EURO'"):
            money(12.5, "EURO")  # a refusal is never remembered as an answer


def test_remembered_text_amounts_answer_as_a_fresh_conversion_would():
    for _ in range(2):  # the second round comes from the memo
        assert money(" 12.5 ", "eur") == Money(Decimal("12.50"), "EUR")
        assert str(money("-0", "EUR").amount) == "-0.00"
        for what in ("price", "regular_price"):  # each refusal names its own field
            with pytest.raises(NormalizationError, match=f"{what}: expected a number"):
                money("12,50", "EUR", what=what)
        with pytest.raises(NormalizationError, match="unknown ISO 4217 currency code 'EURO'"):
            money("12.5", "EURO")
