"""An `Info` whose resolve info is built only when the resolver reads more than the context.

The fast path builds a resolve info (graphql-core's `GraphQLResolveInfo`: a dozen
members, the field's path among them) for each call of a method that takes `info`. Most
of the gateway's resolvers read only `info.context` (the loaders, the principal), and a
product's `stock` or `shopListing` read ahead reads nothing at all: on the federated
customer-360, 334 such calls per request built a resolve info for nothing.

`deferred_info_class(info_class)` is a subclass of the schema's `Info` class that holds
the context and what building the resolve info takes, and builds it the first time
anything else is read: every other member of strawberry's `Info` goes through
`_raw_info`, which is left unset until then.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo
from strawberry.types.field import StrawberryField
from strawberry.types.info import Info

# Makes an `Info` from the context, what builds the resolve info, and the field.
DeferredInfo = Callable[
    [Any, Callable[[], GraphQLResolveInfo[Any]], StrawberryField], Info[Any, Any]
]


@functools.lru_cache(maxsize=8)  # one per schema configuration's Info class
def deferred_info_class(info_class: type[Info[Any, Any]]) -> DeferredInfo:
    class Deferred(info_class):  # type: ignore[valid-type, misc]
        def __init__(
            self,
            context: Any,
            build: Callable[[], GraphQLResolveInfo[Any]],
            field: StrawberryField,
        ) -> None:
            # Not the dataclass's __init__: `_raw_info` stays unset until it is read.
            self._deferred_context = context
            self._build_raw_info = build
            self._field = field

        @property
        def context(self) -> Any:
            return self._deferred_context

        def __getattr__(self, name: str) -> Any:
            # Called only for what the instance lacks: `_raw_info`, until it is built.
            if name != "_raw_info":
                raise AttributeError(name)
            raw_info = self._raw_info = self._build_raw_info()
            return raw_info

    Deferred.__name__ = Deferred.__qualname__ = f"Deferred{info_class.__name__}"
    return Deferred
