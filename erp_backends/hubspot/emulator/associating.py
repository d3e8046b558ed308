"""v4 association writes on the emulated portal, as HubSpot's associations v4 API takes them.

- `PUT /crm/v4/objects/{fromType}/{fromId}/associations/default/{toType}/{toId}`: the
  default (unlabeled) association, both ways -> 200 `{"status": "COMPLETE", "results":
  [{"from": {"id"}, "to": {"id"}, "associationSpec": {"associationCategory",
  "associationTypeId"}}, <the reverse>], "startedAt", "completedAt"}`;
- `PUT /crm/v4/objects/{fromType}/{fromId}/associations/{toType}/{toId}` with a body
  `[{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]` -> 201
  `{"fromObjectTypeId": "0-1", "fromObjectId", "toObjectTypeId", "toObjectId",
  "labels"}`; a type id that is not one of the pair's is 400 VALIDATION_ERROR;
- `DELETE` on the same path -> 204: every association between the two records goes.

Types are added to the ones the pair has (a primary stays primary). An unknown record
is 404 OBJECT_NOT_FOUND; a pair of types with no associations is 400.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from erp_backends.emulation.responses import JSONResponse
from erp_backends.hubspot.emulator.api import (
    ApiError,
    PortalApi,
    any_json_body,
    invalid,
    now,
    object_type,
)
from erp_backends.hubspot.emulator.store import ASSOCIATION_TYPES, SINGULAR

Json = dict[str, Any]
TYPE_IDS = {"contacts": "0-1", "companies": "0-2", "deals": "0-3"}


class AssociationWrites:
    """Association create (default or by type) and delete between two records."""

    def __init__(self, api: PortalApi) -> None:
        self._api = api
        self.world = api.world

    async def create_default(self, request: Request) -> Response:
        started = now()
        source, source_id, target, target_id = self._pair(request, "create_default")
        self.world.add_link(source, source_id, target, target_id, primary=False)
        results = [
            _spec(source_id, target_id, ASSOCIATION_TYPES[(source, target)][0]),
            _spec(target_id, source_id, ASSOCIATION_TYPES[(target, source)][0]),
        ]
        body = {"status": "COMPLETE", "results": results, "startedAt": started}
        return JSONResponse({**body, "completedAt": now()})

    async def create(self, request: Request) -> Response:
        source, source_id, target, target_id = self._pair(request, "create")
        unlabeled, primary = ASSOCIATION_TYPES[(source, target)]
        type_ids = _type_ids(await _spec_list(request))
        unknown = [t for t in type_ids if t not in (unlabeled, primary)]
        if unknown or not type_ids:
            raise invalid(
                f"Invalid association type ids {unknown or type_ids} from "
                f"{SINGULAR[source]} to {SINGULAR[target]}"
            )
        self.world.add_link(source, source_id, target, target_id, primary=primary in type_ids)
        now_linked = self.world.associated(source, target, source_id)[target_id]
        labels = ["Primary"] if primary is not None and primary in now_linked else []
        body = {
            "fromObjectTypeId": TYPE_IDS[source],
            "fromObjectId": int(source_id),
            "toObjectTypeId": TYPE_IDS[target],
            "toObjectId": int(target_id),
            "labels": labels,
        }
        return JSONResponse(body, 201)

    async def archive(self, request: Request) -> Response:
        source, source_id, target, target_id = self._pair(request, "archive")
        self.world.unlink(source, source_id, target, target_id)
        return Response(status_code=204)

    def _pair(self, request: Request, action: str) -> tuple[str, str, str, str]:
        params = request.path_params
        source = object_type(params["from_type"])
        target = object_type(params["to_type"])
        self._api.calls.record(f"associations.{source}.{target}.{action}")
        if (source, target) not in ASSOCIATION_TYPES:
            raise invalid(f"No association types from {SINGULAR[source]} to {SINGULAR[target]}")
        for kind, key in ((source, params["from_id"]), (target, params["to_id"])):
            if key not in self.world.objects[kind]:
                message = f"No {SINGULAR[kind]} with id {key} exists"
                raise ApiError(404, "OBJECT_NOT_FOUND", message)
        return source, params["from_id"], target, params["to_id"]


def _spec(from_id: str, to_id: str, type_id: int) -> Json:
    return {
        "from": {"id": from_id},
        "to": {"id": to_id},
        "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id},
    }


async def _spec_list(request: Request) -> list[Any]:
    body = await any_json_body(request)
    if not isinstance(body, list):
        raise invalid("Invalid input JSON: expected a list of association types")
    return body


def _type_ids(specs: list[Any]) -> list[int]:
    """The HUBSPOT_DEFINED type ids of a body; other categories name labels this portal
    does not have, so they are refused."""
    type_ids = []
    for spec in specs:
        if not isinstance(spec, dict) or spec.get("associationCategory") != "HUBSPOT_DEFINED":
            raise invalid(f"Invalid association type: {json.dumps(spec)}")
        type_id = spec.get("associationTypeId")
        if not isinstance(type_id, int) or isinstance(type_id, bool):
            raise invalid(f"Invalid association type id: {type_id!r}")
        type_ids.append(type_id)
    return type_ids
