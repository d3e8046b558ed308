"""The one typed context every resolver receives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from gateway.auth.audit import AuditLog
from gateway.auth.principal import ANONYMOUS, Principal
from resolvers.loaders import Loaders

if TYPE_CHECKING:
    from resolvers.commands.accepting import Writes

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Federation:
    """How records of different systems are linked."""

    link_field: Literal["email", "reference"] = "email"  # the ERP customer's link to CRM
    shop_order_prefix: str = "SHOP-"  # ERP orders from the shop: "<prefix><shop number>"

    def erp_reference(self, shop_number: str) -> str:
        """The customer reference the ERP's order of a shop order carries."""
        return self.shop_order_prefix + shop_number


@dataclass
class GatewayContext:
    loaders: Loaders
    request_id: str
    federation: Federation = field(default_factory=Federation)
    principal: Principal = ANONYMOUS
    audit: AuditLog | None = None  # where impersonated requests and mutations are logged
    writes: Writes | None = None  # None: this gateway accepts no writes
    request: Request | WebSocket | None = None
    response: Response | None = None
    # What a field of the query works out once for all the items of a list, by the
    # decision and the ids of its field nodes (the same nodes for every item): e.g.
    # what an order line's product reads ahead (`decided_per_field`). Per request, as
    # the principal and the document are.
    per_field: dict[tuple[int, ...], Any] = field(default_factory=dict)


Info = strawberry.Info[GatewayContext, None]

_UNDECIDED = object()


def decided_per_field(info: Info, decide: Callable[[Info], T]) -> T:
    """`decide(info)`, worked out once per request for the field being resolved: every
    item of a list resolves it with the same field nodes. Kept in `per_field` under the
    decision and the nodes, so decisions on the same nodes stay apart."""
    key = (id(decide), *map(id, info._raw_info.field_nodes))
    decided = info.context.per_field.get(key, _UNDECIDED)
    if decided is _UNDECIDED:
        decided = info.context.per_field[key] = decide(info)
    return cast(T, decided)
