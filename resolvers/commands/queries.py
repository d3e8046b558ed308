"""`Query.command(id)`: how an accepted write stands."""

from __future__ import annotations

import strawberry

from gateway.auth.principal import PrincipalKind
from gateway.cache.response_reads import not_cacheable
from resolvers.commands.accepting import idempotency_scope, writes_of
from resolvers.commands.types import CommandView
from resolvers.context import Info
from resolvers.errors import NotFound


@strawberry.type
class CommandQueries:
    @strawberry.field(
        description="An accepted write: status, attempts, last error and result. Its "
        "submitter sees it, and staff; to anyone else it does not exist."
    )
    async def command(self, info: Info, id: strawberry.ID) -> CommandView | None:
        not_cacheable("command: read from the queue")
        found = await writes_of(info).commands.queue.get(str(id))
        principal = info.context.principal
        is_staff = principal.kind is PrincipalKind.STAFF and principal.actor is None
        if found is None or not (
            is_staff or found.idempotency_scope == idempotency_scope(principal)
        ):
            raise NotFound(f"No command with id {id!r}")
        return CommandView.of(found)
