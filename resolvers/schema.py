"""Assembles the domains into one schema. Nothing else belongs here."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, MaxTokensLimiter, SchemaExtension
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from gateway.auth.audit_trail import AuditTrail
from resolvers.commands.queries import CommandQueries
from resolvers.common.scalars import STRICT_DECIMAL
from resolvers.customers.queries import CustomerQueries
from resolvers.customers.types import Customer
from resolvers.errors import ErrorCodes
from resolvers.execution.fast_fields import FastFieldsExecutionContext
from resolvers.freshness import StaleReport
from resolvers.invoices.mutations import InvoiceMutations
from resolvers.invoices.queries import InvoiceQueries
from resolvers.invoices.types import Invoice
from resolvers.limits.document_cache import CachedDocuments, DocumentCache
from resolvers.limits.operation_limits import Limits, OperationLimits
from resolvers.limits.rate_charge import CostCharged
from resolvers.limits.response_budget import ResponseBudget, budgeted
from resolvers.node_queries import NodeQueries
from resolvers.orders.mutations import OrderMutations
from resolvers.orders.queries import OrderQueries
from resolvers.orders.types import Order
from resolvers.payments.types import Payment
from resolvers.products.queries import ProductQueries
from resolvers.products.types import Product
from resolvers.response_caching import MutationsUncached
from resolvers.viewer.queries import ViewerQueries


class GatewaySchema(strawberry.Schema):
    # The parsed documents its requests share; the HTTP view pins the trusted ones.
    documents: DocumentCache

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log nothing here: `ErrorCodes` logs backend failures and bugs with their
        request id, and a client's invalid query or unknown id is not a server error."""


Query = merge_types(
    "Query",
    (
        ViewerQueries,
        NodeQueries,
        CustomerQueries,
        OrderQueries,
        ProductQueries,
        InvoiceQueries,
        CommandQueries,
    ),
)
Mutation = merge_types("Mutation", (OrderMutations, InvoiceMutations))


def build_schema(
    *,
    limits: Limits | None = None,
    max_tokens: int = 2000,
    max_response_bytes: int = 5 * 1024 * 1024,
    introspection: bool = True,
    suggestions: bool = True,
    charge_cost: bool = False,
    observers: Sequence[type[SchemaExtension]] = (),
) -> strawberry.Schema:
    """The schema, with limits that keep one request from asking for unbounded work;
    `charge_cost`: an operation takes tokens of its client's rate limit by its cost;
    `observers`: extensions that watch every operation (the wiring's telemetry)."""
    operation_limits = limits or Limits()
    measured = CostCharged if charge_cost else OperationLimits
    documents = DocumentCache()
    extensions: list[Any] = [
        # First, so they leave last and see the final outcome.
        *observers,
        # Next, so it leaves after the others and sees the outcome with every error coded.
        AuditTrail,
        # Factories, not instances: each request gets extensions of its own.
        lambda: ErrorCodes(hide_suggestions=not suggestions),
        StaleReport,
        # Before graphql-core's validation, which it spares from documents over a limit.
        lambda: measured(limits=operation_limits, documents=documents),
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        ResponseBudget,
        # After the limits, which check every request (from what they kept of the document).
        lambda: CachedDocuments(cache=documents),
        MutationsUncached,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    schema = GatewaySchema(
        query=Query,
        mutation=Mutation,
        # Node types reachable only through the Node interface still belong in the SDL.
        types=[Customer, Order, Product, Invoice, Payment],
        extensions=extensions,
        scalar_overrides={Decimal: STRICT_DECIMAL},
        # Basic fields (plain attributes) run inline: most of a large answer's fields.
        execution_context_class=budgeted(max_response_bytes, FastFieldsExecutionContext),
    )
    schema.documents = documents
    return schema


def export_sdl() -> str:
    return build_schema().as_str() + "\n"
