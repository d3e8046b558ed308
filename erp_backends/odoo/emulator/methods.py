"""The public methods of the emulated models, as Odoo's RPC layer calls them.

The class is named `BaseModel`, like Odoo's, so Python's own argument errors read the
same on the wire ("BaseModel.read() got an unexpected keyword argument 'x'"), and the
signatures are Odoo 17-19's: `search_read` passes unknown keywords on to `read`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from erp_backends.odoo.domain import InvalidFieldError
from erp_backends.odoo.emulator.db import Database, Table


class BaseModel:
    """A recordset: a model, some ids and a context, with Odoo's public methods."""

    # The callable methods; True marks @api.model methods, which take no record ids.
    PUBLIC_METHODS: ClassVar[dict[str, bool]] = {
        "search": True,
        "search_count": True,
        "search_read": True,
        "fields_get": True,
        "read": False,
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
