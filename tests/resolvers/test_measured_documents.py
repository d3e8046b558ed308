"""The limits' passes over a document are kept with its cache entry, per page size
(`resolvers.limits.measured_documents`): a document sent again with the same `first`
is not measured again, and its cost is the one a fresh measure gives; another `first`
is measured anew, and a value that cannot key the memo is measured every time."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest

from resolvers.limits import operation_limits
from resolvers.limits.measure import DocumentMeasure, measure_document
from resolvers.limits.measured_documents import MAX_MEASURES, DocumentMeasures
from tests.harness import graphql

PAGE = """query Page($n: Int!) { products(first: $n) { nodes { sku stock {
    warehouses { onHand { value } } } } } }"""
COST = {"X-Query-Cost": "1"}


@pytest.fixture
def measured() -> Iterator[list[object]]:
    """The `first` of each measure the limits' pass takes."""
    seen: list[object] = []

    def counted(schema, document, operation, variables, model):
        seen.append((variables or {}).get("n"))
        return measure_document(schema, document, operation, variables, model)

    with mock.patch.object(operation_limits, "measure_document", counted):
        yield seen


def cost_of(gateway, query: str, n: object) -> int:
    return graphql(gateway, query, {"n": n}, headers=COST)["extensions"]["cost"]


def test_a_document_sent_again_with_the_same_page_is_measured_once(gateway, measured):
    query = PAGE.replace("sku", "sku name")  # a text no other test sends
    first = [cost_of(gateway, query, 7) for _ in range(3)]
    second = [cost_of(gateway, query, 9) for _ in range(2)]

    assert measured == [7, 9]
    assert first == [2 + 7 * (4 + 10 * 2)] * 3  # products, nodes; per node 4 and 10 x 2
    assert second == [2 + 9 * (4 + 10 * 2)] * 2


def test_a_page_size_that_cannot_key_the_memo_is_measured_every_time(gateway, measured):
    query = PAGE.replace("sku", "sku barcode")
    answers = [graphql(gateway, query, {"n": [7]}) for _ in range(2)]

    assert measured == [[7], [7]]
    assert all(a["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT" for a in answers), answers


def measure(cost: int, read: frozenset[str] = frozenset({"n"})) -> DocumentMeasure:
    return DocumentMeasure(cost=cost, deepest=1, most_aliases=0, variables_read=read)


def test_equal_values_of_other_types_are_other_keys():
    kept = DocumentMeasures()
    kept.put("Page", {"n": 1}, measure(1))
    assert kept.get("Page", {"n": 1}) == measure(1)
    assert kept.get("Page", {"n": True}) is None  # 1 == True in a dict
    assert kept.get("Page", {"n": 1.0}) is None
    assert kept.get("Page", {}) is None  # not given: the default applies
    assert kept.get("Other", {"n": 1}) is None  # another operation of the document


def test_variables_the_measure_did_not_read_do_not_split_the_memo():
    kept = DocumentMeasures()
    kept.put(None, {"n": 5, "id": "a"}, measure(5))
    assert kept.get(None, {"n": 5, "id": "b"}) == measure(5)


def test_a_document_keeps_a_bounded_number_of_measures():
    kept = DocumentMeasures()
    for n in range(MAX_MEASURES + 10):
        kept.put(None, {"n": n}, measure(n))
    assert kept.get(None, {"n": MAX_MEASURES - 1}) == measure(MAX_MEASURES - 1)
    assert kept.get(None, {"n": MAX_MEASURES}) is None
