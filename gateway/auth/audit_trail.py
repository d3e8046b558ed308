"""What goes into the audit log: every impersonated request, every mutation, and every
refused attempt to impersonate.

`AuditTrail` is a schema extension: it sees the operation's name, variables and
outcome (its errors' codes, after `ErrorCodes` has given every error one). An entry
that cannot be written fails the request: staff must not be able to act unaudited
because the audit store is down.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    Undefined,
    get_operation_ast,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from gateway.auth.audit import AuditEntry, AuditLog, AuditUnavailable
from gateway.auth.errors import ImpersonationDenied
from gateway.auth.redaction import redact

log = logging.getLogger("erp_gateway.audit")


class AuditTrail(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        principal = context.principal
        # A query that does not parse has no operation type (and runs nothing).
        has_document = self.execution_context.graphql_document is not None
        is_mutation = (
            has_document and self.execution_context.operation_type is OperationType.MUTATION
        )
        audit: AuditLog | None = getattr(context, "audit", None)
        if audit is None or (principal.actor is None and not is_mutation):
            return
        result = self.execution_context.result
        errors = [] if result is None else (result.errors or [])
        entry = AuditEntry.of(
            principal,
            request_id=context.request_id,
            operation_type="mutation" if is_mutation else "query",
            operation_name=self.execution_context.operation_name if has_document else None,
            variables=self.execution_context.variables or {},
            outcome=_outcome(errors),
            arguments=root_arguments(
                self.execution_context.graphql_document,
                self.execution_context.operation_name,
                self.execution_context.variables or {},
            ),
        )
        try:
            await audit.append(entry)
        except AuditUnavailable as exc:
            log.error("audit log unavailable (request %s): %s", context.request_id, exc.reason)
            if result is not None:
                result.data = None
                result.errors = [
                    GraphQLError(
                        "The audit log is unavailable, so this request was not answered",
                        extensions={"code": "AUDIT_UNAVAILABLE", "requestId": context.request_id},
                    )
                ]


def root_arguments(
    document: DocumentNode | None, operation_name: str | None, variables: Mapping[str, Any]
) -> dict[str, Any]:
    """The arguments of the operation's root fields by response key, as written with the
    variables put in: `placeOrder(input: {lines: [...]})` is audited as fully as the same
    mutation sent with `$input`. Not coerced (the entry must be written even when the
    arguments were refused); a variable the request did not send reads as null."""
    operation = None if document is None else get_operation_ast(document, operation_name)
    if operation is None:
        return {}
    arguments: dict[str, Any] = {}
    # Redacted before they are put in: `search: $cardNumber` keeps the secret only in
    # the variable's name, which the argument does not carry.
    given = redact(dict(variables))
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode) and selection.arguments:
            key = (selection.alias or selection.name).value
            arguments[key] = {
                argument.name.value: _defined(value_from_ast_untyped(argument.value, given))
                for argument in selection.arguments
            }
    return arguments


def _defined(value: Any) -> Any:
    if value is Undefined:
        return None
    if isinstance(value, dict):
        return {key: _defined(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_defined(item) for item in value]
    return value


def _outcome(errors: list[GraphQLError]) -> str:
    if not errors:
        return "ok"
    codes = sorted({str((error.extensions or {}).get("code", "ERROR")) for error in errors})
    return "error: " + ", ".join(codes)


def denied_impersonation_entry(request_id: str, refusal: ImpersonationDenied) -> AuditEntry:
    """The entry for a refused X-Act-As-Customer: who tried, for whom, and why not."""
    return AuditEntry.of(
        refusal.principal,
        request_id=request_id,
        operation_type="request",
        operation_name=None,
        variables={"actAsCustomer": refusal.customer_id[:200]},
        outcome=f"denied: {refusal.reason}",
    )
