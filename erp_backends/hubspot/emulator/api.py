"""The emulated HubSpot's CRM endpoints: objects (list and get, with `associations=`;
batch read), v4 association reads (batch, and one object's) and owners, in HubSpot's
wire shapes. Writes are in `writes.py`.

Handlers raise `ApiError`, which the app turns into HubSpot's error body
`{"status": "error", "message", "correlationId", "category", ...}`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from erp_backends.emulation.faults import CallLog
from erp_backends.emulation.responses import JSONResponse
from erp_backends.hubspot.emulator.store import (
    ALWAYS,
    ASSOCIATION_TYPES,
    DEFAULT_PROPERTIES,
    OBJECT_TYPES,
    PROPERTIES,
    SINGULAR,
    CrmObject,
    CrmWorld,
    association_name,
)

Json = dict[str, Any]
BATCH_LIMIT = 100
ASSOCIATION_BATCH_LIMIT = 1000
ASSOCIATIONS_PAGE = 500  # associations per input and page in a v4 batch read
LIST_LIMIT = 100
OWNERS_LIMIT = 500


class ApiError(Exception):
    """An error answer: HTTP status, HubSpot category, message and extra members."""

    def __init__(self, status: int, category: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.category, self.message, self.extra = status, category, message, extra


def error_body(category: str, message: str, **extra: Any) -> Json:
    return {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
        **extra,
    }


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse(error_body(exc.category, exc.message, **exc.extra), exc.status)


def invalid(message: str) -> ApiError:
    return ApiError(400, "VALIDATION_ERROR", message)


async def json_body(request: Request) -> Json:
    body = await any_json_body(request)
    if not isinstance(body, dict):
        raise invalid("Invalid input JSON: expected an object")
    return body


async def any_json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except ValueError as exc:
        raise invalid(f"Invalid input JSON: {exc}") from None


def object_type(name: str) -> str:
    if name.lower() not in OBJECT_TYPES:
        raise invalid(f"Unable to infer object type from: {name}")
    return OBJECT_TYPES[name.lower()]


def render(kind: str, obj: CrmObject, properties: Sequence[str] | None) -> Json:
    """A record as HubSpot sends it: null for a known property without a value, and
    nothing for a property the portal does not have."""
    names = [*ALWAYS[kind], *(properties or DEFAULT_PROPERTIES[kind])]
    values = {name: obj.properties.get(name) for name in names if name in PROPERTIES[kind]}
    return {
        "id": obj.id,
        "properties": values,
        "createdAt": obj.created_at,
        "updatedAt": obj.updated_at,
        "archived": False,
    }


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def batch_answer(results: list[Json], errors: list[Json], started: str) -> Response:
    """HubSpot's batch envelope: 200, or 207 with `errors` when some inputs failed."""
    body: Json = {"status": "COMPLETE", "results": results}
    if errors:
        body.update(numErrors=len(errors), errors=errors)
    body.update(startedAt=started, completedAt=now())
    return JSONResponse(body, 207 if errors else 200)


class PortalApi:
    """The endpoints over one portal's `CrmWorld`, counting calls in `calls`."""

    def __init__(self, world: CrmWorld, calls: CallLog) -> None:
        self.world = world
        self.calls = calls

    async def batch_read(self, request: Request) -> Response:
        started, kind = now(), object_type(request.path_params["object_type"])
        self.calls.record(f"{kind}.batch_read")
        body = await json_body(request)
        keys = _input_ids(body, BATCH_LIMIT)
        id_property = _id_property(kind, body.get("idProperty"))
        properties = property_names(body.get("properties"))
        found = {key: self.world.find(kind, key, id_property) for key in keys}
        missing = [key for key, obj in found.items() if obj is None]
        errors = [not_found(kind, missing)] if missing else []
        results = [render(kind, obj, properties) for obj in found.values() if obj is not None]
        return batch_answer(results, errors, started)

    async def list_objects(self, request: Request) -> Response:
        kind = object_type(request.path_params["object_type"])
        self.calls.record(f"{kind}.list")
        limit = _limit(request.query_params.get("limit"), 10, LIST_LIMIT)
        after = _int_param(request.query_params.get("after", "0"), "after")
        table = sorted(self.world.objects[kind].values(), key=lambda o: int(o.id))
        page = [obj for obj in table if int(obj.id) >= after][: limit + 1]
        properties, linked = _query_names(request), self._association_types(request)
        results = [self._with_links(kind, obj, properties, linked) for obj in page[:limit]]
        body: Json = {"results": results}
        if len(page) > limit:
            link = f"{_base(request)}/crm/v3/objects/{kind}?after={page[limit].id}"
            body["paging"] = {"next": {"after": page[limit].id, "link": link}}
        return JSONResponse(body)

    async def get_object(self, request: Request) -> Response:
        kind = object_type(request.path_params["object_type"])
        self.calls.record(f"{kind}.get")
        key = request.path_params["object_id"]
        id_property = _id_property(kind, request.query_params.get("idProperty"))
        obj = self.world.find(kind, key, id_property)
        if obj is None:
            raise ApiError(404, "OBJECT_NOT_FOUND", "resource not found")
        linked = self._association_types(request)
        return JSONResponse(self._with_links(kind, obj, _query_names(request), linked))

    async def object_associations(self, request: Request) -> Response:
        """v4 `GET /crm/v4/objects/{type}/{id}/associations/{toType}`: one object's
        associated ids with their type ids, paged like the batch read."""
        source = object_type(request.path_params["object_type"])
        target = object_type(request.path_params["to_object_type"])
        self.calls.record(f"associations.{source}.{target}.get")
        key = request.path_params["object_id"]
        limit = _limit(request.query_params.get("limit"), ASSOCIATIONS_PAGE, ASSOCIATIONS_PAGE)
        offset = _int_param(request.query_params.get("after", "0"), "after")
        links = sorted(
            self.world.associated(source, target, key).items(), key=lambda link: int(link[0])
        )
        page = _association_page(source, target, key, links, offset, limit)
        body: Json = {"results": page["to"]}
        if "paging" in page:
            after = page["paging"]["next"]["after"]
            link = f"{_base(request)}{request.url.path}?after={after}"
            body["paging"] = {"next": {"after": after, "link": link}}
        return JSONResponse(body)

    def _association_types(self, request: Request) -> list[str]:
        """The object types of `associations=a,b` (or repeated); unknown names are left
        out, as HubSpot leaves them out."""
        names = [
            name.strip().lower()
            for value in request.query_params.getlist("associations")
            for name in value.split(",")
        ]
        return list(dict.fromkeys(OBJECT_TYPES[n] for n in names if n in OBJECT_TYPES))

    def _with_links(
        self, kind: str, obj: CrmObject, properties: Sequence[str] | None, linked: list[str]
    ) -> Json:
        """A record, with `associations` of the types asked for that it has any of:
        `{"companies": {"results": [{"id": "30001", "type": "contact_to_company"}]}}`."""
        record = render(kind, obj, properties)
        associations: Json = {}
        for target in linked:
            if (kind, target) not in ASSOCIATION_TYPES:
                continue
            links = sorted(
                self.world.associated(kind, target, obj.id).items(), key=lambda link: int(link[0])
            )
            results = [
                {"id": to_id, "type": association_name(kind, target, type_id)}
                for to_id, type_ids in links
                for type_id in type_ids
            ]
            if results:
                associations[target] = {"results": results}
        if associations:
            record["associations"] = associations
        return record

    async def associations(self, request: Request) -> Response:
        started = now()
        source = object_type(request.path_params["from_type"])
        target = object_type(request.path_params["to_type"])
        self.calls.record(f"associations.{source}.{target}.batch_read")
        body = await json_body(request)
        inputs = _inputs(body, ASSOCIATION_BATCH_LIMIT)
        results, errors = [], []
        for item in inputs:
            key, offset = str(item["id"]), _int_param(item.get("after") or "0", "after")
            links = sorted(
                self.world.associated(source, target, key).items(), key=lambda link: int(link[0])
            )
            if not links:
                errors.append(_no_associations(source, target, key))
                continue
            results.append(_association_page(source, target, key, links, offset))
        return batch_answer(results, errors, started)

    async def owners(self, request: Request) -> Response:
        self.calls.record("owners.list")
        params = request.query_params
        limit = _limit(params.get("limit"), 100, OWNERS_LIMIT)
        offset = _int_param(params.get("after", "0"), "after")
        archived = params.get("archived", "false").lower() == "true"
        email = params.get("email", "").lower()
        owners = [
            o
            for o in self.world.owners
            if o["archived"] == archived and (not email or o["email"].lower() == email)
        ]
        body: Json = {"results": owners[offset : offset + limit]}
        if offset + limit < len(owners):
            after = str(offset + limit)
            link = f"{_base(request)}/crm/v3/owners/?after={after}"
            body["paging"] = {"next": {"after": after, "link": link}}
        return JSONResponse(body)

    async def owner(self, request: Request) -> Response:
        self.calls.record("owners.get")
        key, by = request.path_params["owner_id"], request.query_params.get("idProperty", "id")
        field = "userIdIncludingInactive" if by == "userId" else "id"
        archived = request.query_params.get("archived", "false").lower() == "true"
        for owner in self.world.owners:
            if str(owner[field]) == key and owner["archived"] == archived:
                return JSONResponse(owner)
        raise ApiError(404, "OBJECT_NOT_FOUND", f"No owner found with {by} {key}")


def _inputs(body: Json, limit: int) -> list[Json]:
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not all(
        isinstance(i, dict) and isinstance(i.get("id"), str | int) for i in inputs
    ):
        raise invalid("inputs: expected a list of objects with an id")
    if len(inputs) > limit:
        raise invalid(f"Too many inputs: {len(inputs)}. The limit is {limit}.")
    return inputs


def _input_ids(body: Json, limit: int) -> list[str]:
    keys = [str(item["id"]) for item in _inputs(body, limit)]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise invalid(f"Duplicate IDs found in batch input: {duplicates}. IDs must be unique")
    return keys


def _id_property(kind: str, name: object) -> str | None:
    if name is None or name == "hs_object_id":
        return None
    if name == "email" and kind == "contacts":
        return "email"
    raise invalid(f"Unable to find unique property {name!r} for object type {SINGULAR[kind]}")


def property_names(value: object) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid("properties: expected a list of property names")
    return value


def _query_names(request: Request) -> list[str] | None:
    """`properties=a,b` or `properties=a&properties=b`."""
    values = request.query_params.getlist("properties")
    return [name for value in values for name in value.split(",") if name] or None


def _limit(text: str | None, default: int, most: int) -> int:
    limit = default if text is None else _int_param(text, "limit")
    if not 1 <= limit <= most:
        raise invalid(f"limit must be between 1 and {most}, got {limit}")
    return limit


def _int_param(text: str, name: str) -> int:
    if not text.isdigit():
        raise invalid(f"{name}: expected a number, got {text!r}")
    return int(text)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def not_found(kind: str, keys: list[str]) -> Json:
    message = (
        f"Could not get some {SINGULAR[kind].upper()} objects, they may be deleted or "
        "not exist. Check that ids are valid."
    )
    return {
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "message": message,
        "context": {"ids": keys},
    }


def _no_associations(source: str, target: str, key: str) -> Json:
    return {
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
        "message": f"No {SINGULAR[target]} is associated with {SINGULAR[source]} {key}.",
        "context": {
            "fromObjectId": [key],
            "fromObjectType": [SINGULAR[source]],
            "toObjectType": [SINGULAR[target]],
        },
    }


def _association_page(
    source: str,
    target: str,
    key: str,
    links: list[tuple[str, list[int]]],
    offset: int,
    size: int = ASSOCIATIONS_PAGE,
) -> Json:
    primary = ASSOCIATION_TYPES[(source, target)][1]
    page = links[offset : offset + size]
    targets = [
        {"toObjectId": int(to_id), "associationTypes": _association_types(type_ids, primary)}
        for to_id, type_ids in page
    ]
    result: Json = {"from": {"id": key}, "to": targets}
    if offset + size < len(links):
        result["paging"] = {"next": {"after": str(offset + size)}}
    return result


def _association_types(type_ids: list[int], primary: int | None) -> list[Json]:
    return [
        {
            "category": "HUBSPOT_DEFINED",
            "typeId": type_id,
            "label": "Primary" if type_id == primary else None,
        }
        for type_id in type_ids
    ]
