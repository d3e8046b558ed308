"""HubSpot's CRM API on the wire: v3 objects, v4 associations and v3 owners.

Wire calls only; mapping to the canonical model lives in `adapter.py`. Every call goes
through `BackendHttp` with the private app token as `Authorization: Bearer pat-...`.
One record with its associated ids is one v3 GET (`associations=companies,deals`), which
names association types by v3 name ("contact_to_company" for the primary company,
"contact_to_company_unlabeled" beside it); they are read back as the v4 type ids. Batch
reads are POSTs that only read, so they are retried like GETs. A batch takes at
most 100 inputs: longer lists are split and the chunks sent concurrently. HubSpot
answers 207 when it did not find some inputs and names them in `errors[]`; those are
simply absent from the result, while any other per-input error fails the call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from erp_backends import wire_json
from erp_backends.errors import BackendDataError
from erp_backends.http import BackendHttp
from erp_backends.hubspot.errors import hubspot_error

Json = dict[str, Any]
BATCH_LIMIT = 100  # inputs per batch call, for objects and associations alike
OWNERS_PAGE = 100
# Per-input errors of a 207 that mean "nothing there": an unknown record, or a record
# without associations of the asked type (subCategory crm.associations.NO_ASSOCIATIONS_FOUND).
ABSENT_CATEGORIES = frozenset({"OBJECT_NOT_FOUND"})
# The v4 type ids of the v3 association names a record's GET gives (HubSpot's defaults).
V3_ASSOCIATION_TYPES: Mapping[str, int] = {
    "contact_to_company": 1,  # the primary company
    "contact_to_company_unlabeled": 279,
    "contact_to_deal": 4,
}


@dataclass(frozen=True, slots=True)
class Associated:
    """One associated record: its id and the association types linking it (v4)."""

    id: str
    type_ids: frozenset[int]
    labels: frozenset[str]


@dataclass(frozen=True, slots=True)
class Linked:
    """One record and, per association type read whole, its associated records."""

    record: Json
    complete: dict[str, list[Associated]]


class HubSpotClient:
    """Reads HubSpot CRM objects, associations and owners.

    Raises only `erp_backends.errors.BackendError` subclasses (HubSpot's own error
    bodies as the typed ones in `erp_backends.hubspot.errors`).
    """

    def __init__(self, http: BackendHttp, token: str) -> None:
        self._http = http
        self._headers = {"Authorization": f"Bearer {token}"}
        self._backend = http.backend

    async def batch_read(
        self,
        object_type: str,
        ids: Sequence[str],
        properties: Sequence[str],
        *,
        id_property: str | None = None,
    ) -> list[Json]:
        """The records with these ids (or values of the unique `id_property`) that exist.

        Duplicates are sent once: HubSpot refuses a batch that names an id twice.
        """
        path = f"/crm/v3/objects/{object_type}/batch/read"
        what = f"POST {path}"

        async def read(chunk: Sequence[str]) -> list[Json]:
            body: Json = {"inputs": [{"id": key} for key in chunk], "properties": list(properties)}
            if id_property is not None:
                body["idProperty"] = id_property
            return self._results(await self._batch(path, body, what), what)

        unique = list(dict.fromkeys(ids))
        answers = await asyncio.gather(*(read(chunk) for chunk in _chunks(unique)))
        return [record for answer in answers for record in answer]

    async def read_with_associations(
        self,
        object_type: str,
        key: str,
        properties: Sequence[str],
        *,
        id_property: str | None,
        associations: Sequence[str],
    ) -> Linked | None:
        """One record by id (or by the value of the unique `id_property`), with its
        associated records of the `associations` types, in one call; None when there is
        no such record. A type whose associations HubSpot pages is left out of
        `Linked.complete`: the caller reads it whole by `associations`."""
        path = f"/crm/v3/objects/{object_type}/{quote(key, safe='')}"
        what = f"GET /crm/v3/objects/{object_type}/{{id}}"
        params = {"properties": ",".join(properties), "associations": ",".join(associations)}
        if id_property is not None:
            params["idProperty"] = id_property
        response = await self._http.request(
            "GET", path, read=True, params=params, headers=self._headers
        )
        if response.status_code == 404 and self._is_not_found(response):
            return None
        record = self._answer(response, what, ok=(200,))
        linked = record.get("associations", {})
        if not isinstance(linked, dict):
            raise self._bad(what, "associations", linked)
        complete: dict[str, list[Associated]] = {}
        for to_type in associations:
            holder = linked.get(to_type, {"results": []})
            if not isinstance(holder, dict):
                raise self._bad(what, f"associations.{to_type}", holder)
            if self._next_after(holder, what) is None:
                complete[to_type] = self._named_links(holder, what)
        return Linked(record, complete)

    async def associations(
        self, from_type: str, to_type: str, ids: Sequence[str]
    ) -> dict[str, list[Associated]]:
        """The `to_type` records associated with each id; ids without any are absent.

        HubSpot pages each input's associations on its own; a page with more is read
        again with that input's `after`, so calls grow only for very linked records.
        """
        path = f"/crm/v4/associations/{from_type}/{to_type}/batch/read"
        what = f"POST {path}"
        found: dict[str, list[Associated]] = {}
        pending: list[Json] = [{"id": key} for key in dict.fromkeys(ids)]
        while pending:
            answers = await asyncio.gather(
                *(self._batch(path, {"inputs": chunk}, what) for chunk in _chunks(pending))
            )
            pending = []
            for result in (r for answer in answers for r in self._results(answer, what)):
                source = self._from_id(result, what)
                found.setdefault(source, []).extend(self._associated(result, what))
                after = self._next_after(result, what)
                if after is not None:
                    pending.append({"id": source, "after": after})
        return found

    async def owners(self) -> list[Json]:
        """Every active owner (the users records can be assigned to), all pages."""
        path = "/crm/v3/owners/"
        owners: list[Json] = []
        after: str | None = None
        while True:
            params: Json = {"limit": OWNERS_PAGE, **({"after": after} if after else {})}
            response = await self._http.request(
                "GET", path, read=True, params=params, headers=self._headers
            )
            answer = self._answer(response, f"GET {path}", ok=(200,))
            owners += self._results(answer, f"GET {path}")
            after = self._next_after(answer, f"GET {path}")
            if after is None:
                return owners

    async def _batch(self, path: str, body: Json, what: str) -> Json:
        response = await self._http.request(
            "POST", path, read=True, json=body, headers=self._headers
        )
        answer = self._answer(response, what, ok=(200, 207))
        errors = answer.get("errors", [])
        if not isinstance(errors, list) or not all(isinstance(e, dict) for e in errors):
            raise self._bad(what, "errors", errors)
        for error in errors:
            if error.get("category") not in ABSENT_CATEGORIES:
                raise hubspot_error(207, error, what=what, backend=self._backend)
        return answer

    def _answer(self, response: httpx.Response, what: str, *, ok: tuple[int, ...]) -> Json:
        try:
            body = wire_json.loads(response.content)
        except ValueError:
            body = None
        if response.status_code not in ok:
            raise hubspot_error(response.status_code, body, what=what, backend=self._backend)
        if not isinstance(body, dict):
            raise self._bad(what, "body", response.text)
        return body

    def _is_not_found(self, response: httpx.Response) -> bool:
        """A 404 of HubSpot's own saying the record does not exist (not a wrong URL)."""
        try:
            body = wire_json.loads(response.content)
        except ValueError:
            return False
        return isinstance(body, dict) and body.get("category") in ABSENT_CATEGORIES

    def _named_links(self, holder: Json, what: str) -> list[Associated]:
        """v3 `{"results": [{"id": "1", "type": "contact_to_company"}, ...]}` as one
        `Associated` per record, typed by the names of HubSpot's default types (a
        custom label's name has no type id here; no caller needs one)."""
        names: dict[str, set[str]] = {}
        for link in self._results(holder, what):
            key, name = link.get("id"), link.get("type")
            if not _is_key(key) or not isinstance(name, str):
                raise self._bad(what, "associations[].id/type", link)
            names.setdefault(str(key), set()).add(name)
        return [
            Associated(
                key,
                frozenset(V3_ASSOCIATION_TYPES[n] for n in found if n in V3_ASSOCIATION_TYPES),
                frozenset(),
            )
            for key, found in names.items()
        ]

    def _results(self, answer: Json, what: str) -> list[Json]:
        results = answer.get("results")
        if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
            raise self._bad(what, "results", results)
        return results

    def _from_id(self, result: Json, what: str) -> str:
        source = result.get("from")
        key = source.get("id") if isinstance(source, dict) else None
        if not _is_key(key):
            raise self._bad(what, "from.id", source)
        return str(key)

    def _associated(self, result: Json, what: str) -> list[Associated]:
        targets = result.get("to")
        if not isinstance(targets, list):
            raise self._bad(what, "to", targets)
        return [self._target(target, what) for target in targets]

    def _target(self, target: Any, what: str) -> Associated:
        # toObjectId is a JSON number in HubSpot's answers; newer docs show a string.
        key = target.get("toObjectId") if isinstance(target, dict) else None
        types = target.get("associationTypes") if isinstance(target, dict) else None
        if not _is_key(key) or not isinstance(types, list):
            raise self._bad(what, "to[].toObjectId/associationTypes", target)
        if not all(isinstance(t, dict) and _is_int(t.get("typeId")) for t in types):
            raise self._bad(what, "to[].associationTypes[].typeId", types)
        labels = frozenset(t["label"] for t in types if isinstance(t.get("label"), str))
        return Associated(str(key), frozenset(int(t["typeId"]) for t in types), labels)

    def _next_after(self, holder: Json, what: str) -> str | None:
        """The cursor of the next page; None on the last page (no `paging.next`)."""
        paging = holder.get("paging")
        following = paging.get("next") if isinstance(paging, dict) else paging
        if following is None:
            return None
        after = following.get("after") if isinstance(following, dict) else None
        if not _is_key(after):
            raise self._bad(what, "paging.next.after", paging)
        return str(after)

    def _bad(self, what: str, field: str, got: Any) -> BackendDataError:
        return BackendDataError(
            f"HubSpot answered {what} with an unexpected {field}: {str(got)[:80]!r}",
            backend=self._backend,
        )


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[start : start + BATCH_LIMIT] for start in range(0, len(items), BATCH_LIMIT)]


def _is_key(value: object) -> bool:
    """An id or cursor as HubSpot writes one: a string, or a JSON number (not a bool)."""
    return isinstance(value, str | int) and not isinstance(value, bool)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
