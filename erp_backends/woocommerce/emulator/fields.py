"""WordPress's `_fields` global parameter: an answer cut down to the fields asked for.

Every REST route of WordPress honours it (`rest_filter_response_fields`, run on
`rest_post_dispatch` in wp-includes/rest-api.php), WooCommerce's included, and it is
how a client spares the shop building and sending what it does not read. This is that
function's behaviour:

- `_fields=id,sku` (split on commas and whitespace) or `_fields[]=id&_fields[]=sku`
  (each item as it is), names trimmed; none at all leaves the answer whole;
- a dotted name (`billing.email`, WordPress 5.3 and later) keeps that key inside its
  parent object; a parent asked for whole keeps all of it, whatever else is asked;
- a list answer is cut item by item, an object answer as itself;
- a dotted name through a list (`line_items.sku`) keeps an empty list, as WordPress's
  key intersection drops a list's numbered keys;
- error answers are not cut.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.datastructures import QueryParams

# Asked-for names as a tree: True keeps the whole value, a dict keeps those keys of it.
Wanted = dict[str, "Wanted | bool"]


def wanted_fields(query: QueryParams) -> Wanted | None:
    """The tree of fields `_fields` asks for, or None to keep the whole answer."""
    items = query.getlist("_fields[]")
    names = items or [part for value in query.getlist("_fields") for part in _split(value)]
    tree: Wanted = {}
    for name in (name.strip() for name in names):
        if name:
            _add(tree, name.split("."))
    return tree or None


def limit_fields(body: Any, wanted: Wanted | None) -> Any:
    """`body` with only the wanted fields: each item of a list, or the object itself."""
    if wanted is None:
        return body
    if isinstance(body, list):
        return [_intersect(item, wanted) for item in body]
    return _intersect(body, wanted)


def _split(value: str) -> list[str]:
    return [part for part in re.split(r"[\s,]+", value) if part]


def _add(tree: Wanted, parts: list[str]) -> None:
    node = tree
    for part in parts[:-1]:
        inner = node.get(part)
        if inner is True:
            return  # the parent is wanted whole already
        if not isinstance(inner, dict):
            inner = node[part] = {}
        node = inner
    node[parts[-1]] = True


def _intersect(value: Any, wanted: Wanted) -> Any:
    if isinstance(value, list):
        return []  # WordPress intersects a list's numbered keys with names: none is left
    if not isinstance(value, dict):
        return value
    kept = {}
    # The few wanted keys, in the answer's order: a product has some 60 keys, and a
    # listing of 100 is cut on every request of a benchmark.
    for key in [key for key in value if key in wanted]:
        spec, inner = wanted[key], value[key]
        if spec is True:
            kept[key] = inner
        elif isinstance(spec, dict):
            kept[key] = _intersect(inner, spec) if isinstance(inner, dict | list) else inner
    return kept
