"""Batch writes to the emulated portal's CRM objects, as HubSpot's v3 batch API takes them.

- `POST /crm/v3/objects/{type}/batch/create` `{"inputs": [{"properties", "associations"}]}`
  -> 201 `{"status": "COMPLETE", "results", "startedAt", "completedAt"}`;
- `.../batch/update` `{"inputs": [{"id", "properties", "idProperty"?}]}` -> 200, or 207
  with `errors` and `numErrors` naming the ids not found (the others are updated);
- `.../batch/upsert` `{"inputs": [{"id", "idProperty", "properties"}]}` -> 200, each
  result with `"new": true|false`; `idProperty` must be a unique property (`email` for
  contacts; this portal has no unique property on companies and deals), anything else
  is 400 VALIDATION_ERROR;
- `.../batch/archive` `{"inputs": [{"id"}]}` -> 204, unknown ids included.

As on HubSpot, at most 100 inputs (400 VALIDATION_ERROR otherwise); a batch with an
invalid property or association fails whole (400), and so does a create or an email
change that would give two contacts one email (409 CONFLICT, naming the first).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from erp_backends.hubspot.emulator.api import (
    BATCH_LIMIT,
    batch_answer,
    invalid,
    json_body,
    not_found,
    now,
    object_type,
)
from erp_backends.hubspot.emulator.store import PROPERTIES, Properties
from erp_backends.hubspot.emulator.writes import Link, ObjectWrites, written

Json = dict[str, Any]
# Unique properties an upsert (or an update by idProperty) may name, by object type.
UNIQUE = {"contacts": ("email",), "companies": (), "deals": ()}
_TYPE_IDS = {"contacts": "0-1", "companies": "0-2", "deals": "0-3"}


class BatchWrites:
    """The batch create, update, upsert and archive endpoints over the portal's world."""

    def __init__(self, writes: ObjectWrites) -> None:
        self._writes = writes
        self.world = writes.world

    async def create(self, request: Request) -> Response:
        started, kind, inputs = await self._start(request, "batch_create")
        checked: list[tuple[Properties, list[Link]]] = []
        for item in inputs:
            properties = self._writes.properties(kind, item.get("properties", {}))
            links = self._writes.association_links(kind, item.get("associations") or [])
            checked.append((properties, links))
        self._emails_free(kind, [(properties, None) for properties, _ in checked])
        results = [
            _traced(written(kind, self._writes.insert(kind, properties, links)), item)
            for (properties, links), item in zip(checked, inputs, strict=True)
        ]
        answer = batch_answer(results, [], started)
        answer.status_code = 201
        return answer

    async def update(self, request: Request) -> Response:
        started, kind, inputs = await self._start(request, "batch_update")
        keyed = [(_id_of(item), self._id_property(kind, item.get("idProperty"))) for item in inputs]
        _no_duplicates([key for key, _ in keyed])
        changes = [self._writes.properties(kind, item.get("properties", {})) for item in inputs]
        found = [self.world.find(kind, key, by) for key, by in keyed]
        present = [(obj, props) for obj, props in zip(found, changes, strict=True) if obj]
        self._emails_free(kind, [(props, obj.id) for obj, props in present])
        for obj, properties in present:
            self._writes.change(kind, obj, properties)
        missing = [key for (key, _), obj in zip(keyed, found, strict=True) if obj is None]
        results = [
            _traced(written(kind, obj), item)
            for obj, item in zip(found, inputs, strict=True)
            if obj is not None
        ]
        return batch_answer(results, [not_found(kind, missing)] if missing else [], started)

    async def upsert(self, request: Request) -> Response:
        started, kind, inputs = await self._start(request, "batch_upsert")
        keyed = []
        for item in inputs:
            by = self._id_property(kind, item.get("idProperty"), required=True)
            assert by is not None
            keyed.append((_id_of(item).strip(), by))
        _no_duplicates([key.lower() for key, _ in keyed])
        changes = [
            self._writes.properties(kind, _keyed(item.get("properties", {}), by, key))
            for item, (key, by) in zip(inputs, keyed, strict=True)
        ]
        for (key, by), properties in zip(keyed, changes, strict=True):
            if str(properties[by] or "").lower() != key.lower():
                raise invalid(f"The {by} in properties must match the id {key!r} of the input")
        found = [self.world.find(kind, key, by) for key, by in keyed]
        self._emails_free(
            kind, [(p, o.id if o else None) for p, o in zip(changes, found, strict=True)]
        )
        results = []
        for obj, properties, item in zip(found, changes, inputs, strict=True):
            if obj is None:
                record = written(kind, self._writes.insert(kind, properties, []))
            else:
                self._writes.change(kind, obj, properties)
                record = written(kind, obj)
            results.append(_traced({**record, "new": obj is None}, item))
        return batch_answer(results, [], started)

    async def archive(self, request: Request) -> Response:
        _, kind, inputs = await self._start(request, "batch_archive")
        for key in [_id_of(item) for item in inputs]:
            self.world.archive(kind, key)
        return Response(status_code=204)

    async def _start(self, request: Request, action: str) -> tuple[str, str, list[Json]]:
        started, kind = now(), object_type(request.path_params["object_type"])
        self._writes.calls.record(f"{kind}.{action}")
        inputs = (await json_body(request)).get("inputs")
        if not isinstance(inputs, list) or not all(isinstance(item, dict) for item in inputs):
            raise invalid("Invalid input JSON: inputs must be a list of objects")
        if len(inputs) > BATCH_LIMIT:
            raise invalid(f"Too many inputs: {len(inputs)}. The limit is {BATCH_LIMIT}.")
        return started, kind, inputs

    def _id_property(self, kind: str, name: object, *, required: bool = False) -> str | None:
        """The unique property inputs are keyed by; None for the record id."""
        if name in (None, "", "hs_object_id") and not required:
            return None
        if name in UNIQUE[kind]:
            return str(name)
        if not isinstance(name, str) or name not in PROPERTIES[kind]:
            raise invalid(f"Unable to find unique property {name!r} for object type {kind}")
        raise invalid(
            f"Unable to perform update/upsert by non-unique {_TYPE_IDS[kind]} property {name}"
        )

    def _emails_free(self, kind: str, writes: list[tuple[Properties, str | None]]) -> None:
        """No two contacts may end with one email: not against the portal (409), nor
        within the batch (400)."""
        emails: list[str] = []
        for properties, own_id in writes:
            self._writes.unique_email(kind, properties, own_id)
            emails += [str(properties["email"]).lower()] if properties.get("email") else []
        if kind == "contacts":
            _no_duplicates(emails, what="emails")


def _id_of(item: Json) -> str:
    key = item.get("id")
    if not isinstance(key, str | int) or isinstance(key, bool) or str(key) == "":
        raise invalid("Invalid input JSON: every input needs an id")
    return str(key)


def _no_duplicates(keys: list[str], what: str = "IDs") -> None:
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise invalid(f"Duplicate {what} found in batch input: {duplicates}. {what} must be unique")


def _keyed(given: object, by: str, key: str) -> object:
    """An upsert's properties with its key (a new record gets it; a wrong one fails)."""
    return {by: key, **given} if isinstance(given, dict) else given


def _traced(record: Json, item: Json) -> Json:
    """HubSpot echoes an input's `objectWriteTraceId` on its result."""
    trace = item.get("objectWriteTraceId")
    return {**record, "objectWriteTraceId": trace} if trace is not None else record
