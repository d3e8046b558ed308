"""`UserErrorCode` as the GraphQL enum of `UserError.code`.

The enum is the bottom layer's (`erp_backends.errors`), which writers and resolvers
raise; its GraphQL names are its values, the strings clients have always seen. Each value
is described in the schema with the text the enum keeps next to it.
"""

from __future__ import annotations

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition

from erp_backends.errors import UserErrorCode

__all__ = ["UserErrorCode"]

strawberry.enum(
    UserErrorCode,
    name="UserErrorCode",
    description="Why a write was refused: stable, for code to branch on; `message` is for people.",
)


def _describe_values() -> None:
    # Strawberry reads value descriptions from `strawberry.enum_value(...)` in the class
    # body, which a StrEnum of erp_backends (no GraphQL there) cannot use: set them on the
    # definition `strawberry.enum` just made.
    definition: StrawberryEnumDefinition = UserErrorCode.__strawberry_definition__  # type: ignore[attr-defined]
    for value in definition.values:
        value.description = UserErrorCode[value.name].description


_describe_values()
