"""One pass over a GraphQL document that measures what running it would ask for.

Depth, alias count and cost are computed together, with every fragment measured once
and memoised: a fragment spread twice by each of 30 nested fragments describes 2^30
fields, and is measured in 30 steps. Strawberry's own depth and alias validators
re-walk a fragment at every spread, which is exponential in such a document; this pass
is linear in the document's size, and runs before graphql-core's validation so that
nothing a client sends costs more than that before it is refused.

The cost model (in `CostModel`): every field costs 1; a field that takes `first` is a
connection, whose list fields (`nodes`, `edges`) repeat their selection `first` times;
any other list field repeats it `list_estimate` times; each root field of a mutation
adds `mutation_weight`. It is an upper bound of the work, not a count of what a given
customer's data will produce.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

PAGE_SIZE_ARGUMENT = "first"


@dataclass(frozen=True, slots=True)
class CostModel:
    list_estimate: int = 10  # items assumed in a plain list (order lines, warehouses)
    mutation_weight: int = 10  # added per root field of a mutation


@dataclass(frozen=True, slots=True)
class Measure:
    """What a selection set asks for: how deep it nests, how many aliases it has, and its
    cost as a function of the page it sits in, `fixed + repeated * items`. Keeping
    the two apart lets a fragment be measured once wherever it is spread: its list
    fields repeat `first` times inside a connection and `list_estimate` times elsewhere.
    """

    fixed: int = 0  # the cost of fields that do not repeat with the page
    repeated: int = 0  # the cost of one item of each list field
    depth: int = 0
    aliases: int = 0

    def beside(self, other: Measure) -> Measure:
        """Two selections side by side in one selection set."""
        return Measure(
            self.fixed + other.fixed,
            self.repeated + other.repeated,
            max(self.depth, other.depth),
            self.aliases + other.aliases,
        )

    def cost(self, items: int) -> int:
        return self.fixed + self.repeated * items


NOTHING = Measure()


class DocumentRefused(Exception):
    """The limits' pass refuses the document; the message says why, for the client."""


class FragmentCycle(DocumentRefused):
    """A fragment spreads itself, directly or through others."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Cannot spread fragment '{name}' within itself.")


# Fields within fields and fragments within fragments, together. Far above any
# depth limit; it bounds this pass's recursion, which a long chain of fragments each
# spreading the next would otherwise take past Python's stack.
MAX_NESTING = 200
# A fan-out of fragments can describe 2^1000 fields; past this (JSON's largest exact
# integer in JavaScript) the figure only needs to say "too much".
MAX_REPORTED_COST = 2**53 - 1


@dataclass(frozen=True, slots=True)
class DocumentMeasure:
    cost: int  # of the operation that would run
    deepest: int  # the largest depth of any operation or fragment in the document
    most_aliases: int  # likewise for aliases
    # The variables whose values the measure read (a connection's `first`): with the
    # same values, the same document measures the same.
    variables_read: frozenset[str] = frozenset()


def measure_document(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode | None,
    variables: Mapping[str, Any] | None,
    model: CostModel,
) -> DocumentMeasure:
    """Measures every definition of the document once, so that no part of it escapes
    the limits (graphql-core validates them all). The cost is that of `operation`, the
    one that would run; when it is not known (a document of several operations and no
    operation name), that of the dearest."""
    meter = _Meter(schema, document, variables or {}, model)
    operations = {id(o): meter.operation(o) for o in _operations(document)}
    fragments = [meter.fragment(name) for name in meter.fragments]
    measures = [*operations.values(), *fragments]
    running = operations.values() if operation is None else [operations[id(operation)]]
    cost = max((m.cost(model.list_estimate) for m in running), default=0)
    return DocumentMeasure(
        cost=min(cost, MAX_REPORTED_COST),
        deepest=max((m.depth for m in measures), default=0),
        most_aliases=max((m.aliases for m in measures), default=0),
        variables_read=frozenset(meter.variables_read),
    )


def _operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


class _Meter:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: Mapping[str, Any],
        model: CostModel,
    ) -> None:
        self._schema = schema
        self._variables = variables
        self._model = model
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._measured: dict[str, Measure] = {}
        self._in_progress: set[str] = set()
        self._variable_defaults: dict[str, Any] = {}
        self._nesting = 0
        self.variables_read: set[str] = set()

    def operation(self, operation: OperationDefinitionNode) -> Measure:
        self._variable_defaults = {
            d.variable.name.value: d.default_value for d in operation.variable_definitions or ()
        }
        root = self._schema.get_root_type(operation.operation)
        measure = self._selections(operation.selection_set, root)
        if operation.operation is OperationType.MUTATION:
            roots = sum(isinstance(s, FieldNode) for s in operation.selection_set.selections)
            weight = Measure(fixed=roots * self._model.mutation_weight)
            measure = measure.beside(weight)
        return measure

    def fragment(self, name: str) -> Measure:
        if name in self._measured:
            return self._measured[name]
        definition = self.fragments.get(name)
        if definition is None:  # validation reports the unknown fragment
            return NOTHING
        if name in self._in_progress:
            raise FragmentCycle(name)
        self._in_progress.add(name)
        on_type = self._schema.get_type(definition.type_condition.name.value)
        measure = self._nested(definition.selection_set, on_type)
        self._in_progress.discard(name)
        self._measured[name] = measure
        return measure

    def _nested(self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None) -> Measure:
        self._nesting += 1
        if self._nesting > MAX_NESTING:
            raise DocumentRefused(
                f"The document nests fields and fragments over {MAX_NESTING} deep."
            )
        try:
            return self._selections(selection_set, parent)
        finally:
            self._nesting -= 1

    def _selections(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> Measure:
        total = NOTHING
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total = total.beside(self._field(selection, parent))
            elif isinstance(selection, FragmentSpreadNode):
                total = total.beside(self.fragment(selection.name.value))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                on_type = (
                    parent if condition is None else self._schema.get_type(condition.name.value)
                )
                total = total.beside(self._selections(selection.selection_set, on_type))
        return total

    def _field(self, field: FieldNode, parent: GraphQLNamedType | None) -> Measure:
        definition = self._definition(field.name.value, parent)
        alias = 1 if field.alias is not None else 0
        if definition is None or field.selection_set is None:  # a leaf, or unknown to validation
            # Depth counts nested selection sets, as strawberry's limiter did: `{ a }` is 0.
            return Measure(fixed=1, aliases=alias)
        children = self._nested(field.selection_set, get_named_type(definition.type))
        items = self._page_size(field, definition)
        one = 1 + children.cost(items)
        if _is_list(definition.type):  # repeats with the page it sits in
            return Measure(
                fixed=1,
                repeated=one - 1,
                depth=1 + children.depth,
                aliases=alias + children.aliases,
            )
        return Measure(fixed=one, depth=1 + children.depth, aliases=alias + children.aliases)

    def _definition(self, name: str, parent: GraphQLNamedType | None) -> GraphQLField | None:
        if name == "__schema":
            return SchemaMetaFieldDef
        if name == "__type":
            return TypeMetaFieldDef
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            field: GraphQLField | None = parent.fields.get(name)
            return field
        return None

    def _page_size(self, field: FieldNode, definition: GraphQLField) -> int:
        """How many times the list fields directly under `field` repeat: the `first` of a
        connection, the configured estimate for anything else."""
        argument = definition.args.get(PAGE_SIZE_ARGUMENT)
        if argument is None:
            return self._model.list_estimate
        given = next(
            (a.value for a in field.arguments or () if a.name.value == PAGE_SIZE_ARGUMENT), None
        )
        value = self._value_of(given)
        if value is None:
            value = argument.default_value
        return value if _is_count(value) else self._model.list_estimate

    def _value_of(self, node: Any) -> Any:
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, VariableNode):
            name = node.name.value
            self.variables_read.add(name)
            if name in self._variables:
                return self._variables[name]
            return self._value_of(self._variable_defaults.get(name))
        return None


def _is_list(type_: GraphQLOutputType) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
