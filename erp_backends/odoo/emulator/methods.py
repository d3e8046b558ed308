"""The public methods of the emulated models, as Odoo's RPC layer calls them: the
common ORM methods every model has (see `orm.py` for the writes), and room for the
business methods of models that subclass `BaseModel`.

The class is named `BaseModel`, like Odoo's, so Python's own argument errors read the
same on the wire ("BaseModel.read() got an unexpected keyword argument 'x'"), and the
signatures are Odoo 17-19's: `search_read` passes unknown keywords on to `read`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from erp_backends.odoo.domain import InvalidFieldError
from erp_backends.odoo.emulator import orm
from erp_backends.odoo.emulator.clock import now_text
from erp_backends.odoo.emulator.db import X2MANY, Database, MissingError, Table


class BaseModel:
    """A recordset: a model, some ids and a context, with Odoo's public methods."""

    # The callable methods; True marks @api.model methods, which take no record ids.
    PUBLIC_METHODS: ClassVar[dict[str, bool]] = {
        "search": True,
        "search_count": True,
        "search_read": True,
        "web_search_read": True,
        "fields_get": True,
        "read": False,
        "web_read": False,
        "create": True,
        "write": False,
        "unlink": False,
        "exists": False,
        "name_search": True,
        "default_get": True,
    }

    def __init__(
        self, table: Table, ids: Sequence[int] = (), context: Mapping[str, Any] | None = None
    ) -> None:
        self._table = table
        self.ids = list(ids)
        self.context = dict(context or {})

    @property
    def _name(self) -> str:
        return self._table.name

    def __repr__(self) -> str:
        return f"{self._name}{tuple(self.ids)!r}"

    def browse(self, ids: int | Sequence[int]) -> BaseModel:
        return type(self)(self._table, [ids] if isinstance(ids, int) else ids, self.context)

    def search(
        self, domain: Any, offset: int = 0, limit: int | None = None, order: str | None = None
    ) -> list[int]:
        table = self._table
        ordered = table.sort(table.search(domain, active_test=self._active_test), order)
        start = int(offset or 0)
        return ordered[start : start + int(limit)] if limit else ordered[start:]

    def search_count(self, domain: Any, limit: int | None = None) -> int:
        count = len(self._table.search(domain, active_test=self._active_test))
        return min(count, int(limit)) if limit else count

    def search_read(
        self,
        domain: Any = None,
        fields: list[str] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        **read_kwargs: Any,
    ) -> list[dict[str, Any]]:
        self._field_names(fields)  # Odoo checks the fields before it searches
        ids = self.search(domain or [], offset=offset, limit=limit, order=order)
        if not ids:
            return []  # like Odoo, without calling read(): bad read_kwargs go unnoticed
        if fields == ["id"]:
            return [{"id": i} for i in ids]
        return self.browse(ids).read(fields, **read_kwargs)

    def read(
        self, fields: list[str] | None = None, load: str | None = "_classic_read"
    ) -> list[dict[str, Any]]:
        names = self._field_names(fields)
        return self._table.read(self.ids, names, classic=load == "_classic_read")

    def web_search_read(
        self,
        domain: Any,
        specification: dict[str, Any],
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        count_limit: int | None = None,
    ) -> dict[str, Any]:
        """The web client's search and read (Odoo 17+, the `web` module): the records
        as `web_read` gives them, and `length`, counted only when a full page leaves
        more to count."""
        ids = self.search(domain, offset=offset, limit=limit, order=order)
        records = self.browse(ids).web_read(specification)
        if not records:
            return {"length": 0, "records": []}
        length = len(records) + int(offset or 0)
        if limit and len(records) == limit and not (count_limit and count_limit <= length):
            length = self.search_count(domain, limit=count_limit)
        return {"length": length, "records": records}

    def web_read(self, specification: dict[str, Any]) -> list[dict[str, Any]]:
        """The records' fields named in `specification`, as `read(load=None)` gives
        them, but a many2one with `{"fields": {...}}` is the related record's own
        `web_read` of those (`display_name` among them), and an x2many with `fields` is
        its records' list; false stays false."""
        if not isinstance(specification, Mapping):
            raise TypeError(f"specification must be a dict, got {specification!r}")
        names = list(specification) or ["id"]
        # Only ids: Odoo builds them without a read (so ids that do not exist stay).
        rows: list[dict[str, Any]] = (
            [{"id": i} for i in self.ids] if names == ["id"] else self.read(names, load=None)
        )
        for name, spec in specification.items():
            field = self._table.field(name)
            if field is None or not field.comodel or not isinstance(spec, Mapping):
                continue
            if "fields" not in spec or (field.type != "many2one" and field.type not in X2MANY):
                continue
            one = field.type == "many2one"
            related = environment(self._table.db, field.comodel, self.context)
            linked = dict.fromkeys(
                key for row in rows for key in ([row[name]] if one else row[name]) if key
            )
            wanted = dict(spec["fields"])
            named = wanted.pop("display_name", None) is not None
            read = {found["id"]: found for found in related.browse(list(linked)).web_read(wanted)}
            if named:
                for key, found in read.items():
                    found["display_name"] = related._table.records[key]["display_name"] or False
            for row in rows:
                if one:
                    row[name] = read.get(row[name], False) if row[name] else False
                else:
                    row[name] = [read.get(key) or {"id": key} for key in row[name]]
        return rows

    def create(self, vals_list: Any) -> BaseModel:
        """Records of plain values (one dict or a list of them), defaults filled in."""
        items = [vals_list] if isinstance(vals_list, Mapping) else vals_list
        if not isinstance(items, list):
            raise TypeError(f"create() expects a dict or a list of dicts, got {vals_list!r}")
        table = self._table
        created = []
        for vals in items:
            values = orm.defaults(table) | orm.stored_values(table, vals, None)
            orm.check_required(table, values)
            created.append(table.insert(values | _stamped(table, values)))
        return self.browse(created)

    def write(self, vals: Any) -> bool:
        table = self._table
        orm.check_existing(table, self.ids, "write")
        for record_id in self.ids:
            values = orm.stored_values(table, vals, table.records[record_id])
            table.update(record_id, values | _stamped(table, values, created=False))
        return True

    def unlink(self) -> bool:
        table = self._table
        missing = [i for i in self.ids if i not in table.records]
        if missing:
            raise MissingError(
                "Record does not exist or has been deleted.\n"
                f"(Record: {self._name}{tuple(missing[:6])!r}, User: 2)"
            )
        for record_id in self.ids:
            if (refused := orm.undeletable(table, record_id)) is not None:
                raise refused
        for record_id in self.ids:
            table.delete(record_id)
        return True

    def exists(self) -> BaseModel:
        return self.browse([i for i in self.ids if i in self._table.records])

    def name_search(
        self, name: str = "", domain: Any = None, operator: str = "ilike", limit: int = 100
    ) -> list[list[Any]]:
        """`[[id, display_name], ...]` of the records whose name matches (Odoo 18+
        calls the domain `domain`; 17 called it `args`)."""
        terms = list(domain or [])
        if name:
            terms.append([self._table.spec.rec_name, operator, name])
        ids = self.search(terms, limit=limit)
        records = self._table.records
        return [[i, records[i]["display_name"] or False] for i in ids]

    def default_get(self, fields_list: list[str]) -> dict[str, Any]:
        return orm.defaults(self._table, list(fields_list))

    def fields_get(
        self, allfields: list[str] | None = None, attributes: list[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        described = {
            name: spec.describe()
            for name, spec in self._table.fields.items()
            if not allfields or name in allfields
        }
        if not attributes:
            return described
        return {
            name: {key: value for key, value in info.items() if key in attributes}
            for name, info in described.items()
        }

    @property
    def _active_test(self) -> bool:
        return bool(self.context.get("active_test", True))

    def _field_names(self, fields: object) -> list[str]:
        if not fields:
            return [name for name in self._table.fields if name != "id"]
        if not isinstance(fields, list | tuple):
            raise ValueError(f"Invalid fields {fields!r}: expected a list of field names")
        names: dict[str, None] = {}
        for name in fields:
            if not isinstance(name, str) or name not in self._table.fields:
                raise InvalidFieldError(str(name), self._name)
            if name != "id":
                names[name] = None
        return list(names)


def _stamped(table: Table, values: dict[str, Any], *, created: bool = True) -> dict[str, Any]:
    """The write date (and on create the create date), and the display name anew when
    the name changes."""
    when = now_text()
    stamps = {"create_date": when, "write_date": when} if created else {"write_date": when}
    rec_name = table.spec.rec_name
    if rec_name in values:
        stamps["display_name"] = str(values[rec_name] or "")
    return stamps


class ResUsers(BaseModel):
    """`res.users` adds `context_get`, which JSON-2 clients call to learn who they are."""

    PUBLIC_METHODS: ClassVar[dict[str, bool]] = {**BaseModel.PUBLIC_METHODS, "context_get": True}

    def context_get(self) -> dict[str, Any]:
        return {"lang": "en_US", "tz": "Europe/Brussels", "uid": 2}


def environment(db: Database, model: str, context: Mapping[str, Any] | None = None) -> BaseModel:
    """The empty recordset of `model`, as `env[model].with_context(context)` gives it."""
    # Imported here: the models with methods of their own subclass BaseModel.
    from erp_backends.odoo.emulator.env import MODEL_CLASSES

    return MODEL_CLASSES.get(model, BaseModel)(db.table(model), (), context)
