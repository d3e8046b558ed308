"""Which class serves each emulated model: the read-only `BaseModel` unless the model
has methods of its own (`res.users.context_get`, the write side)."""

from __future__ import annotations

from erp_backends.odoo.emulator.methods import BaseModel, ResUsers
from erp_backends.odoo.emulator.partners import ResPartner
from erp_backends.odoo.emulator.payments import AccountPayment, AccountPaymentRegister
from erp_backends.odoo.emulator.sales import SaleOrder
from erp_backends.odoo.emulator.stock import StockPicking

MODEL_CLASSES: dict[str, type[BaseModel]] = {
    "res.users": ResUsers,
    "res.partner": ResPartner,
    "sale.order": SaleOrder,
    "stock.picking": StockPicking,
    "account.payment": AccountPayment,
    "account.payment.register": AccountPaymentRegister,
}
