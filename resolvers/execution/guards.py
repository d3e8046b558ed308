"""Field extensions that only check who is asking.

Such a check has one answer for every item of a request: the principal and the field
are the same for the 50th product as for the first. `FastFieldsExecutionContext` asks
it once per field per request and, when it passes, calls the field's resolver itself
instead of through strawberry's per-item chain of wrappers; when it refuses, every item
goes the usual way and meets the refusal at its own path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.types import Info


class RequestGuard(FieldExtension):
    """A field extension that raises (an error for the client) or lets the resolver
    run, and decides from the request's context and the field's name alone."""

    def check_request(self, context: Any, field_name: str) -> None:
        """Raise to refuse the field to this request."""
        raise NotImplementedError

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        self.check_request(info.context, info.field_name)
        return next_(source, info, **kwargs)

    def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:  # the resolver's awaitable
        # Not a coroutine itself: the resolver's awaitable is handed on, which strawberry
        # awaits anyway, sparing a coroutine (and its frame) per guarded field.
        self.check_request(info.context, info.field_name)
        return next_(source, info, **kwargs)
