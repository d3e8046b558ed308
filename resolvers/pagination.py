"""Relay-style connections over the ports' offset pages.

Cursors are opaque to clients (base64 of the item's offset in the list); `first` and
`after` become a `PageRequest`. Strawberry names each generic connection after its
node type (`OrderConnection`, `OrderEdge`).
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable, Iterable, Iterator
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    InlineFragmentNode,
    SelectionSetNode,
    Undefined,
    get_named_type,
    is_object_type,
    value_from_ast,
)

from erp_backends.paging import MAX_PAGE_SIZE, Page, PageRequest
from resolvers.context import Info
from resolvers.errors import BadUserInput

N = TypeVar("N")
R = TypeVar("R")

DEFAULT_PAGE_SIZE = 20
_CURSOR_PREFIX = "offset:"

First = Annotated[int, strawberry.argument(description=f"How many items, 0 to {MAX_PAGE_SIZE}.")]
After = Annotated[
    str | None,
    strawberry.argument(description="The `endCursor` of the previous page, for the next one."),
]


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


def _edges(self: Connection[N]) -> list[Edge[N]]:
    offset = self.page.offset
    return [Edge(cursor=encode_cursor(offset + i), node=n) for i, n in enumerate(self.nodes)]


def _page_info(self: Connection[N]) -> PageInfo:
    offset, last = self.page.offset, len(self.nodes) - 1
    return PageInfo(
        has_next_page=self.page.has_next,
        has_previous_page=offset > 0,
        start_cursor=encode_cursor(offset) if last >= 0 else None,
        end_cursor=encode_cursor(offset + last) if last >= 0 else None,
    )


@strawberry.type
class Connection(Generic[N]):
    # Edges and the page info are built when asked for: most queries read `nodes`, and
    # an edge per node (with its cursor) cost 2 % of a request for 50 products.
    edges: list[Edge[N]] = strawberry.field(resolver=_edges)
    nodes: list[N]
    page_info: PageInfo = strawberry.field(resolver=_page_info)
    page: strawberry.Private[Page[Any]]  # what the nodes were made of

    @strawberry.field(description="The length of the whole list.")
    def total_count(self) -> int:
        # A page is read without its total only when `totalCount` appears nowhere in
        # the selection (`counts_total`), so it is never asked for then.
        if self.page.total is None:
            raise AssertionError("a page read without its total was asked for it")
        return self.page.total

    @classmethod
    def from_page(cls, page: Page[R], wrap: Callable[[R], N]) -> Connection[N]:
        return cls(nodes=[wrap(item) for item in page.items], page=page)


@functools.lru_cache(maxsize=4096)  # each page of every list spells the same offsets
def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode()


def page_request(first: int, after: str | None, *, count: bool = True) -> PageRequest:
    """The page that `first` items after the cursor `after` ask for; `count`: with the
    length of the whole list."""
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"first must be between 0 and {MAX_PAGE_SIZE}, got {first}")
    offset = 0 if after is None else _decode_cursor(after) + 1
    return PageRequest(offset=offset, limit=first, count=count)


def counts_total(info: Info) -> bool:
    """Whether the connection being resolved has `totalCount` anywhere in its selection
    (in fragments too, whatever their directives: a directive can only leave it out)."""
    raw = info._raw_info
    return any(f.name.value == "totalCount" for f in _fields(raw.field_nodes, raw.fragments))


def node_fields(info: Info) -> set[str]:
    """The names of the fields the connection being resolved surely selects on each of
    its nodes, under `nodes` and `edges { node }`, through fragments too. What is read
    ahead for the nodes goes by them, so a selection under a directive, which may not
    run, is left out: a backend is not asked for what nobody may wait for (the field,
    if it runs, then loads on its own)."""
    return {field.name.value for field in _on_nodes(info, surely=True)}


def names_any_node_may_select_under(info: Info, name: str) -> frozenset[str]:
    """The names of every field that the fields `name` on the nodes of the connection
    being resolved may select, whatever their directives (the union, as
    `names_it_may_select` for each of them)."""
    under = [field for field in _on_nodes(info, surely=False) if field.name.value == name]
    return frozenset(field.name.value for field in _fields(under, info._raw_info.fragments))


def names_it_may_select(info: Info) -> frozenset[str]:
    """The names of every field the field being resolved may select, through fragments,
    whatever their directives (a directive can only leave a field out)."""
    raw = info._raw_info
    return frozenset(field.name.value for field in _fields(raw.field_nodes, raw.fragments))


def _on_nodes(info: Info, *, surely: bool) -> Iterator[FieldNode]:
    """The fields selected on the nodes of the connection being resolved, under `nodes`
    and `edges { node }`, through fragments too; `surely` as in `_fields`."""
    raw = info._raw_info
    fragments = raw.fragments
    for field in _fields(raw.field_nodes, fragments, surely=surely):
        if field.name.value == "nodes":
            yield from _fields([field], fragments, surely=surely)
        elif field.name.value == "edges":
            for edge_field in _fields([field], fragments, surely=surely):
                if edge_field.name.value == "node":
                    yield from _fields([edge_field], fragments, surely=surely)


def pages_selected_under(info: Info, name: str) -> list[PageRequest]:
    """The pages the connection field `name`, selected right under the field being
    resolved, will ask for: one per response key (an alias asks for a page of its own),
    as that field works them out from its arguments and its selection. Left out: a
    response key with a selection under a directive (which may leave it out, and with
    it the `totalCount` that decides the page), and arguments the field refuses, which
    it reports itself."""
    raw = info._raw_info
    parent = get_named_type(raw.return_type)
    field_def = parent.fields.get(name) if is_object_type(parent) else None
    if field_def is None:
        return []
    every = _by_response_key(_fields(raw.field_nodes, raw.fragments), name)
    surely = _by_response_key(_fields(raw.field_nodes, raw.fragments, surely=True), name)
    # graphql-core's info holds the variables' `VariableValues`, strawberry's (the one
    # resolvers get) their coerced values alone.
    variables: Any = raw.variable_values
    coerced: dict[str, Any] = getattr(variables, "coerced", variables)
    pages = []
    for key, nodes in surely.items():
        if len(nodes) != len(every[key]):
            continue
        # Nodes under one response key ask for the same arguments (validation's rule),
        # and count if any of them selects the total, as `counts_total`.
        args = _arguments(field_def, nodes[0], coerced)
        count = any(f.name.value == "totalCount" for f in _fields(nodes, raw.fragments))
        try:
            pages.append(page_request(args["first"], args["after"], count=count))
        except (BadUserInput, KeyError, TypeError):
            continue
    return pages


def _by_response_key(fields: Iterable[FieldNode], name: str) -> dict[str, list[FieldNode]]:
    """The fields named `name`, by the response key they answer under."""
    by_key: dict[str, list[FieldNode]] = {}
    for field in fields:
        if field.name.value == name:
            by_key.setdefault((field.alias or field.name).value, []).append(field)
    return by_key


def _arguments(field: GraphQLField, node: FieldNode, variables: dict[str, Any]) -> dict[str, Any]:
    """The field's arguments as the node gives them or their defaults (coerced as
    graphql-core coerces them; one it cannot coerce is left out)."""
    given = {argument.name.value: argument.value for argument in node.arguments or ()}
    values = {}
    for name, argument in field.args.items():
        value = Undefined
        if name in given:
            value = value_from_ast(given[name], argument.type, variables)
        if value is Undefined:
            value = argument.default_value
        if value is not Undefined:
            values[name] = value
    return values


def selected_names_under(info: Info, name: str) -> frozenset[str] | None:
    """The names of the fields surely selected under the field `name` surely selected
    right under the field being resolved (all its selections together), None if it is
    not: for reading ahead, as `node_fields`."""
    raw = info._raw_info
    fragments = raw.fragments
    under = [
        field
        for field in _fields(raw.field_nodes, fragments, surely=True)
        if field.name.value == name
    ]
    if not under:
        return None
    return frozenset(field.name.value for field in _fields(under, fragments, surely=True))


# These read graphql-core's nodes of the field being resolved (`Info._raw_info`), not
# strawberry's `selected_fields`, which converts the whole selection below the field
# on every call: a customer's `orders` asks `counts_total` for every customer of a list.
def _fields(
    parents: Iterable[FieldNode],
    fragments: dict[str, FragmentDefinitionNode],
    *,
    surely: bool = False,
) -> Iterator[FieldNode]:
    """The fields selected right under these fields, through fragments (spread or
    inline) too; `surely`: only those no directive may leave out."""
    for parent in parents:
        yield from _selected(parent.selection_set, fragments, surely)


def _selected(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    surely: bool,
) -> Iterator[FieldNode]:
    for selection in selection_set.selections if selection_set is not None else ():
        if surely and selection.directives:
            continue
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _selected(selection.selection_set, fragments, surely)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None and not (surely and fragment.directives):
                yield from _selected(fragment.selection_set, fragments, surely)


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    offset = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not offset.isdigit():
        raise BadUserInput(f"after: {cursor!r} is not a cursor from this list")
    return int(offset)
