"""The write side's shared machinery: `create` as Odoo's `@api.model_create_multi`
takes it (one dict or a list of dicts), x2many commands (the clock, re-exported, is `clock.py`'s).

A model that can be created subclasses `Creatable` and implements `_create_one`; the
RPC layer turns the returned recordset into an id or ids, as Odoo's `call_kw` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from erp_backends.odoo.domain import InvalidFieldError
from erp_backends.odoo.emulator.clock import now, now_text
from erp_backends.odoo.emulator.db import Database, MissingError, ValidationError
from erp_backends.odoo.emulator.methods import BaseModel

__all__ = ["Creatable", "created_values", "now", "now_text"]


class Creatable(BaseModel):
    """A model whose records the API may create."""

    PUBLIC_METHODS: ClassVar[dict[str, bool]] = {**BaseModel.PUBLIC_METHODS, "create": True}

    @property
    def db(self) -> Database:
        return self._table.db

    def create(self, vals_list: Any) -> BaseModel:
        items = [vals_list] if isinstance(vals_list, Mapping) else vals_list
        if not isinstance(items, list) or not all(isinstance(v, Mapping) for v in items):
            raise TypeError(f"create() expects a dict or a list of dicts, got {vals_list!r}")
        return self.browse([self._create_one(self._checked(dict(vals))) for vals in items])

    def _create_one(self, vals: dict[str, Any]) -> int:
        raise NotImplementedError

    def _checked(self, vals: dict[str, Any]) -> dict[str, Any]:
        for name in vals:
            if name not in self._table.fields:
                raise InvalidFieldError(name, self._name)
        return vals

    def record(self, model: str, record_id: object) -> dict[str, Any]:
        """The raw record `model(record_id)`, or Odoo's MissingError."""
        found = self.db.table(model).records.get(record_id) if isinstance(record_id, int) else None
        if found is None:
            raise MissingError(
                "Record does not exist or has been deleted.\n"
                f"(Record: {model}({record_id!r},), User: 2)"
            )
        return found

    def required(self, vals: Mapping[str, Any], *names: str) -> None:
        missing = [self._table.fields[n].string for n in names if not vals.get(n)]
        if missing:
            raise ValidationError(
                "The operation cannot be completed:\n- Create/update: a mandatory field is"
                f" not set.\n- Delete: another model requires the record being deleted.\n"
                f"Model: {self._table.spec.description} ({self._name}), "
                f"Field: {missing[0]}"
            )


def created_values(commands: object, field: str) -> list[dict[str, Any]]:
    """The values of each `[0, 0, {...}]` (Command.create) of an x2many field's commands;
    the emulator does not link or update existing records through them."""
    if not commands:
        return []
    if not isinstance(commands, list):
        raise ValueError(f"Wrong value for {field}: {commands!r}")
    values = []
    for command in commands:
        if (
            not isinstance(command, list | tuple)
            or len(command) != 3
            or command[0] != 0
            or not isinstance(command[2], Mapping)
        ):
            raise ValueError(f"Wrong value for {field}: {command!r}")
        values.append(dict(command[2]))
    return values
