"""Stops an operation whose answer outgrows `[graphql] max_response_bytes`.

The cost limit bounds what an operation may ask for before it runs; this bounds what it
builds while it runs, because a cost estimate can be wrong (long texts, lists longer
than estimated). Each resolved field adds an estimate of its share of the JSON answer;
past the budget every further field fails at once, so no more backend calls start, and
the answer becomes one `RESPONSE_TOO_LARGE` error with `data: null`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from resolvers.errors import GatewayError

# JSON around one value: its quoted key, the colon, the comma.
_KEY_OVERHEAD = 4


class ResponseTooLarge(GatewayError):
    code = "RESPONSE_TOO_LARGE"

    def __init__(self, max_bytes: int) -> None:
        super().__init__(
            f"The answer would be larger than {max_bytes} bytes: ask for smaller pages or "
            "fewer fields",
            maxResponseBytes=max_bytes,
        )


class ResponseBudget(SchemaExtension):
    def __init__(self, *, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0

    def resolve(
        self, _next: Callable[..., Any], root: Any, info: Any, *args: Any, **kwargs: Any
    ) -> Any:
        if self.used > self.max_bytes:
            raise ResponseTooLarge(self.max_bytes)
        result = _next(root, info, *args, **kwargs)
        self.used += len(str(info.path.key)) + _KEY_OVERHEAD + _size(result)
        if self.used > self.max_bytes:
            raise ResponseTooLarge(self.max_bytes)
        return result

    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and self.used > self.max_bytes:
            error = ResponseTooLarge(self.max_bytes)
            result.data = None
            result.errors = [
                GraphQLError(error.message, extensions={"code": error.code, **error.extensions})
            ]


def _size(value: Any) -> int:
    """About how many bytes `value` adds to the JSON answer, leaving out what its own
    fields add when they resolve (objects) and what an awaited value holds."""
    if isinstance(value, str):
        return len(value) + 2
    if isinstance(value, Decimal):
        return 24
    if isinstance(value, list | tuple):
        return 2 + len(value)
    return 8
