"""Global object identification: the `Node` interface and opaque global ids.

A global id is base64 of "<TypeName>:<key>", where the key is the canonical record's
id. Clients must treat it as opaque; the type prefix lets `node(id)` find the type.
"""

from __future__ import annotations

import base64
import binascii
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


def decode_id(global_id: str) -> tuple[str, str]:
    """(type name, key) of a global id; BadUserInput when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(global_id.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    type_name, _, key = text.partition(":")
    if not (type_name.isidentifier() and key):
        raise BadUserInput(f"{global_id!r} is not a valid ID")
    return type_name, key


def decode_id_of(global_id: str, expected_type: str) -> str:
    """The key of a global id that must name an `expected_type`."""
    type_name, key = decode_id(global_id)
    if type_name != expected_type:
        raise BadUserInput(f"{global_id!r} is the ID of a {type_name}, not of a {expected_type}")
    return key


async def load_by_id(
    info: Info, global_id: str, type_name: str, load: Callable[[Info, str], Awaitable[T | None]]
) -> T:
    """The object a global id names; NotFound when it names none, as for any unknown id."""
    found = await load(info, decode_id_of(global_id, type_name))
    if found is None:
        raise NotFound(f"No {type_name.lower()} with id {global_id!r}")
    return found
