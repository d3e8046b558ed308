"""Value types shared by every domain: money and quantities.

Amounts are `Decimal`s, serialised as strings ("1740.10"), never floats, so no client
ever sees 0.30000000000000004.
"""

from __future__ import annotations

from decimal import Decimal

import strawberry

from erp_backends import models
from erp_backends.normalize.units import unit_name


@strawberry.type(description="An amount of money in an ISO 4217 currency.")
class Money:
    amount: Decimal = strawberry.field(description="Exact, as a decimal string.")
    currency: str = strawberry.field(description="ISO 4217 code, e.g. EUR.")

    @classmethod
    def of(cls, money: models.Money) -> Money:
        return cls(amount=money.amount, currency=money.currency)


@strawberry.type(description="An amount of something in a unit of measure.")
class Quantity:
    value: Decimal = strawberry.field(description="Exact, as a decimal string.")
    unit: str = strawberry.field(
        description="UN/ECE Recommendation 20 code, e.g. C62 (unit), DZN (dozen), KGM (kg)."
    )

    # Looked up when asked for, not for each of the many quantities built and never
    # asked for it (a stock level builds nine).
    @strawberry.field(description="The unit in English, e.g. dozen.")
    def unit_name(self) -> str:
        return unit_name(self.unit)

    @classmethod
    def of(cls, quantity: models.Quantity) -> Quantity:
        return cls(value=quantity.value, unit=quantity.unit)

    @classmethod
    def of_value(cls, value: Decimal, unit: str) -> Quantity:
        return cls(value=value, unit=unit)
