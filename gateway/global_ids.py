"""Global ids: base64 of "<TypeName>:<key>", where the key is the canonical record's id.

Clients must treat an id as opaque; the type prefix lets `node(id)` find the type. Auth
reads the customer id in tokens and headers with the same codec as the schema, so it
lives below both.

An id is read only in the one form `encode_id` writes: URL-safe alphabet, padded, a
type that has ids, and the key as that type's records spell it. Any other spelling of a
record's id (leading zeros, a sign, no padding, the standard alphabet, a lowercase type)
names nothing, exactly like an id that was never issued: were it normalised, a client
could tell an existing record from a missing one by how an odd spelling of it fails.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re


# Every object of an answer carries its id, and the same records come back request
# after request (a catalogue page, a customer's orders): ids are remembered (bounded).
@functools.lru_cache(maxsize=16384)
def encode_id(type_name: str, key: str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode()


# Every Node is an ERP record, and the ERP numbers its records 1, 2, 3...: a key is a
# positive integer in decimal, without sign or leading zeros, as `str(int)` writes it.
_ERP_KEY = re.compile(r"[1-9][0-9]*")
KEY_FORMS: dict[str, re.Pattern[str]] = {
    "Customer": _ERP_KEY,
    "Order": _ERP_KEY,
    "Product": _ERP_KEY,
    "Invoice": _ERP_KEY,
    "Payment": _ERP_KEY,
}


def decode_id(global_id: str) -> tuple[str, str] | None:
    """(type name, key) of a global id in its canonical form; None for any other string,
    which names no object."""
    try:
        text = base64.urlsafe_b64decode(global_id.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        return None
    type_name, _, key = text.partition(":")
    form = KEY_FORMS.get(type_name)
    # Decoding is lenient (it skips stray characters, and takes either alphabet); only
    # the string `encode_id` gives back for what was read is the id itself.
    if form is None or not form.fullmatch(key) or encode_id(type_name, key) != global_id:
        return None
    return type_name, key


def key_of(global_id: str, type_name: str) -> str | None:
    """The key of a canonical id of a `type_name`; None for any other string."""
    decoded = decode_id(global_id)
    return decoded[1] if decoded is not None and decoded[0] == type_name else None
