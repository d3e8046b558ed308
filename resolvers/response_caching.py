"""What the resolvers tell the response cache (`gateway.cache.response_reads`)."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from gateway.cache.response_reads import not_cacheable


class MutationsUncached(SchemaExtension):
    """A mutation's answer is never replayed: each one must reach the queue."""

    def on_execute(self) -> Iterator[None]:
        if self.execution_context.operation_type is not OperationType.QUERY:
            not_cacheable(f"a {self.execution_context.operation_type.value}")
        yield
