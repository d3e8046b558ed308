"""Stock as the schema shows it: totals and per-warehouse figures from a stock level."""

from decimal import Decimal

from erp_backends import models
from resolvers.products.types import Stock


def quantity(value: str) -> models.Quantity:
    return models.Quantity(Decimal(value), "DZN")


def test_totals_sum_the_warehouses_and_available_is_on_hand_minus_reserved():
    level = models.StockLevel(
        "7",
        "DZN",
        (
            models.WarehouseStock("WH", "San Francisco", quantity("12.5"), quantity("2.25")),
            models.WarehouseStock("CHI", "Chicago", quantity("0.0"), quantity("1.0")),
        ),
    )

    stock = Stock.of(level)

    assert (stock.on_hand.value, stock.reserved.value) == (
        level.on_hand.value,
        level.reserved.value,
    )
    assert stock.available.value == level.available.value == Decimal("9.25")
    assert {stock.on_hand.unit, stock.available.unit_name()} == {"DZN", "dozen"}
    assert [w.available.value for w in stock.warehouses()] == [Decimal("10.25"), Decimal("-1.0")]
    assert [w.warehouse.code for w in stock.warehouses()] == ["WH", "CHI"]


def test_a_level_without_warehouses_is_zero_everywhere():
    stock = Stock.of(models.StockLevel("7", "C62", ()))

    assert stock.on_hand.value == stock.reserved.value == stock.available.value == 0
    assert stock.warehouses() == []
