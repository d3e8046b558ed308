"""Backends' JSON answers decode to what the standard library reads, or fail as it does."""

from __future__ import annotations

import json

import pytest

from erp_backends import wire_json

SAME_AS_JSON = [
    b'{"id": 7, "price": "9.50", "qty": 2.675, "ok": true, "none": null}',
    b'[{"a": 1, "a": 2}]',  # a repeated key: the last one, as json keeps it
    '{"name": "Caf\u00e9 \u2615"}'.encode(),
    b'{"escaped": "\\u00e9\\ud83d\\ude00"}',
    b"0.1",
    b"-9223372036854775808",
    b"18446744073709551615",
]


@pytest.mark.parametrize("body", SAME_AS_JSON)
def test_answers_decode_to_the_standard_librarys_values(body):
    assert wire_json.loads(body) == json.loads(body)


@pytest.mark.parametrize("body", SAME_AS_JSON)
def test_a_leading_byte_order_mark_is_skipped_as_json_skips_it(body):
    marked = b"\xef\xbb\xbf" + body
    assert wire_json.loads(marked) == json.loads(marked)


@pytest.mark.parametrize(
    "body",
    [b"", b"<!doctype html>", b'{"a": NaN}', b"Infinity", b'{"a": 1', b'"\xff"', b"\xef\xbb\xbf"],
)
def test_what_is_not_json_raises_value_error(body):
    with pytest.raises(ValueError, match="line 1 column"):  # where, as json says it
        wire_json.loads(body)
