"""OdooRecord's reads of a many2one sent without its display name (`load: None`)."""

import pytest

from erp_backends.errors import BackendDataError
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
