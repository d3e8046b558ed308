"""Global object identification: the `Node` interface and opaque global ids.

The codec (and why only canonical ids are read) is `gateway/global_ids.py`; this module
adds what resolvers need on top: `Node`, `strawberry.ID`s and typed lookups.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from gateway import global_ids
from gateway.global_ids import KEY_FORMS, decode_id, key_of
from resolvers.context import Info
from resolvers.errors import BadUserInput, NotFound

T = TypeVar("T")

__all__ = ["KEY_FORMS", "Node", "decode_id", "decode_id_of", "encode_id", "key_of", "load_by_id"]


@strawberry.interface(description="An object with a global id, fetchable with `node(id)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque and globally unique.")


def encode_id(type_name: str, key: str) -> strawberry.ID:
    return strawberry.ID(global_ids.encode_id(type_name, key))


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


async def load_by_id(
    info: Info, global_id: str, type_name: str, load: Callable[[Info, str], Awaitable[T | None]]
) -> T:
    """The object a global id names; NotFound when it names none, as for any unknown id."""
    key = decode_id_of(global_id, type_name)
    found = None if key is None else await load(info, key)
    if found is None:
        raise NotFound(f"No {type_name.lower()} with id {global_id!r}")
    return found
