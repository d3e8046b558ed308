"""Records read without display names (`load: None`): OdooRecord's reads of a many2one
as its bare id, and stock quants whose warehouses and units are named by reference."""

import re
from decimal import Decimal

import pytest

from erp_backends.errors import BackendDataError
from erp_backends.odoo.mapping import QuantNames, stock_levels
from erp_backends.odoo.records import OdooRecord


def line(**fields):
    return OdooRecord("sale.order.line", {"id": 7, **fields}, backend="erp")


def test_a_related_id_is_the_bare_id_or_none_for_false():
    assert line(product_id=42).related_id("product_id") == 42
    assert line(product_id=False).related_id("product_id") is None


def test_a_pair_sent_anyway_reads_as_its_id():
    assert line(order_id=[3, "S00003"]).required_related_id("order_id") == 3


@pytest.mark.parametrize("value", ["42", 4.2, True, [3], None])
def test_anything_else_is_a_data_error_naming_the_field(value):
    with pytest.raises(BackendDataError, match=r"sale\.order\.line 7: field 'product_id'"):
        line(product_id=value).related_id("product_id")


def test_a_required_relation_left_empty_is_a_data_error():
    with pytest.raises(BackendDataError, match="field 'order_id' is empty"):
        line(order_id=False).required_related_id("order_id")


# Stock quants read without display names: their warehouses and units named by reference.
NAMES = QuantNames(warehouse_codes={1: "WH"}, warehouses={1: "Main", 2: "Depot"}, units={5: "kg"})


def quant(**fields):
    row = {"product_id": 9, "warehouse_id": 1, "quantity": 2.0, "reserved_quantity": 0.5}
    return OdooRecord("stock.quant", {"id": 3, **row, "product_uom_id": 5, **fields}, backend="erp")


def test_quants_sum_per_warehouse_named_by_reference():
    level = stock_levels([quant(), quant(quantity=1.0), quant(warehouse_id=2)], NAMES)["9"]
    assert level.unit == "KGM"
    assert [(w.warehouse_code, w.warehouse_name) for w in level.warehouses] == [
        ("WH", "Main"),
        ("Depot", "Depot"),  # no code: its name stands in, as before
    ]
    assert [w.on_hand.value for w in level.warehouses] == [Decimal("3.0"), Decimal("2.0")]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"warehouse_id": 7}, "field 'warehouse_id' refers to record 7, which has no name"),
        ({"product_uom_id": 8}, "field 'product_uom_id' refers to unit of measure 8, which"),
        ({"product_id": [9, "[SKU] name"], "warehouse_id": "1"}, "field 'warehouse_id' expected"),
    ],
)
def test_a_quant_naming_what_the_references_do_not_know_is_a_data_error(fields, problem):
    with pytest.raises(BackendDataError, match=re.escape(f"Odoo stock.quant 3: {problem}")):
        stock_levels([quant(**fields)], NAMES)
