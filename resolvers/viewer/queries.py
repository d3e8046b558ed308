"""`Query.viewer`: who the request runs as, and for a customer, the customer itself.

The entry point for apps: a customer's app asks `viewer { customer { orders } }` and
never needs to know its own id.
"""

from __future__ import annotations

import strawberry

from gateway.auth.principal import Principal
from gateway.auth.scopes import CUSTOMERS_READ
from gateway.cache.response_reads import not_cacheable
from resolvers.access import requires
from resolvers.context import Info
from resolvers.customers.types import Customer, load_customer
from resolvers.errors import NotFound


@strawberry.type(description="A staff member acting as a customer.")
class Actor:
    subject: str


def _subject(root: Viewer) -> str:
    # Not part of the response cache's key (several users may share a customer's
    # visibility), so an answer that names it is not kept.
    not_cacheable("viewer.subject")
    return root.principal.subject


@strawberry.type(description="Who the request runs as.")
class Viewer:
    subject: str = strawberry.field(
        resolver=_subject, description="The token's subject; `anonymous` without one."
    )
    kind: str = strawberry.field(
        description="customer, staff, partner, service, or anonymous without credentials."
    )
    scopes: list[str]
    actor: Actor | None = strawberry.field(
        description="The staff member behind the request while they act as a customer."
    )
    principal: strawberry.Private[Principal]

    @strawberry.field(
        description="The customer the request runs as; null for staff, partners and "
        "services not bound to one customer.",
        extensions=requires(CUSTOMERS_READ),
    )
    async def customer(self, info: Info) -> Customer | None:
        key = self.principal.customer_key
        if key is None:
            return None
        found = await load_customer(info, key)
        if found is None:  # a token for a customer the ERP no longer has
            raise NotFound(f"No customer with id {self.principal.customer_id!r}")
        return found


@strawberry.type
class ViewerQueries:
    @strawberry.field(description="Who the request runs as. Needs no scope.")
    def viewer(self, info: Info) -> Viewer:
        principal = info.context.principal
        actor = principal.actor
        return Viewer(
            kind=principal.kind.value,
            scopes=sorted(principal.scopes),
            actor=None if actor is None else Actor(subject=actor.subject),
            principal=principal,
        )
