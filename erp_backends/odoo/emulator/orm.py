"""The ORM methods every emulated model has, written once: `create`, `write` and `unlink`
of plain values, `name_search`, `default_get` and `exists`, with Odoo's answers and
refusals (Odoo 17-19).

Models with business rules of their own (`sale.order`, `res.partner`...) override
`create` in their classes; what is here stores what it is given, checked field by field
as Odoo's ORM checks it: unknown fields are a ValueError, a selection takes only its
keys, a many2one only an existing record, x2many fields take Odoo's commands.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from erp_backends.odoo.domain import InvalidFieldError
from erp_backends.odoo.emulator.db import FieldSpec, MissingError, Table, ValidationError

# Fields the ORM keeps itself: Odoo ignores them in `create` and `write` values.
MAGIC_FIELDS = frozenset({"id", "display_name", "create_date", "write_date"})

# What `default_get` answers beyond `active` (True wherever a model has it).
DEFAULTS: dict[str, dict[str, Any]] = {
    "res.partner": {"type": "contact", "company_type": "person", "is_company": False},
    "sale.order": {"state": "draft", "invoice_status": "no", "locked": False},
    "account.move": {"state": "draft", "move_type": "entry", "payment_state": "not_paid"},
    "account.payment": {"state": "draft", "payment_type": "inbound", "partner_type": "customer"},
    "stock.picking": {"state": "draft"},
    "stock.move": {"state": "draft"},
}


def missing_error(table: Table, ids: list[int], operation: str) -> MissingError:
    """Odoo's refusal to write records that do not exist (`check_access`, Odoo 17+)."""
    return MissingError(
        "One of the documents you are trying to access has been deleted, please try again"
        f" after refreshing.\n\n(Document kind: {table.name}, Operation: {operation},"
        f" Records: {ids[:6]}, User: 2)"
    )


def check_existing(table: Table, ids: list[int], operation: str) -> None:
    missing = [i for i in ids if i not in table.records]
    if missing:
        raise missing_error(table, missing, operation)


def defaults(table: Table, names: list[str] | None = None) -> dict[str, Any]:
    """`default_get`: the defaults of the asked fields that have one."""
    known = {"active": True} if "active" in table.fields else {}
    known |= DEFAULTS.get(table.name, {})
    wanted = table.fields if names is None else names
    return {name: value for name, value in known.items() if name in wanted}


def check_required(table: Table, values: Mapping[str, Any]) -> None:
    """Odoo's refusal of a record without a value for a required field."""
    for spec in table.fields.values():
        if spec.required and spec.type != "one2many" and values.get(spec.name) in (None, ()):
            raise ValidationError(
                "The operation cannot be completed:\n- Create/update: a mandatory field is"
                " not set.\n- Delete: another model requires the record being deleted.\n"
                f"Model: {table.spec.description} ({table.name}), Field: {spec.string}"
            )


def stored_values(table: Table, vals: object, current: Mapping[str, Any] | None) -> dict[str, Any]:
    """`vals` of a `create` (`current` None) or `write`, as the table stores them."""
    if not isinstance(vals, Mapping):
        raise ValueError(f"Expected a dictionary of values, got {vals!r}")
    stored: dict[str, Any] = {}
    for name, value in vals.items():
        spec = table.fields.get(name) if isinstance(name, str) else None
        if spec is None:
            raise InvalidFieldError(str(name), table.name)
        if name in MAGIC_FIELDS:
            continue
        stored[name] = _stored(table, spec, value, (current or {}).get(name))
    return stored


def _stored(table: Table, spec: FieldSpec, value: Any, current: Any) -> Any:
    kind = spec.type
    if kind == "one2many":
        raise ValueError(
            f"The emulator does not write the one2many field {table.name}.{spec.name}:"
            " write the many2one of its lines instead"
        )
    if kind == "many2many":
        return tuple(_many2many_ids(table, spec, value, current or ()))
    if value is False or value is None:
        return False if kind == "boolean" else None
    if kind == "many2one":
        return _existing(table, spec, value)
    if kind == "selection":
        if value not in dict(spec.selection):
            raise ValueError(f"Wrong value for {table.name}.{spec.name}: {value!r}")
        return value
    if kind == "boolean":
        return bool(value)
    if kind in ("integer", "float", "monetary"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"Wrong value for {table.name}.{spec.name}: {value!r}")
        return int(value) if kind == "integer" else float(value)
    return _text(value, table, spec)


def _text(value: Any, table: Table, spec: FieldSpec) -> str:
    if isinstance(value, datetime):
        return value.replace(microsecond=0, tzinfo=None).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"Wrong value for {table.name}.{spec.name}: {value!r}")
    return value


def _existing(table: Table, spec: FieldSpec, value: Any) -> int:
    comodel = table.comodel(spec.comodel or "")
    if isinstance(value, bool) or not isinstance(value, int) or value not in comodel.records:
        # What Postgres' foreign key refuses, as Odoo's RPC layer words an IntegrityError.
        raise ValidationError(
            "The operation cannot be completed: the record it refers to does not exist.\n"
            f"Model: {table.spec.description} ({table.name}), Field: {spec.string}"
            f" ({spec.name}), Value: {comodel.name}({value!r},)"
        )
    return value


def _many2many_ids(
    table: Table, spec: FieldSpec, value: Any, current: tuple[int, ...]
) -> list[int]:
    """Odoo's x2many commands on a many2many: (6, 0, ids) replace, (4, id) link,
    (3, id) unlink, (5,) clear; a bare list of ids replaces, as in Odoo 17+."""
    if value is False or value is None:
        return []
    if not isinstance(value, list | tuple):
        raise ValueError(f"Wrong value for {table.name}.{spec.name}: {value!r}")
    if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return [_existing(table, spec, v) for v in value]
    ids = list(current)
    for command in value:
        if not isinstance(command, list | tuple) or not command:
            raise ValueError(f"Wrong value for {table.name}.{spec.name}: {command!r}")
        code = command[0]
        if code == 6 and len(command) == 3 and isinstance(command[2], list | tuple):
            ids = [_existing(table, spec, v) for v in command[2]]
        elif code == 4 and len(command) >= 2:
            linked = _existing(table, spec, command[1])
            ids = ids if linked in ids else [*ids, linked]
        elif code == 3 and len(command) >= 2:
            ids = [i for i in ids if i != command[1]]
        elif code == 5:
            ids = []
        else:
            raise ValueError(f"Wrong value for {table.name}.{spec.name}: {command!r}")
    return ids


def references(table: Table, record_id: int) -> list[tuple[Table, FieldSpec]]:
    """The (model, many2one) pairs of other records that point at `record_id`."""
    found = []
    for other in table.db.tables():
        for spec in other.fields.values():
            if spec.type != "many2one" or spec.comodel != table.name:
                continue
            if any(i != record_id for i in other.index(spec.name).get(record_id, ())):
                found.append((other, spec))
    return found


def undeletable(table: Table, record_id: int) -> ValidationError | None:
    """Odoo's answer to deleting a record others still refer to (a restricting foreign
    key, as `_as_validation_error` words it), or None."""
    referring = references(table, record_id)
    if not referring:
        return None
    other, spec = referring[0]
    return ValidationError(
        "The operation cannot be completed: another model requires the record being"
        " deleted. If possible, archive it instead.\n\n"
        f"Model: {other.spec.description} ({other.name}), Constraint:"
        f" {other.name.replace('.', '_')}_{spec.name}_fkey"
    )
