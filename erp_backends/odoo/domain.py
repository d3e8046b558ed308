"""Odoo search domains: parse the prefix-notation list and evaluate it on records.

A domain is a list of terms ``[field, operator, value]`` and the prefix operators
``"&"``, ``"|"`` and ``"!"`` (Polish notation); consecutive terms are ANDed. Paths may
be dotted (``"partner_id.country_id.code"``) through relational fields.

The semantics follow Odoo's SQL: negative operators (``!=``, ``not in``, ``not like``,
``not ilike``) also match unset values; a many2one path behaves like a LEFT JOIN (an
unset link reads as a record whose fields are all unset); an x2many field matches when
any linked record does, and a negative operator on an x2many path means "none does".

`parse` checks the shape, `compile_domain` checks fields against a `DomainModel` and
returns a predicate. Errors are ``ValueError`` subclasses, as Odoo raises them::

    ValueError
    ├── DomainError          malformed domain: not a list, bad term, unknown operator
    └── InvalidFieldError    "Invalid field 'foo' on model 'sale.order'"
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from erp_backends.odoo.domain_terms import LIKE_OPERATORS, NEGATIONS, DomainError, value_test

__all__ = [
    "And",
    "Constant",
    "DomainError",
    "DomainField",
    "DomainModel",
    "InvalidFieldError",
    "Leaf",
    "Node",
    "Not",
    "Or",
    "Predicate",
    "Record",
    "compile_domain",
    "fields_used",
    "parse",
]

Record = Mapping[str, Any]
Predicate = Callable[[Record], bool]

_ARITY = {"&": 2, "|": 2, "!": 1}
TERM_OPERATORS = (
    frozenset({"=", "!=", ">", ">=", "<", "<=", "=?"})
    | {"like", "ilike", "=like", "=ilike", "in", "any"}
    | {"not like", "not ilike", "not in", "not any", "child_of", "parent_of"}
)
RELATIONAL = frozenset({"many2one", "one2many", "many2many"})
_EMPTY: Record = {}


class InvalidFieldError(ValueError):
    """A field that the model does not have."""

    def __init__(self, field: str, model: str) -> None:
        super().__init__(f"Invalid field {field!r} on model {model!r}")


class DomainField(Protocol):
    """A field as evaluation sees it: its Odoo type and, if relational, its comodel."""

    @property
    def type(self) -> str: ...
    @property
    def comodel(self) -> str | None: ...


class DomainModel(Protocol):
    """What evaluation needs to know about a model and its records."""

    @property
    def name(self) -> str: ...
    def field(self, name: str) -> DomainField | None: ...
    def comodel(self, name: str) -> DomainModel: ...
    def value(self, record: Record, name: str) -> Any: ...
    def browse(self, record_id: int) -> Record | None: ...


@dataclass(frozen=True, slots=True)
class Leaf:
    path: tuple[str, ...]
    operator: str
    value: Any


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class Constant:
    value: bool


Node = Leaf | And | Or | Not | Constant


def parse(domain: object) -> Node:
    """The tree of a domain list; raises `DomainError` when it is malformed."""
    if not isinstance(domain, list | tuple):
        raise DomainError(f"Invalid domain {domain!r}: a domain is a list of terms")
    # Read right to left so each operator finds its operands on the stack: no
    # recursion, however long an adapter's chain of "|" grows.
    stack: list[Node] = []
    for token in reversed(domain):
        if isinstance(token, str):
            stack.append(_apply_operator(token, stack))
        else:
            stack.append(_parse_leaf(token))
    if not stack:
        return Constant(True)
    return stack[0] if len(stack) == 1 else _combine(And, reversed(stack))


def _apply_operator(symbol: str, stack: list[Node]) -> Node:
    arity = _ARITY.get(symbol)
    if arity is None:
        raise DomainError(f"Invalid domain operator {symbol!r}: expected '&', '|' or '!'")
    if len(stack) < arity:
        raise DomainError(f"Invalid domain: operator {symbol!r} is missing an operand")
    operands = [stack.pop() for _ in range(arity)]
    if arity == 1:
        return Not(operands[0])
    return _combine(And if symbol == "&" else Or, operands)


def _combine(kind: type[And] | type[Or], nodes: Any) -> Node:
    # Flatten nested ANDs/ORs so evaluation stays shallow too.
    children: list[Node] = []
    for node in nodes:
        children.extend(node.children if isinstance(node, kind) else (node,))
    return kind(tuple(children))


def _parse_leaf(token: object) -> Node:
    if not isinstance(token, list | tuple) or len(token) != 3:
        raise DomainError(f"Invalid domain term {token!r}: expected [field, operator, value]")
    field, operator, value = token
    if field in (0, 1) and operator == "=" and value == 1 and not isinstance(field, bool):
        return Constant(field == 1)  # Odoo's TRUE_LEAF (1, '=', 1) and FALSE_LEAF (0, '=', 1)
    if not isinstance(field, str) or not field or "" in field.split("."):
        raise DomainError(f"Invalid field {field!r} in domain term {list(token)!r}")
    if not isinstance(operator, str) or operator.lower() not in TERM_OPERATORS:
        raise DomainError(f"Invalid operator {operator!r} in domain term {list(token)!r}")
    operator = operator.lower()
    if operator in ("child_of", "parent_of"):
        raise DomainError(f"Operator {operator!r} is not supported by the emulator")
    if operator in ("in", "not in") and not isinstance(value, list | tuple):
        value = [value]
    return Leaf(tuple(field.split(".")), operator, value)


def fields_used(node: Node) -> set[str]:
    """The first field of every path in the domain (to see if it filters on `active`)."""
    if isinstance(node, Leaf):
        return {node.path[0]}
    if isinstance(node, Not):
        return fields_used(node.child)
    if isinstance(node, And | Or):
        return set().union(*(fields_used(child) for child in node.children))
    return set()


def compile_domain(domain: object, model: DomainModel) -> Predicate:
    """A predicate for records of `model`; raises when the domain or a field is invalid."""
    node = domain if isinstance(domain, Leaf | And | Or | Not | Constant) else parse(domain)
    return _compile(node, model)


def _compile(node: Node, model: DomainModel) -> Predicate:
    if isinstance(node, Constant):
        result = node.value
        return lambda _record: result
    if isinstance(node, Not):
        inner = _compile(node.child, model)
        return lambda record: not inner(record)
    if isinstance(node, And | Or):
        parts = [_compile(child, model) for child in node.children]
        quantifier = all if isinstance(node, And) else any
        return lambda record: quantifier(part(record) for part in parts)
    return _compile_leaf(node.path, node.operator, node.value, model)


def _field(model: DomainModel, name: str) -> DomainField:
    field = model.field(name)
    if field is None:
        raise InvalidFieldError(name, model.name)
    return field


def _compile_leaf(
    path: tuple[str, ...], operator: str, value: Any, model: DomainModel
) -> Predicate:
    name, field = path[0], _field(model, path[0])
    if operator == "=?":
        if value is None or value is False or value == "" or value == []:
            return lambda _record: True
        operator = "="
    if len(path) > 1 or operator in ("any", "not any"):
        return _compile_relation(path, operator, value, model)
    if field.type in ("one2many", "many2many"):
        return _x2many_leaf(name, operator, value, model)
    if field.type == "many2one":
        if _by_name(operator, value):
            test = value_test(operator, value, "char")
            comodel = model.comodel(field.comodel or "")
            return lambda record: test(_display_name(comodel, record.get(name)))
        test = value_test(operator, value, "integer")
        return lambda record: test(record.get(name))
    test = value_test(operator, value, field.type)
    return lambda record: test(record.get(name))


def _compile_relation(
    path: tuple[str, ...], operator: str, value: Any, model: DomainModel
) -> Predicate:
    name, field = path[0], _field(model, path[0])
    if field.type not in RELATIONAL or not field.comodel:
        raise DomainError(f"Invalid path {'.'.join(path)!r}: {name!r} is not a relational field")
    comodel = model.comodel(field.comodel)
    negative = operator in NEGATIONS
    positive = NEGATIONS.get(operator, operator)
    if positive == "any":
        sub = compile_domain(value, comodel)
    elif field.type == "many2one":
        # A LEFT JOIN: an unset link reads as an empty record, keeping the operator.
        joined = _compile_leaf(path[1:], operator, value, comodel)
        return lambda record: joined(_linked_one(comodel, record.get(name)))
    else:
        sub = _compile_leaf(path[1:], positive, value, comodel)

    def any_linked(record: Record) -> bool:
        return any(sub(linked) for linked in _linked(model, comodel, record, name))

    return (lambda record: not any_linked(record)) if negative else any_linked


def _x2many_leaf(name: str, operator: str, value: Any, model: DomainModel) -> Predicate:
    negative = operator in NEGATIONS
    positive = NEGATIONS.get(operator, operator)
    if _by_name(positive, value):
        test = value_test(positive, value, "char")
        comodel = model.comodel(_field(model, name).comodel or "")

        def elements(record: Record) -> list[Any]:
            return [_display_name(comodel, i) for i in model.value(record, name)]
    else:
        test = value_test(positive, value, "integer")

        def elements(record: Record) -> list[Any]:
            return list(model.value(record, name))

    def matches(record: Record) -> bool:
        # No links at all behave like one unset value: ("invoice_ids", "=", False).
        return any(test(element) for element in elements(record) or [None])

    return (lambda record: not matches(record)) if negative else matches


def _by_name(operator: str, value: Any) -> bool:
    """Relational terms compare display names for text values and LIKE operators."""
    if operator in LIKE_OPERATORS or NEGATIONS.get(operator) in LIKE_OPERATORS:
        return True
    values = value if isinstance(value, list | tuple) else [value]
    return any(isinstance(v, str) for v in values)


def _display_name(comodel: DomainModel, record_id: Any) -> str | None:
    record = comodel.browse(record_id) if record_id else None
    return None if record is None else str(record["display_name"])


def _linked_one(comodel: DomainModel, record_id: Any) -> Record:
    record = comodel.browse(record_id) if record_id else None
    return _EMPTY if record is None else record


def _linked(model: DomainModel, comodel: DomainModel, record: Record, name: str) -> list[Record]:
    value = model.value(record, name)
    ids = [value] if isinstance(value, int) else (value or [])
    return [linked for i in ids if (linked := comodel.browse(i)) is not None]
