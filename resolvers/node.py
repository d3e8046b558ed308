"""Global object identification: the `Node` interface and opaque global ids.

A global id is base64 of "<TypeName>:<key>", where the key is the canonical record's
id. Clients must treat it as opaque; the type prefix lets `node(id)` find the type.

An id is read only in the one form `encode_id` writes: URL-safe alphabet, padded, a
type that has ids, and the key as that type's records spell it. Any other spelling of a
record's id (leading zeros, a sign, no padding, the standard alphabet, a lowercase type)
names nothing, exactly like an id that was never issued: were it normalised, a client
could tell an existing record from a missing one by how an odd spelling of it fails.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from resolvers.context import Info
from resolvers.errors import BadUserInput, NotFound

T = TypeVar("T")


@strawberry.interface(description="An object with a global id, fetchable with `node(id)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque and globally unique.")


def encode_id(type_name: str, key: str) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode())


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


def decode_id_of(global_id: str, expected_type: str) -> str | None:
    """The key of a global id that must name an `expected_type`; None when it names
    nothing, which callers answer as for a record that does not exist."""
    decoded = decode_id(global_id)
    if decoded is None:
        return None
    type_name, key = decoded
    if type_name != expected_type:
        # Says nothing about any record: whose id it is can be read off any id.
        raise BadUserInput(f"{global_id!r} is the ID of a {type_name}, not of a {expected_type}")
    return key


def key_of(global_id: str, type_name: str) -> str | None:
    """The key of a canonical id of a `type_name`; None for any other string."""
    decoded = decode_id(global_id)
    return decoded[1] if decoded is not None and decoded[0] == type_name else None


async def load_by_id(
    info: Info, global_id: str, type_name: str, load: Callable[[Info, str], Awaitable[T | None]]
) -> T:
    """The object a global id names; NotFound when it names none, as for any unknown id."""
    key = decode_id_of(global_id, type_name)
    found = None if key is None else await load(info, key)
    if found is None:
        raise NotFound(f"No {type_name.lower()} with id {global_id!r}")
    return found
