"""Writes to the emulated portal's CRM objects, as HubSpot's v3 object API takes them.

- `POST /crm/v3/objects/{type}`: `{"properties": {...}, "associations": [{"to": {"id"},
  "types": [{"associationCategory", "associationTypeId"}]}]}` -> 201 and the record;
- `PATCH /crm/v3/objects/{type}/{id}[?idProperty=email]` -> 200 and the record, 404
  OBJECT_NOT_FOUND for an unknown one;
- `DELETE /crm/v3/objects/{type}/{id}` -> 204 (archived; an unknown id too).

As on HubSpot: values are stored as strings whatever JSON type they came as; an unknown
or read-only property, or an email that is no email, is 400 VALIDATION_ERROR "Property
values were not valid: [...]"; a contact's email is unique (409 CONFLICT "Contact
already exists. Existing ID: <id>"); an association names its type by id, and the
record it points to must exist.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from erp_backends.emulation.responses import JSONResponse
from erp_backends.hubspot.emulator.api import (
    ApiError,
    PortalApi,
    invalid,
    json_body,
    now,
    object_type,
    render,
)
from erp_backends.hubspot.emulator.store import (
    ALWAYS,
    ASSOCIATION_TYPES,
    PROPERTIES,
    CrmObject,
    Properties,
)

Json = dict[str, Any]
Link = tuple[str, str, bool]  # target type, target id, primary
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MODIFIED = {"contacts": "lastmodifieddate"}


class ObjectWrites:
    """Create, update and archive endpoints over the portal's world."""

    def __init__(self, api: PortalApi) -> None:
        self._api = api
        self.world = api.world
        self.calls = api.calls

    async def create(self, request: Request) -> Response:
        kind = object_type(request.path_params["object_type"])
        self._api.calls.record(f"{kind}.create")
        body = await json_body(request)
        properties = self.properties(kind, body.get("properties", {}))
        links = self.association_links(kind, body.get("associations") or [])
        self.unique_email(kind, properties, None)
        return JSONResponse(written(kind, self.insert(kind, properties, links)), 201)

    def insert(self, kind: str, properties: Properties, links: list[Link]) -> CrmObject:
        """A new record of checked properties, linked as `association_links` said."""
        stamp = now()
        key = self.world.add(kind, properties, stamp, stamp)
        for target, target_id, primary in links:
            self.world.associate(kind, key, target, target_id, primary=primary)
        return self.world.objects[kind][key]

    async def update(self, request: Request) -> Response:
        kind = object_type(request.path_params["object_type"])
        self._api.calls.record(f"{kind}.update")
        body = await json_body(request)
        id_property = request.query_params.get("idProperty")
        by = "email" if id_property == "email" and kind == "contacts" else None
        obj = self.world.find(kind, request.path_params["object_id"], by)
        if obj is None:
            raise ApiError(404, "OBJECT_NOT_FOUND", "resource not found")
        properties = self.properties(kind, body.get("properties", {}))
        self.unique_email(kind, properties, obj.id)
        self.change(kind, obj, properties)
        return JSONResponse(written(kind, obj))

    def change(self, kind: str, obj: CrmObject, properties: Properties) -> None:
        """Checked properties written to a record, its email index moved with them."""
        if kind == "contacts" and "email" in properties:
            self.world.emails.pop(str(obj.properties.get("email") or "").lower(), None)
            if properties["email"]:
                self.world.emails[str(properties["email"]).lower()] = obj.id
        stamp = now()
        obj.properties.update(properties)
        obj.properties[_MODIFIED.get(kind, "hs_lastmodifieddate")] = stamp
        obj.updated_at = stamp

    async def archive(self, request: Request) -> Response:
        kind = object_type(request.path_params["object_type"])
        self._api.calls.record(f"{kind}.archive")
        self.world.archive(kind, request.path_params["object_id"])
        return Response(status_code=204)

    def properties(self, kind: str, given: object) -> Properties:
        """Given property values, checked as HubSpot checks them, as strings."""
        if not isinstance(given, dict):
            raise invalid("Invalid input JSON: properties must be an object")
        problems = []
        for name, value in given.items():
            if name not in PROPERTIES[kind]:
                problems.append(_problem(name, "PROPERTY_DOESNT_EXIST", "does not exist"))
            elif name in ALWAYS[kind] or name == "hs_lastmodifieddate":
                problems.append(_problem(name, "READ_ONLY_VALUE", "is a read only property"))
            elif name == "email" and value and not _EMAIL.match(str(value)):
                problems.append(
                    _problem(name, "INVALID_EMAIL", f"Email address {value} is invalid", False)
                )
        if problems:
            raise invalid(f"Property values were not valid: {json.dumps(problems)}")
        return {name: None if value is None else _text(value) for name, value in given.items()}

    def unique_email(self, kind: str, properties: Properties, own_id: str | None) -> None:
        email = str(properties.get("email") or "").lower()
        existing = self.world.emails.get(email) if kind == "contacts" and email else None
        if existing is not None and existing != own_id:
            raise ApiError(409, "CONFLICT", f"Contact already exists. Existing ID: {existing}")

    def association_links(self, kind: str, given: object) -> list[Link]:
        """(target type, target id, primary) of each association a create names."""
        if not isinstance(given, list):
            raise invalid("Invalid input JSON: associations must be a list")
        by_type_id = {
            type_id: (target, type_id == labelled)
            for (source, target), (unlabeled, labelled) in ASSOCIATION_TYPES.items()
            if source == kind
            for type_id in (unlabeled, labelled)
            if type_id is not None
        }
        links = []
        for association in given:
            target_id = str(((association or {}).get("to") or {}).get("id", ""))
            for spec in (association or {}).get("types") or []:
                type_id = spec.get("associationTypeId")
                if type_id not in by_type_id:
                    raise invalid(f"{type_id} is not a valid association type id for {kind}")
                target, primary = by_type_id[type_id]
                if target_id not in self.world.objects[target]:
                    raise ApiError(
                        400,
                        "VALIDATION_ERROR",
                        f"One or more associations are invalid: {target} {target_id} not found",
                    )
                links.append((target, target_id, primary))
        return links


def _problem(name: str, error: str, text: str, quoted: bool = True) -> Json:
    message = f'Property "{name}" {text}' if quoted else text
    return {
        "isValid": False,
        "message": message,
        "error": error,
        "name": name,
        "localizedErrorMessage": message,
    }


def _text(value: object) -> str:
    """A value as HubSpot stores it: a string (`true`, not `True`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def written(kind: str, obj: CrmObject) -> Json:
    """What a write answers with: the record with every property it has a value for."""
    shown = [name for name, value in obj.properties.items() if value is not None]
    return render(kind, obj, shown)
