"""Refuses an operation that asks for too much, before graphql-core validates it.

Runs as the validation step's first extension: `measure_document` takes one linear
pass over the document; an operation over a limit gets its error as the validation
result, so graphql-core's own rules (some of which re-walk fragments) never see it and
nothing is executed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from resolvers.limits.document_cache import DocumentCache
from resolvers.limits.measure import CostModel, DocumentMeasure, DocumentRefused, measure_document
from resolvers.limits.measured_documents import DocumentMeasures
from resolvers.limits.repetition import check_repetition

COST_HEADER = "x-query-cost"  # "1": the answer carries extensions.cost


@dataclass(frozen=True, slots=True)
class Limits:
    """The defaults are `[graphql]`'s."""

    max_depth: int = 15
    max_aliases: int = 30
    max_cost: int = 250_000
    max_cost_by_kind: Mapping[str, int] = field(default_factory=dict)  # principal kind -> cost
    costs: CostModel = field(default_factory=CostModel)

    def max_cost_for(self, kind: str | None) -> int:
        return self.max_cost_by_kind.get(kind or "", self.max_cost)


class OperationLimits(SchemaExtension):
    """Depth, alias and cost limits; the cost in `extensions.cost` on request."""

    def __init__(self, *, limits: Limits, documents: DocumentCache | None = None) -> None:
        self.limits = limits
        self.documents = documents  # where a document's measures are kept, if anywhere
        self.cost: int | None = None

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        operation = (
            None if document is None else get_operation_ast(document, context.operation_name)
        )
        if document is not None:  # without an operation, every one is measured
            error = self._refusal(document, operation)
            if error is not None:  # graphql-core's validation is skipped: it has an answer
                context.pre_execution_errors = [error]
        yield

    def get_results(self) -> dict[str, Any]:
        request = getattr(self.execution_context.context, "request", None)
        asked = request is not None and request.headers.get(COST_HEADER) == "1"
        return {"cost": self.cost} if asked and self.cost is not None else {}

    def _refusal(
        self, document: DocumentNode, operation: OperationDefinitionNode | None
    ) -> GraphQLError | None:
        context = self.execution_context
        kept = self._kept_measures(document)
        try:
            if not kept.repetition_checked:
                check_repetition(document)
                kept.repetition_checked = True
            measured = kept.get(context.operation_name, context.variables)
            if measured is None:
                measured = measure_document(
                    context.schema._schema,
                    document,
                    operation,
                    context.variables,
                    self.limits.costs,
                )
                kept.put(context.operation_name, context.variables, measured)
        except DocumentRefused as exc:
            return GraphQLError(str(exc), extensions={"code": "GRAPHQL_VALIDATION_FAILED"})
        self.cost = measured.cost
        return self._over_limit(measured)

    def _kept_measures(self, document: DocumentNode) -> DocumentMeasures:
        """The measures kept with this document's cache entry; fresh ones (kept by
        nobody) for a document the cache does not hold."""
        query = self.execution_context.query
        entry = None if self.documents is None or query is None else self.documents.get(query)
        if entry is None or entry.document is not document:
            return DocumentMeasures()
        return entry.measures

    def _over_limit(self, measured: DocumentMeasure) -> GraphQLError | None:
        limits = self.limits
        if measured.deepest > limits.max_depth:
            return GraphQLError(
                f"The document nests {measured.deepest} deep; it exceeds maximum operation "
                f"depth of {limits.max_depth}",
                extensions={"code": "GRAPHQL_VALIDATION_FAILED"},
            )
        if measured.most_aliases > limits.max_aliases:
            return GraphQLError(
                f"The document has {measured.most_aliases} aliases; at most "
                f"{limits.max_aliases} are allowed",
                extensions={"code": "GRAPHQL_VALIDATION_FAILED"},
            )
        principal = getattr(self.execution_context.context, "principal", None)
        max_cost = limits.max_cost_for(getattr(principal, "kind", None))
        if measured.cost > max_cost:
            return GraphQLError(
                f"The operation would cost {measured.cost}, over the limit of {max_cost}: ask "
                "for smaller pages (first) or fewer nested lists",
                extensions={
                    "code": "COST_LIMIT_EXCEEDED",
                    "cost": measured.cost,
                    "maxCost": max_cost,
                },
            )
        return None
