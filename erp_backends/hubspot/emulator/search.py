"""The emulated HubSpot's CRM search: `POST /crm/v3/objects/{objectType}/search`.

`filterGroups` are OR'd and the filters of a group AND'd (at most 5 groups of 6
filters); operators EQ NEQ LT LTE GT GTE BETWEEN IN NOT_IN HAS_PROPERTY
NOT_HAS_PROPERTY CONTAINS_TOKEN NOT_CONTAINS_TOKEN. Text compares case-insensitively,
numbers as numbers and datetimes by instant (ISO 8601 or epoch milliseconds). `query`
looks for a text in the default searchable properties. Pages of `limit` (at most 200)
from the offset `after`, never past the 10,000th result, as HubSpot.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from erp_backends.emulation.responses import JSONResponse
from erp_backends.hubspot.emulator.api import (
    Json,
    PortalApi,
    invalid,
    json_body,
    object_type,
    property_names,
    render,
)
from erp_backends.hubspot.emulator.store import CrmObject

SEARCH_LIMIT = 200
MAX_RESULTS = 10_000
MAX_GROUPS, MAX_FILTERS = 5, 6
SEARCHABLE = {
    "contacts": ("email", "firstname", "lastname", "phone", "company"),
    "companies": ("name", "domain", "phone", "website"),
    "deals": ("dealname",),
}
Test = Callable[[str | None], bool]


def search_endpoint(api: PortalApi) -> Callable[[Request], Any]:
    async def search(request: Request) -> Response:
        kind = object_type(request.path_params["object_type"])
        api.calls.record(f"{kind}.search")
        body = await json_body(request)
        tests = [[_filter(f) for f in group] for group in _groups(body.get("filterGroups"))]
        query = str(body.get("query") or "").lower()
        matches = [
            obj
            for obj in api.world.objects[kind].values()
            if (not tests or any(all(t(obj.properties.get(n)) for n, t in g) for g in tests))
            and (
                not query
                or any(query in (obj.properties.get(p) or "").lower() for p in SEARCHABLE[kind])
            )
        ]
        _sort(matches, body.get("sorts"))
        limit, offset = _int(body.get("limit", 10), "limit"), _int(body.get("after", 0), "after")
        if not 1 <= limit <= SEARCH_LIMIT or offset + limit > MAX_RESULTS:
            raise invalid(f"limit must be 1 to {SEARCH_LIMIT} and results end by {MAX_RESULTS}")
        properties = property_names(body.get("properties"))
        page = matches[offset : offset + limit]
        answer: Json = {
            "total": len(matches),
            "results": [render(kind, obj, properties) for obj in page],
        }
        if offset + limit < len(matches):
            answer["paging"] = {"next": {"after": str(offset + limit)}}
        return JSONResponse(answer)

    return search


def _groups(value: object) -> list[list[Json]]:
    groups = value or []
    if not isinstance(groups, list) or not all(
        isinstance(g, dict) and isinstance(g.get("filters"), list) for g in groups
    ):
        raise invalid("filterGroups: expected a list of {filters: [...]}")
    if len(groups) > MAX_GROUPS or any(len(g["filters"]) > MAX_FILTERS for g in groups):
        raise invalid(f"At most {MAX_GROUPS} filterGroups of {MAX_FILTERS} filters each")
    return [g["filters"] for g in groups]


def _filter(spec: object) -> tuple[str, Test]:
    if not isinstance(spec, dict) or not isinstance(spec.get("propertyName"), str):
        raise invalid("filters: expected objects with a propertyName")
    operator, value, high = spec.get("operator", "EQ"), spec.get("value"), spec.get("highValue")
    values = [_text(v) for v in spec.get("values") or []]
    tests: dict[str, Test] = {
        "EQ": lambda v: v is not None and v.lower() == _text(value),
        "NEQ": lambda v: v is None or v.lower() != _text(value),
        "IN": lambda v: v is not None and v.lower() in values,
        "NOT_IN": lambda v: v is None or v.lower() not in values,
        "HAS_PROPERTY": lambda v: v is not None,
        "NOT_HAS_PROPERTY": lambda v: v is None,
        "CONTAINS_TOKEN": lambda v: v is not None and _has_token(v, _text(value)),
        "NOT_CONTAINS_TOKEN": lambda v: v is None or not _has_token(v, _text(value)),
        "LT": lambda v: _compare(v, value) < 0,
        "LTE": lambda v: _compare(v, value) <= 0,
        "GT": lambda v: 0 < _compare(v, value) < 2,
        "GTE": lambda v: 0 <= _compare(v, value) < 2,
        "BETWEEN": lambda v: 0 <= _compare(v, value) < 2 and _compare(v, high) <= 0,
    }
    if operator not in tests:
        raise invalid(f"Unknown filter operator {operator!r}")
    return spec["propertyName"], tests[operator]


def _text(value: object) -> str:
    return str(value).lower()  # booleans too: HubSpot's "true" and "false"


def _has_token(stored: str, pattern: str) -> bool:
    tokens = [stored.lower(), *re.split(r"[\s,;]+", stored.lower())]
    return any(fnmatch.fnmatchcase(token, pattern) for token in tokens)


def _compare(stored: str | None, value: object) -> int:
    """-1, 0 or 1 as `stored` is below, equal to or above `value`; 2 when unset."""
    if stored is None or value is None:
        return 2
    left, right = _ordered(stored), _ordered(str(value))
    if type(left) is not type(right):
        left, right = str(left), str(right)
    return (left > right) - (left < right)  # type: ignore[operator]


def _ordered(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text.lower()
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.timestamp() * 1000  # compared with epoch milliseconds, as HubSpot takes them


def _sort(matches: list[CrmObject], sorts: object) -> None:
    matches.sort(key=lambda obj: int(obj.id))
    for spec in reversed(sorts if isinstance(sorts, list) else []):
        name = str(spec.get("propertyName") if isinstance(spec, dict) else spec).lstrip("-")
        descending = (
            spec.get("direction") == "DESCENDING"
            if isinstance(spec, dict)
            else str(spec).startswith("-")
        )
        present = [o for o in matches if o.properties.get(name) is not None]
        present.sort(key=lambda o: _ordered(str(o.properties[name])), reverse=descending)
        matches[:] = present + [o for o in matches if o.properties.get(name) is None]


def _int(value: object, name: str) -> int:
    if isinstance(value, bool) or not str(value).isdigit():
        raise invalid(f"{name}: expected a number, got {value!r}")
    return int(str(value))
