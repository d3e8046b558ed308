"""Executes strawberry's plain attribute fields without graphql-core's per-field machinery.

Most fields of a large answer are "basic": no resolver, no arguments, no field
extensions, so strawberry's resolver is `getattr(source, python_name)` (the function it
marks `_is_default`). graphql-core still runs its whole per-field path for each of them:
`execute_field`, `to_nodes`, a `GraphQLResolveInfo` (strawberry's, with the operation
extensions), a `Path`, the resolver and strawberry's `get_result`, then
`complete_value`. Profiled on 50 products, that path was 28 % of the request's CPU.

`FastFieldsExecutionContext.execute_fields` plans each grouped field set once per
request (a dict lookup per field, the decision itself cached per schema by parent type
and field name) and runs a basic field whose type is a scalar, an enum or an object type
without `is_type_of` (each possibly non-null), and `__typename`, inline: read the
attribute, complete it as `complete_value` would, and build a `Path` only when it is
needed (an object's sub-fields, or an error). A text or boolean leaf holding exactly a
`str` or `bool` is its own serialization: only the response budget is counted. An
object's sub-fields run straight from their steps, kept with the object field's step,
where graphql-core would collect them again and pass through three calls to reach
`execute_fields` (`_execute_object`; not where @defer is in play). A basic field
holding a list of objects (a connection's `nodes`, a stock level's warehouses) is
completed item by item inline (`_complete_objects`): an item of a class already seen
to be a plain object goes straight to its sub-fields, anything else through
graphql-core's own item functions.
A field whose resolver is a method taking `self` and perhaps `info`, with no
arguments and no field extension but `RequestGuard`s (the scope guard), is read by
calling the method itself (`Method`); so is a guarded field without a resolver, by the
`getattr` strawberry's default resolver would make. The guards are asked once per
request, not per item, and a resolve info is built only for a method that is async,
of kind `AWAIT` (below), or reads more of its `info` than the context
(`deferred_info.py`). strawberry's chain around such a resolver (extensions,
`get_arguments`, an `Info`, for an async one a coroutine of its own) cost as much as
reading a product's stock; a refused guard leaves the field to that chain. An async
method runs inline whatever its field's type: its coroutine is completed as the
awaitables below are. So does a method of a type no other kind completes (`AWAIT`: an
object with `is_type_of`, an abstract type), its value completed by graphql-core,
or by its sub-fields' steps once `is_type_of` accepts it (`_complete_value_of`).
Every other field goes through `_resolve_field`, graphql-core's `execute_field` line
for line but with the field's definition, nodes and resolver looked up once per
request instead of once per item. When the operation has resolver middleware, all of
it is graphql-core's own.

What stays the same, on purpose:

- errors: a raised attribute, an `Exception` value, a null in a non-null field (the
  same message) and a leaf that cannot be serialized all go to `handle_field_error`
  with the field's nodes and path, so they are located and propagated as before;
- the response budget: leaves are completed by `complete_leaf_value` (or counted as it
  counts them, for a text, a boolean or a Decimal written inline), in the same order;
- `@defer`: an object's sub-fields go through `collect_and_execute_subfields` with the
  position context, which is where graphql-core splits deferred fragments;
  `@skip`/`@include` are resolved by field collection, before this; a field node with
  any other directive (`@stream` on a list) is left to graphql-core;
- awaitables (an async method's coroutine, an awaitable a method or attribute holds):
  completed as graphql-core's `complete_awaitable_value` completes them (`_complete_awaited`:
  the abort signal honoured, errors located at the field), except that a list of
  objects or a plain object is completed by its sub-fields' steps, as an attribute's
  would be; anything else by `complete_value`, with a resolve info.

For a basic field the fast path builds no `GraphQLResolveInfo`, so it does not apply
where something would read one: resolver middleware (it wraps every resolver), an
object type's `is_type_of` (strawberry's take one), abstract types (their
`resolve_type` does). A list of objects with `is_type_of` is the exception:
graphql-core itself gives all of a list's items the list's info, so one is built per
list; so is a method of kind `AWAIT`, which gets one resolve info for its `Info` and
its value's completion.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from inspect import Parameter, isfunction
from operator import attrgetter
from types import CoroutineType, GeneratorType
from typing import TYPE_CHECKING, Any, Final, TypeAlias, TypeVar
from weakref import WeakKeyDictionary

import graphql
from graphql import (
    FieldNode,
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLResolveInfoHelpers,
    GraphQLSchema,
    GraphQLString,
    TypeNameMetaFieldDef,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import to_nodes
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from resolvers.execution.deferred_info import DeferredInfo, deferred_info_class
from resolvers.execution.gathering import gather_first_inline
from resolvers.execution.guards import RequestGuard
from resolvers.limits.response_budget import (
    DECIMAL_BYTES,
    SCALAR_BYTES,
    TEXT_EXTRA_BYTES,
    BudgetedExecutionContext,
    ResponseTooLarge,
)

if TYPE_CHECKING:
    from graphql.pyutils import AwaitableOrValue

# What a step does with its field. A field planned SLOW (not inline) becomes RESOLVE
# for the request, or stays SLOW if its type has no such field (graphql-core omits it).
SLOW: Final = 0  # graphql-core's execute_field
LEAF: Final = 1  # read the attribute, complete a scalar or enum
OBJECT: Final = 2  # read the attribute, execute the object's sub-fields
TYPENAME: Final = 3  # the parent type's name
RESOLVE: Final = 4  # the field's resolver, as execute_field calls it
OBJECTS: Final = 5  # read the attribute, a list: execute each object's sub-fields
# Leaves of graphql-core's own String and ID (TEXT) or Boolean (FLAG): a value of exactly
# `str` (`bool`) is its own serialization, counted against the response budget here.
TEXT: Final = 6
FLAG: Final = 7
# A leaf of a scalar whose output is `str(value)` (the Decimal scalar): a value of exactly
# `Decimal` is written so here, counted against the budget as `_size` counts it.
DECIMAL: Final = 9
# A method of a type no kind above completes (an object with is_type_of, an abstract
# type, a list of leaves): its value, awaited if it is awaitable, completed by
# graphql-core's complete_value.
AWAIT: Final = 8

# Values that are neither awaitable nor an Exception: they skip both checks. Anything
# else (enum members, other objects) is checked as graphql-core checks it.
_PLAIN: Final = frozenset({str, int, float, bool, Decimal, datetime, date, type(None)})

# The graphql-core whose `execute_fields` and `execute_field` this module follows.
GRAPHQL_CORE_MINOR: Final = (3, 3)

# Selection directives that field collection has already applied.
_COLLECTED_DIRECTIVES: Final = frozenset({"skip", "include"})

# (kind, what to read: an attribute's name or a `Method`, named type (no NonNull),
# whether non-null, field type)
_Plan: TypeAlias = tuple[int, "str | Method", Any, bool, Any]
# (response name, field details, then the plan (the attribute "" for a method), then
# for RESOLVE: (definition, nodes, resolver), for a method: (method, definition, nodes),
# then for an object's fields: `_SubSteps`). A plain tuple, not a NamedTuple: the loop
# of `_execute_steps` unpacks one per field of every object, and CPython unpacks exact
# tuples fastest.
_Step: TypeAlias = tuple[str, FieldDetailsList, int, str, Any, bool, Any, Any, "_SubSteps"]
# The steps of an object field's sub-fields, filled when first needed: empty, then one
# item, the steps, or None when the sub-fields start a deferred fragment.
_SubSteps: TypeAlias = list["list[_Step] | None"]
# An object's fields by name, or a list's items by index, some still awaitable.
R = TypeVar("R", dict[str, Any], list[Any])

# Classes of objects completed straight by their sub-fields (`_complete_objects`,
# `_complete_awaited`): each one's first instance went through graphql-core's checks, or
# `_is_plain_object`'s, and was found an object that is neither None, an error nor
# awaitable. Filled as objects are met; bounded by the schema's object types' classes.
_PLAIN_OBJECT_CLASSES: set[type] = set()

_SLOW_PLAN: Final[_Plan] = (SLOW, "", None, False, None)

# Per schema, per (parent type, field name): the plan. Weak, so a schema built by a
# test does not live on here.
_PLANS: WeakKeyDictionary[GraphQLSchema, dict[tuple[GraphQLObjectType, str], _Plan]] = (
    WeakKeyDictionary()
)


def plan_field(schema: GraphQLSchema, parent_type: GraphQLObjectType, field_name: str) -> _Plan:
    """How to execute this field: inline, or by graphql-core (`SLOW`)."""
    field_def = schema.get_field(parent_type, field_name)
    if field_def is None:
        return _SLOW_PLAN  # graphql-core leaves it out of the answer
    if field_def is TypeNameMetaFieldDef:
        return (TYPENAME, "", _named(field_def.type), True, field_def.type)
    attribute: str | Method | None = _basic_attribute(field_def)
    if attribute is None:
        attribute = _method(schema, field_def)
    if attribute is None:
        return _SLOW_PLAN
    field_type = field_def.type
    named = _named(field_type)
    non_null = is_non_null_type(field_type)
    if named is GraphQLString or named is GraphQLID:
        return (TEXT, attribute, named, non_null, field_type)
    if named is GraphQLBoolean:
        return (FLAG, attribute, named, non_null, field_type)
    if is_leaf_type(named):
        decimal = getattr(named, "coerce_output_value", None) is str
        return (DECIMAL if decimal else LEAF, attribute, named, non_null, field_type)
    if is_object_type(named) and named.is_type_of is None:
        return (OBJECT, attribute, named, non_null, field_type)
    if is_list_type(named):
        item = _named(named.of_type)
        if is_object_type(item):
            return (OBJECTS, attribute, item, non_null, field_type)
    if isinstance(attribute, Method):
        return (AWAIT, attribute, named, non_null, field_type)
    return _SLOW_PLAN  # other lists, abstract types, objects with is_type_of


def _basic_attribute(field_def: GraphQLField) -> str | None:
    """The attribute strawberry's default resolver would read, or None if the field has
    a resolver of its own, arguments, field extensions or a custom default resolver."""
    resolve = field_def.resolve
    if resolve is None or getattr(resolve, "_is_default", False) is not True or field_def.args:
        return None
    field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(field, StrawberryField) or not field.is_basic_field:
        return None
    if field.default_resolver is not getattr:  # StrawberryConfig.default_resolver
        return None
    return field.python_name


@dataclass(frozen=True)
class Method:
    """A field's resolver that the fast path calls itself, as strawberry would: a
    method (synchronous or async) taking `self` and perhaps `info` (a strawberry
    `Info`), or the attribute strawberry's default resolver reads for a field without
    a resolver; no arguments, guarded by `RequestGuard`s only (checked once per
    request)."""

    function: Callable[..., Any]
    takes_info: bool
    is_async: bool
    guards: tuple[RequestGuard, ...]
    field: StrawberryField
    info_class: type[Info[Any, Any]]
    # For a synchronous method: the `Info` that builds its resolve info when read.
    deferred_info_class: DeferredInfo


def _method(schema: GraphQLSchema, field_def: GraphQLField) -> Method | None:
    """The field's resolver as a `Method`, or None if strawberry's chain around it could
    do more than call it: arguments to convert, `root`/`parent` parameters, other field
    extensions (permission classes are one), exception handlers."""
    field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    strawberry_schema = getattr(schema, "_strawberry_schema", None)
    if not isinstance(field, StrawberryField) or strawberry_schema is None:
        return None
    if field_def.args:
        return None
    if not all(isinstance(extension, RequestGuard) for extension in field.extensions):
        return None
    handlers = getattr(strawberry_schema.schema_converter, "_exception_handler_specs", None)
    if handlers is None or handlers:  # a strawberry without them is not the one read
        return None
    guards: tuple[RequestGuard, ...] = tuple(field.extensions)  # type: ignore[arg-type]
    info_class = strawberry_schema.config.info_class
    resolver = field.base_resolver
    if resolver is None:  # a guarded attribute: `get_result` calls the default resolver
        # (without extensions it is a basic field, planned as one)
        if not guards or field.default_resolver is not getattr:
            return None
        read = attrgetter(field.python_name)
        return Method(
            function=read,
            takes_info=False,
            is_async=False,
            guards=guards,
            field=field,
            info_class=info_class,
            deferred_info_class=deferred_info_class(info_class),
        )
    if resolver.arguments or not isfunction(resolver.wrapped_func):  # static, class
        return None
    parameters = list(resolver.signature.parameters.values())
    if not parameters or resolver.self_parameter is not parameters[0]:
        return None
    expected = [resolver.self_parameter]
    if resolver.info_parameter is not None:
        expected.append(resolver.info_parameter)
    if parameters != expected or any(p.kind not in _POSITIONAL for p in parameters):
        return None
    return Method(
        function=resolver.wrapped_func,
        takes_info=resolver.info_parameter is not None,
        is_async=resolver.is_async,
        guards=guards,
        field=field,
        info_class=info_class,
        deferred_info_class=deferred_info_class(info_class),
    )


_POSITIONAL: Final = (Parameter.POSITIONAL_ONLY, Parameter.POSITIONAL_OR_KEYWORD)


def _is_plain_object(item: Any) -> bool:
    """Whether every instance of the item's class is an object to complete by its
    sub-fields, by graphql-core's tests: not None or Undefined, not an Exception, not
    awaitable, with nothing an instance could change (`__getattr__` could answer for
    `__await__`, a custom `__class__` could answer for `isinstance`)."""
    cls = type(item)
    return (
        item is not None
        and item is not Undefined
        and item.__class__ is cls
        and not issubclass(cls, (Exception, GeneratorType, CoroutineType))
        and not hasattr(cls, "__await__")
        and not hasattr(cls, "__getattr__")
    )


def _known_plain_object(value: Any) -> bool:
    """Whether the value's class is known to be a plain object (`_is_plain_object`),
    learning it from this value if it is one."""
    cls = value.__class__
    if cls in _PLAIN_OBJECT_CLASSES:
        return True
    if _is_plain_object(value):
        _PLAIN_OBJECT_CLASSES.add(cls)
        return True
    return False


def _named(field_type: GraphQLOutputType) -> Any:
    return field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type


def _weakly_bound_helpers(context: BudgetedExecutionContext) -> GraphQLResolveInfoHelpers:
    """graphql-core's helpers for resolvers, without a reference to `context`.

    graphql-core binds them to the context that holds them: a cycle, which keeps the
    request (its context, its loaders and every record they read, about 5,000 objects
    on the federated customer-360) alive until the collector's full pass, a pass that
    then walks all of them. Without it they are freed when the request ends."""
    owner = weakref.ref(context)

    def track(values: Sequence[Any]) -> None:
        alive = owner()
        if alive is not None:  # else the request is over: nothing is left to track
            alive.track_async_work(values)

    def gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
        return gather_with_cancel(*values)  # what ExecutionContext.gather_async_work does

    return GraphQLResolveInfoHelpers(gather=gather, track=track)


class FastFieldsExecutionContext(BudgetedExecutionContext):
    """The budgeted execution context, with basic fields executed inline."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # Middleware wraps every resolver, basic ones included: then nothing is inline.
        # The copied lines of graphql-core are those of 3.3: another minor version runs
        # its own code until this module is checked against it.
        self.fast_fields = (manager is None or not manager.middlewares) and (
            graphql.version_info[:2] == GRAPHQL_CORE_MINOR
        )
        plans = _PLANS.get(self.schema)
        if plans is None:
            plans = _PLANS.setdefault(self.schema, {})
        self._plans = plans
        # Per grouped field set (graphql-core memoizes them per request, so the 50
        # items of a list share one): its steps. Shared with sub-executors (copies).
        self._steps: dict[int, tuple[GroupedFieldSet, GraphQLObjectType, list[_Step]]] = {}
        self.async_helpers = _weakly_bound_helpers(self)

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """graphql-core's `execute_fields`, with the planned fields executed inline."""
        if not self.fast_fields:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        return self._execute_steps(
            parent_type,
            source_value,
            path,
            self._steps_of(parent_type, grouped_field_set),
            position_context,
        )

    def _steps_of(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> list[_Step]:
        known = self._steps.get(id(grouped_field_set))
        if known is None or known[0] is not grouped_field_set or known[1] is not parent_type:
            known = (
                grouped_field_set,
                parent_type,
                self._plan_steps(parent_type, grouped_field_set),
            )
            self._steps[id(grouped_field_set)] = known
        return known[2]

    def _execute_steps(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        steps: list[_Step],
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for (
                response_name,
                field_details_list,
                kind,
                attribute,
                named,
                non_null,
                field_type,
                resolver,
                sub_steps,
            ) in steps:
                if kind == RESOLVE:
                    result = self._resolve_field(
                        parent_type,
                        source_value,
                        field_details_list,
                        Path(path, response_name, parent_type.name),
                        position_context,
                        *resolver,
                    )
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
                    continue
                if kind == SLOW:
                    result = self.execute_field(
                        parent_type,
                        source_value,
                        field_details_list,
                        Path(path, response_name, parent_type.name),
                        position_context,
                    )
                    if result is not Undefined:
                        results[response_name] = result
                        if is_awaitable(result):
                            awaitable_fields.append(response_name)
                    continue
                try:
                    if kind == TYPENAME:
                        results[response_name] = self.complete_leaf_value(named, parent_type.name)
                        continue
                    if resolver is None:
                        value = getattr(source_value, attribute)
                    elif resolver[0].is_async or kind == AWAIT:
                        field_path = Path(path, response_name, parent_type.name)
                        result = self._call_awaiting_method(
                            parent_type,
                            source_value,
                            field_details_list,
                            field_path,
                            position_context,
                            kind,
                            named,
                            field_type,
                            sub_steps,
                            *resolver,
                        )
                        results[response_name] = result
                        if resolver[0].is_async or is_awaitable(result):
                            awaitable_fields.append(response_name)
                        continue
                    else:
                        value = self._call_method(
                            parent_type, source_value, path, response_name, *resolver
                        )
                    if value.__class__ not in _PLAIN:
                        if is_awaitable(value):
                            result = self._complete_awaited(
                                value,
                                parent_type,
                                field_details_list,
                                Path(path, response_name, parent_type.name),
                                position_context,
                                kind,
                                named,
                                field_type,
                                sub_steps,
                            )
                            results[response_name] = result
                            awaitable_fields.append(response_name)
                            continue
                        if isinstance(value, Exception):
                            raise value
                    if value is None or value is Undefined:
                        if non_null:
                            raise TypeError(
                                "Cannot return null for non-nullable field"
                                f" {parent_type.name}.{field_details_list[0].node.name.value}."
                            )
                        results[response_name] = None
                    elif kind == TEXT and value.__class__ is str:
                        # complete_leaf_value without its calls: a str is its own
                        # serialization, and the budget counts it as `_size` would.
                        self.response_bytes += len(value) + TEXT_EXTRA_BYTES
                        if self.response_bytes > self.max_response_bytes:
                            raise ResponseTooLarge(self.max_response_bytes)
                        results[response_name] = value
                    elif kind == FLAG and value.__class__ is bool:
                        self.response_bytes += SCALAR_BYTES  # as TEXT
                        if self.response_bytes > self.max_response_bytes:
                            raise ResponseTooLarge(self.max_response_bytes)
                        results[response_name] = value
                    elif kind == DECIMAL and value.__class__ is Decimal:
                        self.response_bytes += DECIMAL_BYTES  # as TEXT
                        if self.response_bytes > self.max_response_bytes:
                            raise ResponseTooLarge(self.max_response_bytes)
                        results[response_name] = str(value)
                    elif kind != OBJECT and kind != OBJECTS:
                        results[response_name] = self.complete_leaf_value(named, value)
                    else:
                        field_path = Path(path, response_name, parent_type.name)
                        completed: Any
                        if kind == OBJECT:
                            completed = self._execute_object(
                                named,
                                field_details_list,
                                sub_steps,
                                field_path,
                                value,
                                position_context,
                            )
                        elif value.__class__ is list or value.__class__ is tuple:
                            completed = self._complete_objects(
                                parent_type,
                                named,
                                field_type,
                                field_details_list,
                                sub_steps,
                                field_path,
                                value,
                                position_context,
                            )
                        else:  # another iterable, or not one: graphql-core checks it
                            completed = self._complete_by_graphql_core(
                                parent_type, field_details_list, field_path, value, position_context
                            )
                        results[response_name] = completed
                        if is_awaitable(completed):
                            results[response_name] = self._await_completed(
                                completed, field_type, field_details_list, field_path
                            )
                            awaitable_fields.append(response_name)
                except Exception as raw_error:
                    # As execute_field: located, raised again if the field is non-null.
                    self.handle_field_error(
                        raw_error,
                        field_type,
                        field_details_list,
                        Path(path, response_name, parent_type.name),
                    )
                    results[response_name] = None
        except Exception:
            if awaitable_fields:
                # As graphql-core: settle the other fields' awaitables, which may fail.
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise

        if not awaitable_fields:
            return results
        return self._gather_results(results, awaitable_fields)

    def _execute_object(
        self,
        object_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        sub_steps: _SubSteps,
        path: Path,
        source: Any,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """graphql-core's `collect_and_execute_subfields`: where no @defer is in play
        (no position context, no deferred fragment among the sub-fields), its calls end
        in `execute_fields(object_type, source, path, sub-fields, None)`, and the steps
        of those sub-fields, kept with the field's own step, are run straight away."""
        if position_context is None:
            if not sub_steps:
                grouped, new_defer_usages, _ = self.collect_subfields(
                    object_type, field_details_list
                )
                sub_steps.append(None if new_defer_usages else self._steps_of(object_type, grouped))
            steps = sub_steps[0]
            if steps is not None:
                return self._execute_steps(object_type, source, path, steps, None)
        return self.collect_and_execute_subfields(
            object_type, field_details_list, path, source, position_context
        )

    def _plan_steps(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> list[_Step]:
        plans = self._plans
        steps: list[_Step] = []
        for response_name, field_details_list in grouped_field_set.items():
            node = field_details_list[0].node
            field_name = node.name.value
            plan = plans.get((parent_type, field_name))
            if plan is None:
                plan = plans[parent_type, field_name] = plan_field(
                    self.schema, parent_type, field_name
                )
            if plan[0] != SLOW and not _plain_nodes(field_details_list):
                plan = _SLOW_PLAN
            kind, read, named, non_null, field_type = plan
            attribute = ""
            # RESOLVE: (definition, nodes, resolver); a method: (method, definition, nodes)
            resolver: tuple[Any, ...] | None = None
            if isinstance(read, Method):
                if self._passes(read.guards, field_name):
                    field_def = self.schema.get_field(parent_type, field_name)
                    resolver = (read, field_def, to_nodes(field_details_list))
                else:  # each item meets the refusal at its own path, as without this
                    kind = SLOW
            else:
                attribute = read
            if kind == SLOW:
                field_def = self.schema.get_field(parent_type, field_name)
                if field_def is not None:
                    # Once per request, not once per item: the nodes and the resolver.
                    resolve = field_def.resolve or self.field_resolver
                    resolver = (field_def, to_nodes(field_details_list), resolve)
                    kind = RESOLVE
            steps.append(
                (
                    response_name,
                    field_details_list,
                    kind,
                    attribute,
                    named,
                    non_null,
                    field_type,
                    resolver,
                    [],
                )
            )
        return steps

    def _passes(self, guards: tuple[RequestGuard, ...], field_name: str) -> bool:
        try:
            for guard in guards:
                guard.check_request(self.context_value, field_name)
        except Exception:  # raised again where the field resolves
            return False
        return True

    def _call_method(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        path: Path | None,
        response_name: str,
        method: Method,
        field_def: GraphQLField,
        field_nodes: list[FieldNode],
    ) -> Any:
        """What strawberry's chain around the resolver ends in: `function(source)`, with
        an `Info` over a resolve info of its own if it takes one."""
        if not method.takes_info:
            return method.function(source)
        build = partial(
            self.build_resolve_info,
            field_def,
            field_nodes,
            parent_type,
            Path(path, response_name, parent_type.name),
        )
        return method.function(
            source, method.deferred_info_class(self.context_value, build, method.field)
        )

    def _call_awaiting_method(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
        kind: int,
        named: Any,
        field_type: GraphQLOutputType,
        sub_steps: _SubSteps,
        method: Method,
        field_def: GraphQLField,
        field_nodes: list[FieldNode],
    ) -> Any:
        """An async method's coroutine, or a method's awaitable value, completed as
        `execute_field` completes the one of strawberry's chain (`_complete_awaited`);
        a method's value of kind `AWAIT` completed by `complete_value`. One resolve info
        serves the method's `Info` and the completion."""
        raw_info = self.build_resolve_info(field_def, field_nodes, parent_type, path)
        if method.takes_info:
            value = method.function(
                source, method.info_class(_raw_info=raw_info, _field=method.field)
            )
        else:
            value = method.function(source)
        if method.is_async or self.is_awaitable(value):
            return self._complete_awaited(
                value,
                parent_type,
                field_details_list,
                path,
                position_context,
                kind,
                named,
                field_type,
                sub_steps,
                raw_info,
            )
        completed = self._complete_value_of(
            kind,
            named,
            field_type,
            field_details_list,
            sub_steps,
            raw_info,
            path,
            value,
            position_context,
        )
        if self.is_awaitable(completed):  # an object's sub-fields still running
            return self._await_completed(completed, field_type, field_details_list, path)
        return completed

    def _complete_value_of(
        self,
        kind: int,
        named: Any,
        field_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        sub_steps: _SubSteps,
        info: GraphQLResolveInfo[Any],
        path: Path,
        value: Any,
        position_context: Any,
    ) -> AwaitableOrValue[Any]:
        """`complete_value`; for a plain object of an object type with `is_type_of`
        (kind `AWAIT`, a product for instance) that `is_type_of` accepts,
        `complete_object_value`'s sub-fields by their steps, as `_execute_object` runs
        them. Anything else, a refusal included, is graphql-core's: it asks again and
        raises its own error."""
        if (
            kind == AWAIT
            and named.__class__ is GraphQLObjectType
            and named.is_type_of is not None
            and _known_plain_object(value)
            and named.is_type_of(value, info) is True
        ):
            return self._execute_object(
                named, field_details_list, sub_steps, path, value, position_context
            )
        return self.complete_value(
            field_type, field_details_list, info, path, value, position_context
        )

    async def _complete_awaited(
        self,
        awaitable: Awaitable[Any],
        parent_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
        kind: int,
        named: Any,
        field_type: GraphQLOutputType,
        sub_steps: _SubSteps,
        info: GraphQLResolveInfo[Any] | None = None,
    ) -> Any:
        """graphql-core's `complete_awaitable_value` (3.3.2), with the awaited value
        completed as the fast path completes an attribute's where its kind allows: a
        list (or tuple) of objects item by item (`_complete_objects`), a plain object
        by its sub-fields (`_execute_object`). Any other value (None, an error, a
        leaf, an object of a class not known to be plain) goes to `complete_value`,
        with a resolve info built for it if none was."""
        try:
            if self.abort_signal is None:  # with_abort_signal's own shortcut, inline
                value = await awaitable
            else:
                value = await self.with_abort_signal(awaitable)
            cls = value.__class__
            completed: Any
            if kind == OBJECTS and (cls is list or cls is tuple):
                completed = self._complete_objects(
                    parent_type,
                    named,
                    field_type,
                    field_details_list,
                    sub_steps,
                    path,
                    value,
                    position_context,
                )
            elif kind == OBJECT and _known_plain_object(value):
                completed = self._execute_object(
                    named, field_details_list, sub_steps, path, value, position_context
                )
            else:
                if info is None:
                    info = self._info_for(parent_type, field_details_list, path)
                completed = self._complete_value_of(
                    kind,
                    named,
                    field_type,
                    field_details_list,
                    sub_steps,
                    info,
                    path,
                    value,
                    position_context,
                )
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, field_details_list, path)
            completed = None
        return completed

    async def _gather_results(self, results: R, awaiting: list[Any]) -> R:
        """graphql-core's get_results (of fields) and get_completed_results (of a
        list's items): the awaitables under these keys (names, indices) awaited in
        parallel, each replaced by its value; with one task fewer than graphql-core's
        `gather_with_cancel` (`gathering.py`)."""
        if len(awaiting) == 1:
            key = awaiting[0]
            results[key] = await results[key]
        else:
            awaited = await gather_first_inline([results[key] for key in awaiting])
            for key, value in zip(awaiting, awaited, strict=True):
                results[key] = value
        return results

    def _resolve_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
        field_def: GraphQLField,
        field_nodes: list[FieldNode],
        resolve_fn: Callable[..., Any],
    ) -> Any:
        """graphql-core's `execute_field` (3.3.2), line for line, but with the field's
        definition, nodes and resolver looked up once per request by `_plan_steps`
        (`to_nodes` and `get_field` for every item of a list were 3 % of the CPU): the
        infos of one field share one `field_nodes` list, which nothing changes."""
        return_type = field_def.type
        info = self.build_resolve_info(field_def, field_nodes, parent_type, path)
        try:
            first_field_details = field_details_list[0]
            first_field_node = first_field_details.node
            args = (
                get_argument_values(
                    field_def,
                    first_field_node,
                    self.variable_values,
                    first_field_details.fragment_variable_values,
                    self.hide_suggestions,
                )
                if field_def.args or first_field_node.arguments
                else {}
            )
            result = resolve_fn(source, info, **args)
            if self.is_awaitable(result):
                return self.complete_awaitable_value(
                    return_type, field_details_list, info, path, result, position_context
                )
            completed = self.complete_value(
                return_type, field_details_list, info, path, result, position_context
            )
            if self.is_awaitable(completed):
                return self._await_completed(completed, return_type, field_details_list, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        return completed

    def _complete_objects(
        self,
        parent_type: GraphQLObjectType,
        item_named: GraphQLObjectType,
        field_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        sub_steps: _SubSteps,
        path: Path,
        items: list[Any] | tuple[Any, ...],
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        """graphql-core's `complete_iterable_value` (3.3.2) for a list of objects, with
        each item of a known plain class (`_is_plain_object`) that passes the type's
        `is_type_of` (if it has one) completed straight by its sub-fields
        (`_execute_object`), where graphql-core's `complete_list_item_value`,
        `complete_value` and `complete_object_value` would reach the same call through a
        dozen type checks.
        Any other item (None, an error, an awaitable, a class not seen yet) is completed
        by graphql-core's own functions, with a resolve info built for it."""
        item_type = _named(field_type).of_type  # the item's type, NonNull kept
        is_awaitable = self.is_awaitable
        plain = _PLAIN_OBJECT_CLASSES
        completed_results: list[Any] = []
        append_completed = completed_results.append
        awaitable_indices: list[int] = []
        # One for the whole list, as graphql-core passes its items: for `is_type_of`
        # (strawberry's, on types with interfaces) and the items it completes itself.
        is_type_of = item_named.is_type_of
        type_info = (
            None if is_type_of is None else self._info_for(parent_type, field_details_list, path)
        )
        info = type_info
        try:
            for index, item in enumerate(items):
                item_path = Path(path, index, None)
                if item.__class__ in plain:
                    try:
                        if is_type_of is None or (
                            type_info is not None and is_type_of(item, type_info) is True
                        ):
                            completed = self._execute_object(
                                item_named,
                                field_details_list,
                                sub_steps,
                                item_path,
                                item,
                                position_context,
                            )
                        else:  # awaitable, or not of the type: graphql-core's error
                            assert type_info is not None  # built where is_type_of is
                            completed = self.complete_object_value(
                                item_named,
                                field_details_list,
                                type_info,
                                item_path,
                                item,
                                position_context,
                            )
                        if is_awaitable(completed):
                            completed = self._await_completed(
                                completed, item_type, field_details_list, item_path
                            )
                            awaitable_indices.append(index)
                        append_completed(completed)
                    except Exception as raw_error:
                        self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                        append_completed(None)
                else:
                    if info is None:
                        info = self._info_for(parent_type, field_details_list, path)
                    if is_awaitable(item):
                        append_completed(
                            self.complete_awaitable_list_item_value(
                                item,
                                item_type,
                                field_details_list,
                                info,
                                item_path,
                                position_context,
                            )
                        )
                        awaitable_indices.append(index)
                    else:
                        if self.complete_list_item_value(
                            item,
                            completed_results,
                            item_type,
                            field_details_list,
                            info,
                            item_path,
                            position_context,
                        ):
                            awaitable_indices.append(index)
                        if _is_plain_object(item):
                            plain.add(item.__class__)
        except Exception:
            # As graphql-core: the items already awaiting are settled, then the error
            # (a null in a non-null item) goes on to the list's field.
            if awaitable_indices:
                self.settle_in_background([completed_results[i] for i in awaitable_indices])
            raise
        if not awaitable_indices:
            return completed_results
        return self._gather_results(completed_results, awaitable_indices)

    def _complete_by_graphql_core(
        self,
        parent_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Path,
        value: Any,
        position_context: Any,
    ) -> AwaitableOrValue[Any]:
        """A value completed by graphql-core's `complete_value`, as execute_field does."""
        info = self._info_for(parent_type, field_details_list, path)
        return self.complete_value(
            info.return_type, field_details_list, info, path, value, position_context
        )

    def _info_for(
        self, parent_type: GraphQLObjectType, field_details_list: FieldDetailsList, path: Path
    ) -> GraphQLResolveInfo[Any]:
        field_def = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
        assert field_def is not None
        return self.build_resolve_info(field_def, to_nodes(field_details_list), parent_type, path)

    async def _await_completed(
        self,
        completed: Awaitable[Any],
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> Any:
        """execute_field's await_completed: an object's sub-fields still running."""
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None


def _plain_nodes(field_details_list: FieldDetailsList) -> bool:
    """Whether every node of the field has no arguments and no directive other than
    those field collection applied."""
    for details in field_details_list:
        node = details.node
        if node.arguments:
            return False
        for directive in node.directives or ():
            if directive.name.value not in _COLLECTED_DIRECTIVES:
                return False
    return True
