"""Basic fields executed inline answer exactly as graphql-core's own path does: the same
data, the same errors (message, locations, path) and the same null propagation.

Every query runs twice on one schema through graphql-core's `execute`, as strawberry
calls it: with `FastFieldsExecutionContext` and with the plain budgeted context."""

from __future__ import annotations

import asyncio
import enum
from decimal import Decimal
from typing import Annotated, Any
from unittest import mock

import pytest
import strawberry
from graphql import (
    ExecutionResult,
    GraphQLObjectType,
    GraphQLSchema,
    MiddlewareManager,
    execute,
    experimental_execute_incrementally,
    parse,
)
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import FieldExtension
from strawberry.schema.config import StrawberryConfig

from resolvers.execution.fast_fields import (
    AWAIT,
    DECIMAL,
    FLAG,
    GRAPHQL_CORE_MINOR,
    LEAF,
    OBJECT,
    OBJECTS,
    SLOW,
    TEXT,
    TYPENAME,
    FastFieldsExecutionContext,
    Method,
    plan_field,
)
from resolvers.execution.guards import RequestGuard
from resolvers.limits.response_budget import BudgetedExecutionContext, budgeted
from resolvers.schema import build_schema


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Money:
    amount: Decimal
    currency: str


@strawberry.type
class Maker:
    name: str
    country: str | None


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Gadget(Named):
    colour: Colour | None
    weight: int | None
    required: str
    count: int
    price: Money | None
    list_price: Money
    maker: Maker | None
    tags: list[str | None]
    on_sale: bool | None
    code: strawberry.ID | None

    @strawberry.field
    def label(self, upper: bool = False) -> str:
        return self.name.upper() if upper else self.name

    @strawberry.field
    def fails(self) -> str | None:
        raise ValueError(f"{self.name} fails")

    @strawberry.field
    def must(self) -> str:
        return None  # type: ignore[return-value]

    @strawberry.field
    async def eventually(self, fail: bool = False) -> str | None:
        await asyncio.sleep(0)
        if fail:
            raise ValueError(f"{self.name} fails later")
        return self.name


@strawberry.type
class Widget(Named):
    size: int


Thing = Annotated[Gadget | Widget, strawberry.union("Thing")]


class Text(str):
    """Not exactly a str: completed by graphql-core, not inline."""


def gadget(name: str, **changes: Any) -> Gadget:
    values: dict[str, Any] = {
        "name": name,
        "colour": Colour.RED,
        "weight": 3,
        "required": "yes",
        "count": 1,
        "price": Money(amount=Decimal("9.50"), currency="EUR"),
        "list_price": Money(amount=Decimal("12.00"), currency="EUR"),
        "maker": Maker(name="Acme", country=None),
        "tags": ["a", None, "b"],
        "on_sale": True,
        "code": strawberry.ID(f"G-{name}"),
        **changes,
    }
    return Gadget(**values)


GOOD = [gadget(f"g{i}", colour=Colour.BLUE if i % 2 else Colour.RED) for i in range(5)]
BAD: dict[str, Any] = {
    "null_in_non_null": gadget("nn", required=None),
    "null_object_in_non_null": gadget("no", list_price=None),
    "bad_int": gadget("bi", weight="heavy"),
    "bad_non_null_int": gadget("bn", count="many"),
    "bad_enum": gadget("be", colour="green"),
    "exception_value": gadget("ex", weight=ValueError("no weight")),
    "bad_leaf_in_object": gadget("bo", maker=Maker(name=None, country="NL")),  # type: ignore[arg-type]
    "bad_string": gadget("bs", price=Money(amount=Decimal(1), currency=["EUR"])),  # type: ignore[arg-type]
    "bad_id": gadget("bd", code=["G"]),
    "bad_bool": gadget("bb", on_sale="yes"),
}
# Texts, ids and booleans of another class than str and bool: serialized by graphql-core.
COERCED: dict[str, Any] = {
    "text_from_int": (gadget("ti", required=7), "required", "7"),
    "id_from_int": (gadget("ii", code=41), "code", "41"),
    "bool_from_int": (gadget("bf", on_sale=0), "onSale", False),
    "text_subclass": (gadget("ts", required=Text("its own class")), "required", "its own class"),
}


@strawberry.type
class Shelf:
    """Lists of objects in plain attributes: completed item by item inline."""

    gadgets: list[Gadget | None] | None
    required: list[Gadget]
    widgets: list[Widget] | None  # Widget has an interface: strawberry's is_type_of


class Iterates:
    """An iterable that is neither a list nor a tuple: graphql-core completes it."""

    def __iter__(self) -> Any:
        return iter(GOOD[:2])


async def eventual_gadget() -> Gadget:
    await asyncio.sleep(0)
    return GOOD[3]


# Each run gets a shelf of its own (a coroutine can be awaited once).
SHELVES: dict[str, Any] = {
    "good": lambda: Shelf(
        gadgets=[*GOOD, None], required=GOOD[:2], widgets=[Widget(name="w", size=1)]
    ),
    "tuple": lambda: Shelf(gadgets=tuple(GOOD), required=(GOOD[0],), widgets=None),  # type: ignore[arg-type]
    "iterable": lambda: Shelf(gadgets=Iterates(), required=[], widgets=None),  # type: ignore[arg-type]
    "not_iterable": lambda: Shelf(gadgets=7, required=[], widgets=None),  # type: ignore[arg-type]
    "null_item_in_non_null": lambda: Shelf(gadgets=None, required=[GOOD[0], None], widgets=None),  # type: ignore[list-item]
    "exception_item": lambda: Shelf(
        gadgets=[GOOD[0], ValueError("gone"), GOOD[1]],  # type: ignore[list-item]
        required=[GOOD[0], ValueError("gone too")],  # type: ignore[list-item]
        widgets=None,
    ),
    "bad_item": lambda: Shelf(
        gadgets=[GOOD[0], BAD["null_in_non_null"]],
        required=[BAD["null_in_non_null"], GOOD[1]],
        widgets=None,
    ),
    "wrong_type": lambda: Shelf(gadgets=None, required=[], widgets=[GOOD[0]]),  # type: ignore[list-item]
    "awaitable_item": lambda: Shelf(
        gadgets=[GOOD[0], eventual_gadget()],  # type: ignore[list-item]
        required=[eventual_gadget(), GOOD[1]],  # type: ignore[list-item]
        widgets=None,
    ),
}


class Missing:
    """A source without the attribute the field reads: getattr raises."""

    name = "missing"


@strawberry.type
class Query:
    @strawberry.field
    def gadgets(self) -> list[Gadget | None]:
        return [*GOOD, None]

    @strawberry.field
    def bad(self, case: str) -> list[Gadget | None]:
        return [GOOD[0], BAD[case], GOOD[1]]

    @strawberry.field
    def bad_non_null(self, case: str) -> list[Gadget]:
        return [GOOD[0], BAD[case]]

    @strawberry.field
    def coerced(self, case: str) -> list[Gadget]:
        return [GOOD[0], COERCED[case][0]]

    @strawberry.field
    def missing(self) -> Maker | None:
        return Missing()  # type: ignore[return-value]

    @strawberry.field
    def things(self) -> list[Thing]:
        return [GOOD[0], Widget(name="w", size=4), GOOD[1]]

    @strawberry.field
    def named(self) -> list[Named]:
        return [Widget(name="w", size=4), GOOD[2]]

    @strawberry.field
    def shelf(self, case: str) -> Shelf | None:
        return SHELVES[case]()

    @strawberry.field
    async def later(self) -> list[Gadget]:
        await asyncio.sleep(0)
        return GOOD[:3]


SCHEMA = strawberry.Schema(query=Query)


class OnlyIfAllowed(RequestGuard):
    """Refuses every field it guards unless the context allows it; counts its checks."""

    def check_request(self, context: Any, field_name: str) -> None:
        context["checks"].append(field_name)
        if not context["allowed"]:
            raise PermissionError(f"{field_name} is not allowed")


class Logged(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        return next_(source, info, **kwargs)


async def later_text(text: str, fail: bool = False) -> str:
    await asyncio.sleep(0)
    if fail:
        raise ValueError(f"{text} failed later")
    return text


async def later_gadget(fail: bool) -> Gadget:
    await asyncio.sleep(0)
    if fail:
        raise ValueError("no gadget today")
    return GOOD[1]


async def later_maker() -> Maker:
    await asyncio.sleep(0)
    return Maker(name="later", country="NL")


async def later_makers(fail: bool) -> list[Maker]:
    await asyncio.sleep(0)
    if fail:
        raise ValueError("no makers today")
    return [Maker(name="soon", country=None)]


class Anything:
    """Not a plain object (it answers any attribute): graphql-core completes it."""

    def __getattr__(self, name: str) -> str:
        return f"any {name}"


@strawberry.type
class Locker:
    name: str
    # A guarded attribute: no resolver, strawberry's default one behind the guard.
    combination: int | None = strawberry.field(default=1234, extensions=[OnlyIfAllowed()])

    @strawberry.field(extensions=[OnlyIfAllowed()])
    def secret(self) -> str | None:
        if self.name == "broken":
            raise ValueError("the lock is broken")
        return f"{self.name}'s secret"

    @strawberry.field(extensions=[OnlyIfAllowed()])
    def where(self, info: strawberry.Info) -> str | None:
        return f"{self.name} at {info.path.as_list()} for {info.field_name}"

    @strawberry.field
    def mood(self, info: strawberry.Info) -> str:  # reads the context only
        assert isinstance(info, strawberry.Info)
        return "open" if info.context["allowed"] else "shut"

    @strawberry.field(extensions=[OnlyIfAllowed()])
    def contents(self) -> list[Gadget] | None:
        return None if self.name == "empty" else GOOD[:2]

    @strawberry.field(graphql_type=str | None)
    def soon(self) -> Any:  # an awaitable from a synchronous method, as Product.stock
        return later_text(f"{self.name} soon", fail=self.name == "broken")

    @strawberry.field(graphql_type=str)
    def required(self) -> Any:
        return None  # a null in a non-null field, from a method

    @strawberry.field(extensions=[OnlyIfAllowed()])
    async def hidden(self, info: strawberry.Info) -> str | None:
        await asyncio.sleep(0)
        if self.name == "broken":
            raise ValueError("the hidden lock is broken")
        return f"{self.name} hidden at {info.path.as_list()}"

    @strawberry.field(extensions=[OnlyIfAllowed()])
    async def inside(self) -> list[Gadget] | None:  # async, no info, objects to complete
        return None if self.name == "empty" else GOOD[:1]

    @strawberry.field
    async def named(self) -> Named | None:  # an interface: resolved by its type
        if self.name == "empty":
            return None
        return GOOD[0] if self.name == "a" else Widget(name="w", size=4)

    @strawberry.field
    async def gadget(self) -> Gadget | None:  # an object type with is_type_of
        return GOOD[1] if self.name == "a" else Missing()  # type: ignore[return-value]

    # Synchronous methods of such types (AWAIT too), as OrderLine.product: a value, or an
    # awaitable (a loader's future) of one.
    @strawberry.field
    def named_now(self, info: strawberry.Info) -> Named | None:
        if self.name == "empty":
            return None
        return GOOD[0] if info.path.as_list()[1] == 0 else Widget(name="w", size=4)

    @strawberry.field(graphql_type=Gadget | None)
    def soon_gadget(self) -> Any:
        if self.name == "empty":
            return None
        return later_gadget(fail=self.name == "broken")

    @strawberry.field
    async def makers(self) -> list[Maker | None]:  # plain objects, awaited
        if self.name == "empty":
            return None  # type: ignore[return-value]  # a null in a non-null list
        if self.name == "broken":  # a tuple, a null, an awaitable item
            return (Maker(name="m", country=None), None, later_maker())  # type: ignore[return-value]
        return [Maker(name="a", country="BE")]

    @strawberry.field
    async def maker(self) -> Maker | None:  # an object, or one that answers anything
        return Anything() if self.name == "broken" else Maker(name="b", country=None)  # type: ignore[return-value]

    @strawberry.field(graphql_type=list[Maker] | None)
    def soon_makers(self) -> Any:  # a synchronous method's awaitable of objects
        return later_makers(fail=self.name == "broken")

    @strawberry.field
    async def needed(self) -> str:
        return None  # type: ignore[return-value]  # a null in a non-null field, async

    @strawberry.field(extensions=[Logged()])
    def logged(self) -> str:
        return self.name

    @strawberry.field
    def rooted(self, root: Any) -> str:
        return str(root.name)


@strawberry.type
class GuardedQuery:
    @strawberry.field
    def lockers(self) -> list[Locker | None]:
        return [Locker(name="a"), Locker(name="broken"), Locker(name="empty")]


GUARDED = strawberry.Schema(query=GuardedQuery, types=[Widget])
FAST = budgeted(5 * 1024 * 1024, FastFieldsExecutionContext)
PLAIN = budgeted(5 * 1024 * 1024, BudgetedExecutionContext)


# graphql-core types it as a TypeGuard; strawberry's is a plain bool predicate.
IS_AWAITABLE: Any = optimized_is_awaitable


def run(query: str, context_class: type, schema: strawberry.Schema = SCHEMA, **kwargs: Any) -> Any:
    return execute(
        schema._schema,
        parse(query),
        executor_class=context_class,
        is_awaitable=IS_AWAITABLE,
        middleware=MiddlewareManager(),  # as strawberry passes one: empty
        **kwargs,
    )


def outcome(result: ExecutionResult) -> tuple[Any, Any]:
    """The data and the errors, these by path: their order is the order they happened
    in, which the spec leaves open and awaiting side by side may change."""
    if not result.errors:
        return result.data, None
    errors = sorted((error.formatted for error in result.errors), key=_error_order)
    return result.data, errors


def _error_order(error: Any) -> tuple[str, str]:  # a GraphQLFormattedError
    return str(error.get("path")), str(error["message"])


def both(query: str, **kwargs: Any) -> tuple[Any, Any]:
    """The outcome of the fast context, asserted equal to the plain one."""
    fast = outcome(run(query, FAST, **kwargs))
    plain = outcome(run(query, PLAIN, **kwargs))
    assert fast == plain
    return fast


GADGET_FIELDS = """name colour weight required count onSale code
    price { amount currency } listPrice { amount currency } maker { name country } tags"""


def test_plain_fields_enums_nested_objects_and_lists_with_nulls():
    data, errors = both(f"{{ gadgets {{ {GADGET_FIELDS} }} }}")
    assert errors is None
    assert data["gadgets"][-1] is None
    assert data["gadgets"][1]["colour"] == "BLUE"
    assert data["gadgets"][0]["price"] == {"amount": "9.50", "currency": "EUR"}
    assert data["gadgets"][0]["tags"] == ["a", None, "b"]


def test_aliases_merged_fields_typename_and_arguments():
    data, errors = both(
        """{ gadgets { a: name b: name name name __typename t: __typename
             label loud: label(upper: true) m: maker { __typename n: name } } }"""
    )
    assert errors is None
    assert data["gadgets"][0]["a"] == data["gadgets"][0]["b"] == "g0"
    assert data["gadgets"][0]["loud"] == "G0"
    assert data["gadgets"][0]["t"] == "Gadget"
    assert data["gadgets"][0]["m"] == {"__typename": "Maker", "n": "Acme"}


@pytest.mark.parametrize("skip", [True, False])
def test_skip_and_include(skip):
    data, errors = both(
        """query($skip: Boolean!) { gadgets {
             name @skip(if: $skip) weight @include(if: $skip)
             maker @include(if: true) { name @skip(if: $skip) country } } }""",
        variable_values={"skip": skip},
    )
    assert errors is None
    assert ("name" in data["gadgets"][0]) is not skip
    assert ("weight" in data["gadgets"][0]) is skip


def test_fragments_on_interfaces_and_unions():
    data, errors = both(
        """fragment Price on Gadget { price { ...Money } }
           fragment Money on Money { amount currency }
           { things { __typename ... on Named { name } ...Price ... on Widget { size } }
             named { __typename name ... on Gadget { weight maker { name } } } }"""
    )
    assert errors is None
    assert data["things"][1] == {"__typename": "Widget", "name": "w", "size": 4}
    assert data["named"][1]["maker"] == {"name": "Acme"}


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("field", ["bad", "badNonNull"])
def test_errors_and_null_propagation(case, field):
    _data, errors = both(f'{{ {field}(case: "{case}") {{ {GADGET_FIELDS} }} }}')
    assert errors is not None


@pytest.mark.parametrize("case", sorted(COERCED))
def test_texts_ids_and_booleans_of_other_classes_are_serialized(case):
    data, errors = both(f'{{ coerced(case: "{case}") {{ {GADGET_FIELDS} }} }}')
    _gadget, field, expected = COERCED[case]
    assert errors is None
    assert data["coerced"][1][field] == expected


def test_a_null_in_a_non_null_basic_field_nulls_its_object():
    data, errors = both('{ bad(case: "null_in_non_null") { name required } }')
    assert data["bad"][1] is None
    assert errors == [
        {
            "message": "Cannot return null for non-nullable field Gadget.required.",
            "locations": [{"line": 1, "column": 40}],
            "path": ["bad", 1, "required"],
        }
    ]


def test_a_leaf_that_cannot_be_serialized_is_an_error_at_the_field():
    data, errors = both('{ bad(case: "bad_int") { name weight } }')
    assert data["bad"][1] == {"name": "bi", "weight": None}
    assert errors is not None
    assert errors[0]["path"] == ["bad", 1, "weight"]
    assert "Int cannot represent" in errors[0]["message"]


def test_resolvers_that_fail_or_return_null_in_a_non_null_field():
    data, errors = both(
        "query($upper: Boolean!) { gadgets { name fails label(upper: $upper) } }",
        variable_values={"upper": True},
    )
    assert data["gadgets"][0] == {"name": "g0", "fails": None, "label": "G0"}
    assert errors is not None
    assert len(errors) == 5
    data, errors = both("{ gadgets { name must } }")
    assert data == {"gadgets": [None] * 6}
    assert errors is not None
    assert errors[0]["message"] == "Cannot return null for non-nullable field Gadget.must."


async def test_async_resolvers_that_fail():
    query = "{ gadgets { name eventually e: eventually(fail: true) } }"
    fast = outcome(await run(query, FAST))
    assert fast == outcome(await run(query, PLAIN))
    assert fast[0]["gadgets"][0] == {"name": "g0", "eventually": "g0", "e": None}
    assert fast[1] is not None
    assert fast[1][0]["path"] == ["gadgets", 0, "e"]


SHELF = """query($case: String!) { shelf(case: $case) {
    gadgets { name required } required { name required } widgets { name size } } }"""


@pytest.mark.parametrize("case", sorted(set(SHELVES) - {"awaitable_item"}))
def test_lists_of_objects_items_nulls_errors_and_other_iterables(case):
    data, errors = both(SHELF, variable_values={"case": case})
    if case in ("good", "tuple", "iterable"):
        assert errors is None
        assert data["shelf"]["gadgets"][1]["name"] == "g1"
    else:
        assert errors is not None


def test_an_item_of_a_non_null_list_that_fails_nulls_the_list_and_up():
    data, errors = both(SHELF, variable_values={"case": "null_item_in_non_null"})
    assert data == {"shelf": None}  # `required: [Gadget!]!` cannot be null: nor its shelf
    assert errors == [
        {
            "message": "Cannot return null for non-nullable field Shelf.required.",
            "locations": [{"line": 2, "column": 31}],
            "path": ["shelf", "required", 1],
        }
    ]


def test_an_item_of_a_nullable_list_that_fails_is_null_alone():
    data, errors = both(SHELF, variable_values={"case": "bad_item"})
    assert data["shelf"] is None  # via `required`, whose first item failed the same way
    data, errors = both(
        "query($case: String!) { shelf(case: $case) { gadgets { name required } } }",
        variable_values={"case": "exception_item"},
    )
    assert data["shelf"]["gadgets"] == [
        {"name": "g0", "required": "yes"},
        None,
        {"name": "g1", "required": "yes"},
    ]
    assert errors is not None
    assert errors[0]["path"] == ["shelf", "gadgets", 1]


async def test_awaitable_items_of_a_list_of_objects():
    answers = []
    for context_class in (FAST, PLAIN):
        result = run(SHELF, context_class, variable_values={"case": "awaitable_item"})
        answers.append(outcome(await result))
    assert answers[0] == answers[1]
    assert answers[0][0]["shelf"]["gadgets"][1]["name"] == "g3"


def test_a_missing_attribute_is_an_error_at_the_field():
    data, errors = both("{ missing { name country } }")
    assert data == {"missing": {"name": "missing", "country": None}}
    assert errors is not None
    assert errors[0]["path"] == ["missing", "country"]


@pytest.mark.parametrize("max_bytes", range(30, 1200, 41))
def test_the_response_budget_stops_at_the_same_scalar(max_bytes):
    # Budgets that run out at a text, an id, a boolean, a number, a Decimal, an enum.
    query = f"{{ gadgets {{ {GADGET_FIELDS} }} }}"
    fast, plain = budgeted(max_bytes, FastFieldsExecutionContext), budgeted(max_bytes)
    assert outcome(run(query, fast)) == outcome(run(query, plain))


def test_the_response_budget_nulls_the_objects_past_it():
    query = f"{{ gadgets {{ {GADGET_FIELDS} }} }}"
    fast = budgeted(400, FastFieldsExecutionContext)
    data, errors = outcome(run(query, fast))
    assert errors is not None
    assert {error["message"] for error in errors} == {
        "The answer would be larger than 400 bytes: ask for smaller pages or fewer fields"
    }
    assert data["gadgets"][0] is not None
    assert data["gadgets"][-2] is None


async def test_awaitable_resolvers_and_attributes():
    async def country() -> str:
        return "FR"

    query = "{ later { name maker { name country } } }"
    answers = []
    for context_class in (FAST, PLAIN):
        with mock.patch.object(GOOD[1], "maker", Maker(name="Later", country=country())):  # type: ignore[arg-type]
            answers.append(outcome(await run(query, context_class)))
    assert answers[0] == answers[1]
    assert answers[0][0]["later"][1]["maker"] == {"name": "Later", "country": "FR"}


DEFERRED = """{ gadgets { name
    ... @defer(label: "more") { weight maker { name ... @defer(label: "in") { country } } }
    price { amount ... @defer(label: "currency") { currency } } } }"""
STREAMED = """{ gadgets @stream(initialCount: 2) { name maker { name } }
    named { name ... on Gadget { tags @stream(initialCount: 1) } } }"""


@pytest.mark.parametrize("query", [DEFERRED, STREAMED], ids=["defer", "stream"])
async def test_defer_and_stream_split_the_same_way(query):
    schema = strawberry.Schema(
        query=Query, config=StrawberryConfig(enable_experimental_incremental_execution=True)
    )

    async def frames(context_class: type) -> list[Any]:
        result: Any = experimental_execute_incrementally(
            schema._schema,
            parse(query),
            executor_class=context_class,
            is_awaitable=IS_AWAITABLE,
            middleware=MiddlewareManager(),
        )
        if optimized_is_awaitable(result):
            result = await result
        collected = [result.initial_result.formatted]
        async for later in result.subsequent_results:
            collected.append(later.formatted)
        return collected

    fast, plain = await frames(FAST), await frames(PLAIN)
    assert fast == plain
    assert len(fast) > 1
    if query is DEFERRED:
        assert "weight" not in fast[0]["data"]["gadgets"][0]
    else:
        assert len(fast[0]["data"]["gadgets"]) == 2


LOCKER_FIELDS = "name secret where contents { name price { amount } } logged rooted"


@pytest.mark.parametrize("allowed", [True, False])
def test_guarded_methods_answer_and_refuse_as_strawberry_does(allowed):
    checks: dict[str, list[str]] = {}
    answers = []
    for context_class in (FAST, PLAIN):
        context = {"allowed": allowed, "checks": []}
        result = run(
            f"{{ lockers {{ {LOCKER_FIELDS} }} }}",
            context_class,
            schema=GUARDED,
            context_value=context,
        )
        answers.append(outcome(result))
        checks[context_class.__name__ + str(len(checks))] = context["checks"]
    assert answers[0] == answers[1]
    data, errors = answers[0]
    fast_checks, plain_checks = checks.values()
    # strawberry's chain checks each item; the fast path once per field when it passes.
    assert sorted(plain_checks) == sorted(["secret", "where", "contents"] * 3)
    if allowed:
        assert sorted(fast_checks) == ["contents", "secret", "where"]
        assert data["lockers"][0]["where"] == "a at ['lockers', 0, 'where'] for where"
        assert [error["path"] for error in errors] == [["lockers", 1, "secret"]]
        assert data["lockers"][2]["contents"] is None
    else:
        # Refused: every item meets the refusal at its own path.
        assert len(fast_checks) == 3 + 9
        assert {tuple(error["path"][2:]) for error in errors} == {
            ("secret",),
            ("where",),
            ("contents",),
        }
        assert len(errors) == 9


async def test_methods_that_return_awaitables_or_null_in_a_non_null_field():
    answers = []
    for context_class in (FAST, PLAIN):
        result = await run(
            "{ lockers { name soon } }",
            context_class,
            schema=GUARDED,
            context_value={"allowed": True, "checks": []},
        )
        answers.append(outcome(result))
    assert answers[0] == answers[1]
    data, errors = answers[0]
    assert data["lockers"][0]["soon"] == "a soon"
    assert [error["path"] for error in errors] == [["lockers", 1, "soon"]]
    fast = outcome(run("{ lockers { required } }", FAST, schema=GUARDED))
    assert fast == outcome(run("{ lockers { required } }", PLAIN, schema=GUARDED))
    assert fast[0] == {"lockers": [None, None, None]}


@pytest.mark.parametrize("allowed", [True, False])
async def test_async_methods_answer_and_refuse_as_strawberry_does(allowed):
    answers, checks = [], []
    for context_class in (FAST, PLAIN):
        context = {"allowed": allowed, "checks": []}
        result = await run(
            "{ lockers { name hidden combination inside { name maker { name } } } }",
            context_class,
            schema=GUARDED,
            context_value=context,
        )
        answers.append(outcome(result))
        checks.append(context["checks"])
    assert answers[0] == answers[1]
    data, errors = answers[0]
    fast_checks, plain_checks = checks
    assert sorted(plain_checks) == sorted(["hidden", "inside", "combination"] * 3)
    if allowed:
        assert sorted(fast_checks) == ["combination", "hidden", "inside"]
        assert [locker["combination"] for locker in data["lockers"]] == [1234] * 3
        assert data["lockers"][0]["hidden"] == "a hidden at ['lockers', 0, 'hidden']"
        assert data["lockers"][0]["inside"] == [{"name": "g0", "maker": {"name": "Acme"}}]
        assert data["lockers"][2]["inside"] is None
        assert [error["path"] for error in errors] == [["lockers", 1, "hidden"]]
        assert errors[0]["message"] == "the hidden lock is broken"
    else:
        assert len(fast_checks) == 3 + 9
        assert len(errors) == 9
        assert data["lockers"] == [
            {"name": n, "hidden": None, "combination": None, "inside": None}
            for n in "a broken empty".split()
        ]


async def test_async_methods_of_abstract_types_and_types_that_check_their_objects():
    query = "{ lockers { name named { name ... on Widget { size } } gadget { name } } }"
    answers = [outcome(await run(query, c, schema=GUARDED)) for c in (FAST, PLAIN)]
    assert answers[0] == answers[1]
    data, errors = answers[0]
    assert data["lockers"][0] == {"name": "a", "named": {"name": "g0"}, "gadget": {"name": "g1"}}
    assert data["lockers"][1]["named"] == {"name": "w", "size": 4}
    assert data["lockers"][2]["named"] is None
    # Not a Gadget: is_type_of refuses it, at the field's path.
    paths = [error["path"] for error in errors]
    assert paths == [["lockers", 1, "gadget"], ["lockers", 2, "gadget"]]


async def test_methods_of_abstract_types_and_types_that_check_their_objects():
    query = """{ lockers { name namedNow { name ... on Widget { size } }
                 soonGadget { name maker { name } } } }"""
    answers = [outcome(await run(query, c, schema=GUARDED)) for c in (FAST, PLAIN)]
    assert answers[0] == answers[1]
    data, errors = answers[0]
    assert data["lockers"][0] == {
        "name": "a",
        "namedNow": {"name": "g0"},
        "soonGadget": {"name": "g1", "maker": {"name": "Acme"}},
    }
    assert data["lockers"][1]["namedNow"] == {"name": "w", "size": 4}
    assert data["lockers"][2] == {"name": "empty", "namedNow": None, "soonGadget": None}
    assert [error["path"] for error in errors] == [["lockers", 1, "soonGadget"]]
    assert errors[0]["message"] == "no gadget today"


async def test_awaited_lists_and_objects_complete_as_graphql_core_completes_them():
    query = "{ lockers { name makers { name country } maker { name } soonMakers { name } } }"
    answers = [outcome(await run(query, c, schema=GUARDED)) for c in (FAST, PLAIN)]
    assert answers[0] == answers[1]
    data, errors = answers[0]
    assert data["lockers"][0]["makers"] == [{"name": "a", "country": "BE"}]
    assert data["lockers"][0]["soonMakers"] == [{"name": "soon"}]
    broken = data["lockers"][1]
    assert broken["makers"] == [
        {"name": "m", "country": None},
        None,
        {"name": "later", "country": "NL"},
    ]
    assert broken["maker"] == {"name": "any name"}
    assert broken["soonMakers"] is None
    assert data["lockers"][2] is None  # its non-null makers were null
    paths = sorted(error["path"] for error in errors)
    assert paths == [["lockers", 1, "soonMakers"], ["lockers", 2, "makers"]]


async def test_an_awaited_list_of_plain_objects_needs_no_resolve_info():
    fast = budgeted(10**6, FastFieldsExecutionContext)
    with mock.patch.object(
        fast, "build_resolve_info", autospec=True, side_effect=FAST.build_resolve_info
    ) as built:
        result = await run("{ lockers { name soonMakers { name } } }", fast, schema=GUARDED)
    assert outcome(result)[0]["lockers"][0]["soonMakers"] == [{"name": "soon"}]
    assert built.call_count == 0  # completed by the sub-fields' steps, not complete_value


async def test_a_null_from_an_async_method_in_a_non_null_field_nulls_its_object():
    answers = []
    for context_class in (FAST, PLAIN):
        answers.append(
            outcome(await run("{ lockers { name needed } }", context_class, schema=GUARDED))
        )
    assert answers[0] == answers[1]
    data, errors = answers[0]
    assert data == {"lockers": [None, None, None]}
    assert errors[0]["message"] == "Cannot return null for non-nullable field Locker.needed."
    assert errors[0]["path"] == ["lockers", 0, "needed"]


def test_a_method_builds_a_resolve_info_only_if_it_reads_more_than_the_context():
    fast = budgeted(10**6, FastFieldsExecutionContext)

    def infos(fields: str) -> int:
        context = {"allowed": True, "checks": []}
        query = f"{{ lockers {{ {fields} }} }}"
        return count_resolve_infos(query, fast, schema=GUARDED, context_value=context)

    base = infos("name")
    assert infos("name secret") == base  # takes no info
    assert infos("name mood") == base  # reads only the context
    assert infos("name where") == base + 3  # its path and name: one per locker
    assert infos("name mood where") == base + 3


def test_an_info_that_builds_its_resolve_info_when_read_answers_as_strawberrys():
    query = "{ lockers { name mood where } }"
    answers = []
    for context_class in (FAST, PLAIN):
        context = {"allowed": True, "checks": []}
        result = run(query, context_class, schema=GUARDED, context_value=context)
        answers.append(outcome(result))
    assert answers[0] == answers[1]
    assert answers[0][0]["lockers"][1] == {
        "name": "broken",
        "mood": "open",
        "where": "broken at ['lockers', 1, 'where'] for where",
    }


def count_resolve_infos(query: str, context_class: type, **kwargs: Any) -> int:
    with mock.patch.object(
        context_class, "build_resolve_info", autospec=True, side_effect=FAST.build_resolve_info
    ) as built:
        outcome(run(query, context_class, **kwargs))
    return built.call_count


def test_the_fast_path_is_taken():
    query = "{ gadgets { name weight colour price { amount currency } } }"
    # Only the root field has a resolver of its own, a method that takes no info: one
    # info for its list, whose items' type checks them (Gadget has an interface).
    assert count_resolve_infos(query, budgeted(10**6, FastFieldsExecutionContext)) == 1
    assert count_resolve_infos(query, budgeted(10**6)) == 1 + 5 * 6
    # Lists of objects in attributes: an info for the root field, one for a list whose
    # items' type checks them (`widgets`), one for a list with an item graphql-core
    # completes (`gadgets` ends with a null), none per item.
    shelf = '{ shelf(case: "good") { gadgets { name } widgets { name } } }'
    assert count_resolve_infos(shelf, budgeted(10**6, FastFieldsExecutionContext)) == 3
    assert count_resolve_infos(shelf, budgeted(10**6)) == 1 + 2 + 5 + 1  # and per name


def test_middleware_turns_the_fast_path_off():
    seen: list[str] = []

    def middleware(next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        seen.append(info.field_name)
        return next_(source, info, **kwargs)

    result: Any = execute(
        SCHEMA._schema,
        parse("{ gadgets { name } }"),
        executor_class=FAST,
        middleware=MiddlewareManager(middleware),
    )
    assert outcome(result) == outcome(run("{ gadgets { name } }", PLAIN))
    assert seen == ["gadgets"] + ["name"] * 5


def object_type(schema: GraphQLSchema, name: str) -> GraphQLObjectType:
    found = schema.get_type(name)
    assert isinstance(found, GraphQLObjectType)
    return found


def test_what_is_planned_inline():
    schema = SCHEMA._schema
    gadget_type, money = object_type(schema, "Gadget"), object_type(schema, "Money")
    assert plan_field(schema, money, "amount")[0] == DECIMAL  # written by str()
    assert plan_field(schema, gadget_type, "colour")[0] == LEAF
    assert plan_field(schema, gadget_type, "weight")[0] == LEAF  # Int: a range to check
    assert plan_field(schema, gadget_type, "required")[0] == TEXT
    assert plan_field(schema, gadget_type, "code")[0] == TEXT
    assert plan_field(schema, gadget_type, "onSale")[0] == FLAG
    assert plan_field(schema, gadget_type, "price")[0] == OBJECT
    assert plan_field(schema, gadget_type, "listPrice")[1] == "list_price"
    assert plan_field(schema, gadget_type, "__typename")[0] == TYPENAME
    shelf = object_type(schema, "Shelf")
    assert plan_field(schema, shelf, "gadgets")[0] == OBJECTS
    assert plan_field(schema, shelf, "widgets")[0] == OBJECTS
    # Lists of leaves, own resolvers, abstract types and objects with is_type_of:
    # graphql-core's; called inline by a method of no arguments (AWAIT), completed by
    # graphql-core.
    assert plan_field(schema, gadget_type, "tags")[0] == SLOW
    assert plan_field(schema, gadget_type, "label")[0] == SLOW  # an argument
    assert plan_field(schema, gadget_type, "eventually")[0] == SLOW  # an argument
    assert plan_field(schema, object_type(schema, "Query"), "things")[0] == AWAIT  # unions
    # Synchronous methods without arguments: called inline.
    kind, read, *_ = plan_field(schema, object_type(schema, "Query"), "gadgets")
    assert kind == OBJECTS
    assert isinstance(read, Method)
    assert not read.takes_info
    assert not read.guards


def test_methods_planned_inline_and_not():
    schema = GUARDED._schema
    locker = object_type(schema, "Locker")
    secret = plan_field(schema, locker, "secret")
    assert secret[0] == TEXT
    assert isinstance(secret[1], Method)
    assert len(secret[1].guards) == 1
    where = plan_field(schema, locker, "where")[1]
    assert isinstance(where, Method)
    assert where.takes_info
    assert not where.is_async
    hidden = plan_field(schema, locker, "hidden")[1]
    assert isinstance(hidden, Method)
    assert hidden.is_async
    assert hidden.takes_info
    assert len(hidden.guards) == 1
    inside = plan_field(schema, locker, "inside")[1]
    assert isinstance(inside, Method)
    assert inside.is_async
    assert not inside.takes_info
    # Async methods keep their type's kind, which completes their awaited value; of
    # types no kind completes, they are AWAIT: graphql-core completes the value.
    kinds = {name: plan_field(schema, locker, name)[0] for name in ("hidden", "inside")}
    assert kinds == {"hidden": TEXT, "inside": OBJECTS}
    assert plan_field(schema, locker, "named")[0] == AWAIT  # an interface
    assert plan_field(schema, locker, "gadget")[0] == AWAIT  # an object with is_type_of
    # So are synchronous methods of such types: graphql-core completes their values.
    assert plan_field(schema, locker, "namedNow")[0] == AWAIT
    assert plan_field(schema, locker, "soonGadget")[0] == AWAIT
    # A guarded attribute: read by the default resolver's getattr after the guard.
    kind, combination, *_ = plan_field(schema, locker, "combination")
    assert kind == LEAF
    assert isinstance(combination, Method)
    assert len(combination.guards) == 1
    assert combination.function(Locker(name="x", combination=7)) == 7
    # Another extension, a root parameter: strawberry's chain does more than call it.
    assert plan_field(schema, locker, "logged")[0] == SLOW
    assert plan_field(schema, locker, "rooted")[0] == SLOW


def test_the_gateway_schema_executes_basic_fields_inline():
    schema: Any = build_schema()
    assert issubclass(schema.execution_context_class, FastFieldsExecutionContext)
    product = object_type(schema._schema, "Product")
    assert plan_field(schema._schema, product, "sku")[0] == TEXT
    assert plan_field(schema._schema, product, "forSale")[0] == FLAG


def test_the_graphql_core_it_follows_is_the_one_installed():
    # fast_fields copies lines of graphql-core 3.3.2's executor: a new graphql-core in
    # constraints.txt must be checked against it (the fast path is off on another minor).
    import graphql

    assert graphql.__version__ == "3.3.2", "re-read resolvers/execution/fast_fields.py"
    assert graphql.version_info[:2] == GRAPHQL_CORE_MINOR
