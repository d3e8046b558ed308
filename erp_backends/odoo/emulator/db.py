"""The Odoo emulator's in-memory ORM: typed models, records by id, and the public
methods Odoo's RPC layer calls (`search`, `search_read`, `read`, `search_count`,
`fields_get`), answering in Odoo's wire shapes.

Records are stored raw: a many2one is an id or None, a many2many a tuple of ids, a
one2many is derived from its inverse field, dates are "YYYY-MM-DD" strings. `read`
turns them into the wire shapes (`[id, display_name]`, `false` for unset). Searches
on `=`/`in` over `id` or a many2one use a lazily built index, so "lines of these 50
orders" scans a few hundred records, not all of them.
"""

from __future__ import annotations

import re
from bisect import insort
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar, cast

from erp_backends.odoo.domain import (
    And,
    InvalidFieldError,
    Leaf,
    Node,
    Or,
    Record,
    compile_domain,
    fields_used,
    parse,
)

T = TypeVar("T")
WORLD_EPOCH = "2024-01-02 08:00:00"  # create/write date of records the seed leaves undated
X2MANY = frozenset({"one2many", "many2many"})
_ORDER_TERM = re.compile(r"^\s*(\w+)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$", re.I)


class OdooError(Exception):
    """An exception Odoo's RPC layer sends by name (`wire_name`) and HTTP status."""

    wire_name: ClassVar[str] = "odoo.exceptions.UserError"
    http_status: ClassVar[int] = 422


class UserError(OdooError):
    pass


class AccessDenied(UserError):
    wire_name = "odoo.exceptions.AccessDenied"
    http_status = 403

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)


class AccessError(UserError):
    wire_name = "odoo.exceptions.AccessError"
    http_status = 403


class MissingError(UserError):
    wire_name = "odoo.exceptions.MissingError"
    http_status = 404


class ValidationError(UserError):
    wire_name = "odoo.exceptions.ValidationError"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a model, with Odoo's type name and, if relational, its comodel."""

    name: str
    type: str
    string: str
    comodel: str | None = None
    inverse: str | None = None  # the many2one a one2many is derived from
    selection: tuple[tuple[str, str], ...] = ()
    required: bool = False
    readonly: bool = False

    def describe(self) -> dict[str, Any]:
        """The field as `fields_get` describes it."""
        stored = self.type != "one2many"
        info: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "string": self.string,
            "required": self.required,
            "readonly": self.readonly,
            "store": stored,
            "searchable": True,
            "sortable": stored and self.type not in X2MANY,
        }
        if self.comodel:
            info["relation"] = self.comodel
        if self.inverse:
            info["relation_field"] = self.inverse
        if self.type == "selection":
            info["selection"] = [list(pair) for pair in self.selection]
        return info


_IMPLICIT = (
    FieldSpec("id", "integer", "ID", readonly=True),
    FieldSpec("display_name", "char", "Display Name", readonly=True),
    FieldSpec("create_date", "datetime", "Created on", readonly=True),
    FieldSpec("write_date", "datetime", "Last Updated on", readonly=True),
)


@dataclass(frozen=True)
class ModelSpec:
    """A model: its technical name, fields and default `_order`."""

    name: str
    description: str
    fields: tuple[FieldSpec, ...]
    order: str = "id"
    rec_name: str = "name"
    all_fields: tuple[FieldSpec, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "all_fields", _IMPLICIT + self.fields)


class Table:
    """The records of one model; it is also the `DomainModel` domains evaluate against."""

    def __init__(self, spec: ModelSpec, db: Database) -> None:
        self.spec, self.name, self._db = spec, spec.name, db
        self.fields = {f.name: f for f in spec.all_fields}
        self.records: dict[int, dict[str, Any]] = {}
        stored = [f for f in spec.all_fields if f.type != "one2many"]
        self._blank: dict[str, Any] = {
            f.name: () if f.type == "many2many" else None for f in stored
        }
        self._blank["create_date"] = self._blank["write_date"] = WORLD_EPOCH
        self._many2many = [f.name for f in stored if f.type == "many2many"]
        self._cache: dict[str, Any] = {}
        self._cached_at = -1
        self._next_id = 1

    @property
    def db(self) -> Database:
        return self._db

    def field(self, name: str) -> FieldSpec | None:
        return self.fields.get(name)

    def comodel(self, name: str) -> Table:
        return self._db.table(name)

    def browse(self, record_id: int) -> Record | None:
        return self.records.get(record_id)

    def value(self, record: Record, name: str) -> Any:
        spec = self.fields[name]
        if spec.type == "one2many" and spec.comodel and spec.inverse:
            return self._db.table(spec.comodel).index(spec.inverse).get(record.get("id", 0), [])
        return record.get(name)

    def insert(self, values: dict[str, Any]) -> int:
        unknown = values.keys() - self._blank.keys()
        if unknown:
            raise InvalidFieldError(sorted(unknown)[0], self.name)
        record_id = int(values.get("id") or self._next_id)
        self._next_id = max(self._next_id, record_id + 1)
        record = self._blank | self.stored_values(values)
        record["id"] = record_id
        if "write_date" not in values:
            record["write_date"] = record["create_date"]
        if not record["display_name"]:
            record["display_name"] = str(record.get(self.spec.rec_name) or "")
        self.records[record_id] = record
        self._indexes_add(record_id, record)
        return record_id

    def update(self, record_id: int, values: dict[str, Any]) -> None:
        record = self.records[record_id]
        self._indexes_remove(record_id, record, values.keys())
        record.update(self.stored_values(values))
        self._indexes_add(record_id, record, values.keys())

    def delete(self, record_id: int) -> None:
        self._indexes_remove(record_id, self.records.pop(record_id))

    def stored_values(self, values: dict[str, Any]) -> dict[str, Any]:
        # Tuples, not lists: a dict of atomic values drops out of the cyclic garbage
        # collector's sight, so 60,000 records do not stall every full collection.
        if not self._many2many:
            return values
        m2m = {name: tuple(values[name]) for name in self._many2many if name in values}
        return values | m2m if m2m else values

    def index(self, name: str) -> dict[Any, list[int]]:
        """Ids of the records by the value of a field (a many2one's id, a text), built on
        first use."""
        return self._cached(f"index:{name}", lambda: _group_ids(self.records, name))

    def rank(self) -> dict[int, int]:
        """Each record's position in the model's default order (to sort by a many2one)."""
        return self._cached("rank", lambda: {i: n for n, i in enumerate(self.sort(self.records))})

    def _cached(self, key: str, build: Callable[[], T]) -> T:
        self._fresh_cache()
        if key not in self._cache:
            self._cache[key] = build()
        return cast(T, self._cache[key])

    def _fresh_cache(self) -> dict[str, Any]:
        """The cache, emptied if anything was written behind the table's back since."""
        if self._cached_at != self._db.generation:
            self._cache, self._cached_at = {}, self._db.generation
        return self._cache

    # The table's own writes keep its indexes current (ids ascending, as a rebuild
    # gives them) instead of dropping them: an order's create inserts lines and then
    # reads them by order, and a rebuild per order made a burst of creates quadratic.

    def _indexes_add(
        self, record_id: int, record: dict[str, Any], changed: Iterable[str] | None = None
    ) -> None:
        self._reindex(record_id, record, changed, add=True)

    def _indexes_remove(
        self, record_id: int, record: dict[str, Any], changed: Iterable[str] | None = None
    ) -> None:
        self._reindex(record_id, record, changed, add=False)

    def _reindex(
        self, record_id: int, record: dict[str, Any], changed: Iterable[str] | None, *, add: bool
    ) -> None:
        """Add the record to (or take it out of) the built indexes of the fields
        `changed` (all when None), by its values; the rank is rebuilt on next use."""
        cache = self._fresh_cache()
        cache.pop("rank", None)
        for name in self._indexed_fields(changed):
            if (value := record[name]) is None:
                continue
            group = cache[f"index:{name}"].setdefault(value, [])
            if add:
                insort(group, record_id)
            elif record_id in group:
                group.remove(record_id)

    def _indexed_fields(self, changed: Iterable[str] | None) -> list[str]:
        names = [key.removeprefix("index:") for key in self._cache if key.startswith("index:")]
        return names if changed is None else [n for n in names if n in changed]

    def search(self, domain: object, *, active_test: bool = True) -> list[int]:
        """Ids matching `domain`, ascending; archived records only if asked or filtered on."""
        node = parse(domain)
        predicate = compile_domain(node, self)
        candidates = self._candidates(node)
        ids: Iterable[int] = self.records if candidates is None else candidates
        if active_test and "active" in self.fields and "active" not in fields_used(node):
            records = self.records
            ids = [i for i in ids if records[i]["active"]]
        return [i for i in ids if predicate(self.records[i])]

    def _candidates(self, node: Node) -> list[int] | None:
        if isinstance(node, Leaf):
            return self._indexed(node)
        if isinstance(node, And):
            found = [c for child in node.children if (c := self._candidates(child)) is not None]
            return min(found, key=len) if found else None
        if isinstance(node, Or):
            # Any branch may match: a superset only when every branch has one.
            branches = [self._candidates(child) for child in node.children]
            if any(branch is None for branch in branches):
                return None
            return sorted({i for branch in branches for i in branch or ()})
        return None

    def _indexed(self, leaf: Leaf) -> list[int] | None:
        """A superset of the ids matching an `=`/`in` term on ids or texts, via the
        indexes.

        A dotted many2one path ("partner_id.commercial_partner_id in [...]") asks the
        comodel first, then follows this model's index of the many2one.
        """
        if leaf.operator not in ("=", "in"):
            return None
        values = leaf.value if leaf.operator == "in" else [leaf.value]
        name, spec = leaf.path[0], self.fields.get(leaf.path[0])
        if spec is not None and spec.type == "char" and len(leaf.path) == 1:
            # Texts by exact value (an order's `client_order_ref`, a product's
            # `default_code`): a whole-table scan per lookup cost the emulator more CPU
            # than the rest of a federated query's calls. False (unset) is left to a scan.
            if not values or not all(type(v) is str for v in values):
                return None
            index = self.index(name)
            return sorted({i for v in values for i in index.get(v, ())})
        if spec is not None and spec.type == "one2many" and len(leaf.path) > 1:
            return self._owners_of_linked(spec, leaf)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return None
        if name == "id" and len(leaf.path) == 1:
            return sorted({v for v in values if v in self.records})
        if spec is None or spec.type != "many2one" or not spec.comodel:
            return None
        linked: Iterable[int] | None = values
        if len(leaf.path) > 1:
            comodel = self._db.table(spec.comodel)
            linked = comodel._candidates(Leaf(leaf.path[1:], leaf.operator, leaf.value))
        if linked is None:
            return None
        index = self.index(name)
        return sorted({i for v in linked for i in index.get(v, ())})

    def _owners_of_linked(self, spec: FieldSpec, leaf: Leaf) -> list[int] | None:
        """A superset of the ids matching a term through a one2many
        ("sale_order_ids.client_order_ref in [...]"): the owners, by the inverse many2one,
        of the comodel's candidates, as Odoo's SQL subquery finds them. A scan instead
        followed every record's links, the emulator's costliest search by far."""
        if not spec.comodel or not spec.inverse:
            return None
        comodel = self._db.table(spec.comodel)
        linked = comodel._candidates(Leaf(leaf.path[1:], leaf.operator, leaf.value))
        if linked is None:
            return None
        owners = {comodel.records[i].get(spec.inverse) for i in linked}
        return sorted(owner for owner in owners if owner in self.records)

    def sort(self, ids: Iterable[int], order: str | None = None) -> list[int]:
        """`ids` in the given order ("date_order desc, id desc"), else the model's."""
        result = list(ids)
        # Stable sorts from the last term to the first give the combined order.
        for name, descending, nulls_first in reversed(self._order_terms(order or self.spec.order)):
            key = self._sort_key(name)
            result.sort(key=lambda i: _nulls(key(i), nulls_first, descending), reverse=descending)
        return result

    def _order_terms(self, order: str) -> list[tuple[str, bool, bool]]:
        terms = []
        for term in order.split(","):
            match = _ORDER_TERM.match(term)
            if match is None:
                raise ValueError(
                    f'Invalid "order" specified ({order}). A valid "order" specification is a'
                    " comma-separated list of valid field names (optionally followed by"
                    " asc/desc for the direction)"
                )
            name, direction, nulls = match.groups()
            spec = self.fields.get(name)
            if spec is None or spec.type in X2MANY:
                raise InvalidFieldError(name, self.name)
            descending = (direction or "asc").lower() == "desc"
            nulls_first = nulls.lower() == "first" if nulls else descending
            terms.append((name, descending, nulls_first))
        return terms

    def _sort_key(self, name: str) -> Callable[[int], Any]:
        records = self.records
        if name == "id":
            return lambda i: i
        spec = self.fields[name]
        if spec.type == "many2one" and spec.comodel:
            rank = self._db.table(spec.comodel).rank()
            return lambda i: rank.get(records[i][name])
        if spec.type == "boolean":
            return lambda i: bool(records[i][name])
        return lambda i: records[i][name]

    def read(self, ids: list[int], names: list[str], *, classic: bool) -> list[dict[str, Any]]:
        """The records of `ids` that exist, in that order: like Odoo, `read` drops ids
        that were never created or were deleted, so a search-then-read races nothing."""
        ids = [i for i in ids if i in self.records]
        converters = [(name, self._converter(self.fields[name], classic)) for name in names]
        return [
            {"id": i, **{name: convert(self.records[i]) for name, convert in converters}}
            for i in ids
        ]

    def _converter(self, spec: FieldSpec, classic: bool) -> Callable[[Record], Any]:
        name = spec.name
        if spec.type == "many2one" and spec.comodel and classic:
            comodel = self._db.table(spec.comodel).records
            return lambda r: [r[name], comodel[r[name]]["display_name"]] if r[name] else False
        if spec.type in X2MANY:
            return lambda r: list(self.value(r, name))
        if spec.type in ("integer", "float", "monetary"):
            zero = 0 if spec.type == "integer" else 0.0
            return lambda r: r[name] if r[name] is not None else zero
        if spec.type == "boolean":
            return lambda r: bool(r[name])
        return lambda r: False if r[name] is None else r[name]


def _group_ids(records: dict[int, dict[str, Any]], name: str) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = {}
    for record_id, record in records.items():
        if (value := record[name]) is not None:
            groups.setdefault(value, []).append(record_id)
    return groups


def _nulls(value: Any, nulls_first: bool, descending: bool) -> tuple[bool, Any]:
    # Postgres puts NULLs last ascending and first descending unless told otherwise;
    # the flag is flipped for descending sorts because the whole key is reversed.
    return ((value is None) != (nulls_first != descending), value)


class Database:
    """All models of one emulated Odoo database."""

    def __init__(self, specs: Iterable[ModelSpec]) -> None:
        self.generation = 0
        self._tables = {spec.name: Table(spec, self) for spec in specs}
        # What Odoo keeps in tables the emulator does not model (a wizard's journal
        # items, the quants an order's deliveries reserve), by kind and record id.
        self.links: dict[str, dict[int, Any]] = {}

    def __contains__(self, model: object) -> bool:
        return model in self._tables

    def table(self, model: str) -> Table:
        return self._tables[model]

    def tables(self) -> list[Table]:
        return list(self._tables.values())

    def insert(self, model: str, values: dict[str, Any]) -> int:
        return self._tables[model].insert(values)

    def update(self, model: str, record_id: int, values: dict[str, Any]) -> None:
        self._tables[model].update(record_id, values)

    def delete(self, model: str, record_id: int) -> None:
        self._tables[model].delete(record_id)

    def count(self, model: str) -> int:
        return len(self._tables[model].records)
