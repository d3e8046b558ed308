"""Small pieces the Odoo writers share: ids from the gateway, Odoo's own words, units."""

from __future__ import annotations

from decimal import Decimal

from erp_backends.errors import BusinessRuleViolation, UserErrorCode
from erp_backends.models import Quantity
from erp_backends.normalize import NormalizationError
from erp_backends.normalize.units import convert, unit_code
from erp_backends.odoo.errors import OdooError
from erp_backends.odoo.records import OdooRecord, odoo_key


def odoo_id(value: str, code: UserErrorCode, field: str) -> int:
    """Odoo's integer id for a canonical id; anything else names no Odoo record."""
    key = odoo_key(value)
    if key is None:
        raise BusinessRuleViolation(code, f"{value!r} is not a known id", field=field)
    return key


def odoo_message(exc: OdooError) -> str:
    """What Odoo said, without the exception class the typed error prefixes it with."""
    return exc.message.removeprefix(f"Odoo {exc.odoo_name}: ")


def uom_of(rec: OdooRecord, field: str) -> tuple[int, str]:
    """The id and Rec 20 code of the unit in a record's many2one `field`."""
    uom_id, uom_name = rec.required_many2one(field)
    return uom_id, rec.translate(field, lambda _: unit_code(uom_name))


def quantity_in(quantity: Quantity, unit: str) -> Decimal:
    """The quantity in the product's unit `unit`, as a line Odoo takes needs it;
    UNIT_NOT_CONVERTIBLE when it cannot be."""
    try:
        return convert(quantity, unit).value
    except NormalizationError as exc:
        raise BusinessRuleViolation(
            UserErrorCode.UNIT_NOT_CONVERTIBLE, str(exc), field="lines"
        ) from exc
