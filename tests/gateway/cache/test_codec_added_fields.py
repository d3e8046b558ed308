"""A record cached before a field was added to its type still reads, the field taking
its default; a field without one is still required."""

import json
from decimal import Decimal

import pytest

from erp_backends.models import Money, Product
from gateway.cache.codec import CodecError, dumps, loads

PACK = Product("7", "PACK-0001", "Carton", None, Money(Decimal("1.50"), "EUR"), "C62", True)


def without(record: object, name: str) -> str:
    data = json.loads(dumps(record))
    del data[name]
    return json.dumps(data)


def test_a_product_cached_before_sellable_reads_as_sellable():
    assert loads(without(PACK, "sellable"), Product) == PACK
    assert PACK.sellable


def test_an_unsellable_product_round_trips():
    archived = Product("8", None, "Old", None, PACK.list_price, "C62", False, sellable=False)
    assert loads(dumps(archived), Product) == archived


def test_a_field_without_a_default_is_still_required():
    with pytest.raises(CodecError):
        loads(without(PACK, "sales_unit"), Product)
