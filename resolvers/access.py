"""Scopes guard fields: `@strawberry.field(extensions=requires(ORDERS_READ))`.

The guard runs before the resolver, so a field the principal may not read costs no
backend call. Its scopes show in the schema twice, for the two ways frontend teams read
it: a `@requiresScopes` directive in the SDL (schema.graphql) and a line in the field's
description (GraphiQL's docs).
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.schema_directive import Location
from strawberry.types.field import StrawberryField

from gateway.auth.principal import Principal
from gateway.auth.scopes import PAYMENTS_WRITE_IMPERSONATED
from resolvers.errors import Forbidden, Unauthenticated
from resolvers.execution.guards import RequestGuard


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="requiresScopes",
    description="The caller's token must carry every one of these scopes.",
)
class RequiresScopes:
    scopes: list[str]


def check_scopes(principal: Principal, scopes: tuple[str, ...], what: str) -> None:
    """Unauthenticated for a request without credentials, Forbidden naming the first
    missing scope otherwise."""
    missing = [scope for scope in scopes if not principal.has_scope(scope)]
    if not missing:
        return
    if principal.is_anonymous:
        raise Unauthenticated(
            f"{what} needs a token with the {missing[0]} scope: send Authorization: Bearer <token>"
        )
    raise Forbidden(f"{what} needs the {missing[0]} scope", requiredScope=missing[0])


class ScopeGuard(RequestGuard):
    def __init__(self, scopes: tuple[str, ...], *, when_impersonating: tuple[str, ...]) -> None:
        self.scopes = scopes
        self.when_impersonating = when_impersonating

    def apply(self, field: StrawberryField) -> None:
        # Fields are shared by every schema built in the process: mark them once.
        if any(isinstance(directive, RequiresScopes) for directive in field.directives):
            return
        field.directives.append(RequiresScopes(scopes=list(self.scopes)))
        note = "Requires scope: " + ", ".join(self.scopes) + "."
        if self.when_impersonating:
            note += " Acting as a customer also: " + ", ".join(self.when_impersonating) + "."
        field.description = f"{field.description}\n\n{note}" if field.description else note

    def check_request(self, context: Any, field_name: str) -> None:
        principal = context.principal
        check_scopes(principal, self.scopes, field_name)
        if principal.actor is not None:
            check_scopes(
                principal, self.when_impersonating, f"{field_name} while acting as a customer"
            )


def requires(*scopes: str, when_impersonating: tuple[str, ...] = ()) -> list[FieldExtension]:
    """The `extensions` of a `strawberry.field` that these scopes guard."""
    return [ScopeGuard(scopes, when_impersonating=when_impersonating)]


# Moving money in a customer's name while acting as them is a right of its own.
PAYING_AS_CUSTOMER = (PAYMENTS_WRITE_IMPERSONATED,)
