"""The schema of the emulated Odoo 19 database: the models the gateway reads and writes, with
Odoo's technical field names, types, labels, selection values and default `_order`.

Only fields an integration plausibly reads are declared; `fields_get` describes
exactly these, so an adapter that probes for a field sees what a real server has.
"""

from __future__ import annotations

from typing import Any

from erp_backends.odoo.emulator.db import FieldSpec, ModelSpec


def _f(name: str, type_: str, string: str, **extra: Any) -> FieldSpec:
    return FieldSpec(name, type_, string, **extra)


def _m2o(name: str, string: str, comodel: str, **extra: Any) -> FieldSpec:
    return FieldSpec(name, "many2one", string, comodel=comodel, **extra)


def _o2m(name: str, string: str, comodel: str, inverse: str) -> FieldSpec:
    return FieldSpec(name, "one2many", string, comodel=comodel, inverse=inverse)


def _m2m(name: str, string: str, comodel: str) -> FieldSpec:
    return FieldSpec(name, "many2many", string, comodel=comodel)


def _sel(name: str, string: str, *pairs: tuple[str, str], **extra: Any) -> FieldSpec:
    return FieldSpec(name, "selection", string, selection=pairs, **extra)


def _model(name: str, description: str, *fields: FieldSpec, **extra: Any) -> ModelSpec:
    return ModelSpec(name, description, fields, **extra)


def _char(*names: tuple[str, str]) -> tuple[FieldSpec, ...]:
    return tuple(FieldSpec(name, "char", string) for name, string in names)


def _money(*names: tuple[str, str]) -> tuple[FieldSpec, ...]:
    return tuple(FieldSpec(name, "monetary", string, readonly=True) for name, string in names)


_ACTIVE = _f("active", "boolean", "Active")
_CURRENCY = _m2o("currency_id", "Currency", "res.currency")
ORDER_STATES = (
    ("draft", "Quotation"),
    ("sent", "Quotation Sent"),
    ("sale", "Sales Order"),
    ("cancel", "Cancelled"),
)
PAYMENT_STATES = (
    ("not_paid", "Not Paid"),
    ("in_payment", "In Payment"),
    ("paid", "Paid"),
    ("partial", "Partially Paid"),
    ("reversed", "Reversed"),
    ("blocked", "Blocked"),
    ("invoicing_legacy", "Invoicing App Legacy"),
)
PICKING_CODES = (
    ("incoming", "Receipt"),
    ("outgoing", "Delivery"),
    ("internal", "Internal Transfer"),
)
PICKING_STATES = (
    ("draft", "Draft"),
    ("waiting", "Waiting Another Operation"),
    ("confirmed", "Waiting"),
    ("assigned", "Ready"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
)
LANGUAGES = (
    ("en_US", "English (US)"),
    ("en_GB", "English (UK)"),
    ("fr_BE", "French (BE)"),
    ("nl_BE", "Dutch (BE)"),
    ("fr_FR", "French"),
    ("de_DE", "German"),
    ("nl_NL", "Dutch"),
    ("es_ES", "Spanish"),
    ("it_IT", "Italian"),
)
JOURNAL_TYPES = (
    ("sale", "Sales"),
    ("purchase", "Purchase"),
    ("cash", "Cash"),
    ("bank", "Bank"),
    ("credit", "Credit Card"),
    ("general", "Miscellaneous"),
)
TAX_COMPUTATIONS = (
    ("group", "Group of Taxes"),
    ("fixed", "Fixed"),
    ("percent", "Percentage"),
    ("division", "Percentage Tax Included"),
)
TAX_USES = (
    ("sale", "Sales"),
    ("purchase", "Purchases"),
    ("none", "None"),
)
ADDRESS_TYPES = (
    ("contact", "Contact"),
    ("invoice", "Invoice Address"),
    ("delivery", "Delivery Address"),
    ("other", "Other Address"),
)
PRODUCT_TYPES = (
    ("consu", "Goods"),
    ("service", "Service"),
    ("combo", "Combo"),
)
LOCATION_USAGES = (
    ("supplier", "Vendor"),
    ("view", "Virtual"),
    ("internal", "Internal"),
    ("customer", "Customer"),
    ("inventory", "Inventory Loss"),
    ("production", "Production"),
    ("transit", "Transit"),
)
INVOICE_STATUSES = (
    ("upselling", "Upselling Opportunity"),
    ("invoiced", "Fully Invoiced"),
    ("to invoice", "To Invoice"),
    ("no", "Nothing to Invoice"),
)
LINE_DISPLAY_TYPES = (
    ("line_section", "Section"),
    ("line_subsection", "Subsection"),
    ("line_note", "Note"),
)
MOVE_TYPES = (
    ("entry", "Journal Entry"),
    ("out_invoice", "Customer Invoice"),
    ("out_refund", "Customer Credit Note"),
    ("in_invoice", "Vendor Bill"),
    ("in_refund", "Vendor Credit Note"),
    ("out_receipt", "Sales Receipt"),
    ("in_receipt", "Purchase Receipt"),
)
PAYMENT_RECORD_STATES = (
    ("draft", "Draft"),
    ("in_process", "In Process"),
    ("paid", "Paid"),
    ("canceled", "Canceled"),
    ("rejected", "Rejected"),
)

REFERENCE_MODELS = (
    _model(
        "res.country",
        "Country",
        _f("name", "char", "Country Name", required=True),
        _f("code", "char", "Country Code"),
        _CURRENCY,
        order="name",
    ),
    _model(
        "res.country.state",
        "Country state",
        _f("name", "char", "State Name", required=True),
        _f("code", "char", "State Code"),
        _m2o("country_id", "Country", "res.country", required=True),
        order="code",
    ),
    _model(
        "res.currency",
        "Currency",
        *_char(("name", "Currency"), ("symbol", "Symbol"), ("full_name", "Name")),
        _f("rounding", "float", "Rounding Factor"),
        _f("decimal_places", "integer", "Decimal Places"),
        _sel("position", "Symbol Position", ("after", "After Amount"), ("before", "Before Amount")),
        _ACTIVE,
        order="active desc, name",
    ),
    _model("uom.uom", "Product Unit of Measure", _f("name", "char", "Unit Name"), _ACTIVE),
    _model(
        "account.journal",
        "Journal",
        *_char(("name", "Journal Name"), ("code", "Short Code")),
        _sel("type", "Type", *JOURNAL_TYPES),
        _ACTIVE,
        order="type, code",
    ),
    _model(
        "account.tax",
        "Tax",
        _f("name", "char", "Tax Name"),
        _f("amount", "float", "Amount"),
        _sel("amount_type", "Tax Computation", *TAX_COMPUTATIONS),
        _sel("type_tax_use", "Tax Type", *TAX_USES),
        _m2o("country_id", "Country", "res.country"),
        _ACTIVE,
    ),
    _model(
        "res.users",
        "User",
        *_char(("name", "Name"), ("login", "Login"), ("email", "Email"), ("tz", "Timezone")),
        _m2o("partner_id", "Related Partner", "res.partner", required=True),
        _sel("lang", "Language", *LANGUAGES),
        _ACTIVE,
        order="name, login",
    ),
)

PARTNER_MODELS = (
    _model(
        "res.partner",
        "Contact",
        *_char(
            ("name", "Name"),
            ("complete_name", "Complete Name"),
            ("email", "Email"),
            ("phone", "Phone"),
            ("ref", "Reference"),
            ("vat", "Tax ID"),
            ("street", "Street"),
            ("street2", "Street2"),
            ("city", "City"),
            ("zip", "Zip"),
            ("country_code", "Country Code"),
            ("website", "Website Link"),
        ),
        _m2o("state_id", "State", "res.country.state"),
        _m2o("country_id", "Country", "res.country"),
        _f("is_company", "boolean", "Is a Company"),
        _sel("company_type", "Company Type", ("person", "Person"), ("company", "Company")),
        _sel("type", "Address Type", *ADDRESS_TYPES),
        _m2o("parent_id", "Related Company", "res.partner"),
        _o2m("child_ids", "Contact", "res.partner", "parent_id"),
        _m2o("commercial_partner_id", "Commercial Entity", "res.partner", readonly=True),
        _f("customer_rank", "integer", "Customer Rank"),
        _f("supplier_rank", "integer", "Supplier Rank"),
        _sel("lang", "Language", *LANGUAGES),
        _ACTIVE,
        _m2o("currency_id", "Currency", "res.currency", readonly=True),
        _f("credit", "monetary", "Total Receivable", readonly=True),
        _f("credit_limit", "float", "Credit Limit"),
        _f("use_partner_credit_limit", "boolean", "Partner Limit"),
        _o2m("sale_order_ids", "Sales Order", "sale.order", "partner_id"),
        _o2m("invoice_ids", "Invoices", "account.move", "partner_id"),
        order="complete_name ASC, id DESC",
    ),
)

STOCK_MODELS = (
    _model(
        "product.product",
        "Product Variant",
        *_char(("name", "Name"), ("default_code", "Internal Reference"), ("barcode", "Barcode")),
        _f("lst_price", "float", "Sales Price"),
        _f("list_price", "float", "Sales Price"),
        _f("standard_price", "float", "Cost"),
        _sel("type", "Product Type", *PRODUCT_TYPES),
        _f("is_storable", "boolean", "Track Inventory"),
        _m2o("uom_id", "Unit", "uom.uom"),
        _f("sale_ok", "boolean", "Sales"),
        _f("purchase_ok", "boolean", "Purchase"),
        _ACTIVE,
        _CURRENCY,
        _f("description_sale", "text", "Sales Description"),
        _f("qty_available", "float", "Quantity On Hand", readonly=True),
        _f("free_qty", "float", "Free To Use Quantity", readonly=True),
        _f("virtual_available", "float", "Forecasted Quantity", readonly=True),
        _f("weight", "float", "Weight"),
        order="default_code, name, id",
    ),
    _model(
        "stock.warehouse",
        "Warehouse",
        *_char(("name", "Warehouse"), ("code", "Short Name")),
        _m2o("lot_stock_id", "Location Stock", "stock.location"),
        _ACTIVE,
    ),
    _model(
        "stock.location",
        "Inventory Locations",
        *_char(("name", "Location Name"), ("complete_name", "Full Location Name")),
        _sel("usage", "Location Type", *LOCATION_USAGES),
        _m2o("location_id", "Parent Location", "stock.location"),
        _m2o("warehouse_id", "Warehouse", "stock.warehouse"),
        _ACTIVE,
        order="complete_name, id",
        rec_name="complete_name",
    ),
    _model(
        "stock.quant",
        "Quants",
        _m2o("product_id", "Product", "product.product", required=True),
        _m2o("location_id", "Location", "stock.location", required=True),
        _m2o("warehouse_id", "Warehouse", "stock.warehouse", readonly=True),
        _f("quantity", "float", "Quantity"),
        _f("reserved_quantity", "float", "Reserved Quantity"),
        _f("available_quantity", "float", "Available Quantity", readonly=True),
        _m2o("product_uom_id", "Unit", "uom.uom", readonly=True),
    ),
    _model(
        "stock.picking.type",
        "Picking Type",
        *_char(("name", "Operation Type"), ("sequence_code", "Sequence Prefix")),
        _sel("code", "Type of Operation", *PICKING_CODES, required=True),
        _m2o("warehouse_id", "Warehouse", "stock.warehouse"),
        _m2o("default_location_src_id", "Source Location", "stock.location"),
        _m2o("default_location_dest_id", "Destination Location", "stock.location"),
        _f("sequence", "integer", "Sequence"),
        _ACTIVE,
        order="sequence, id",
    ),
    _model(
        "stock.picking",
        "Transfer",
        *_char(("name", "Reference"), ("origin", "Source Document")),
        _f("note", "html", "Notes"),
        _m2o("partner_id", "Contact", "res.partner"),
        _m2o("picking_type_id", "Operation Type", "stock.picking.type", required=True),
        _sel("picking_type_code", "Type of Operation", *PICKING_CODES, readonly=True),
        _m2o("location_id", "Source Location", "stock.location", required=True),
        _m2o("location_dest_id", "Destination Location", "stock.location", required=True),
        _sel("state", "Status", *PICKING_STATES, readonly=True),
        _f("scheduled_date", "datetime", "Scheduled Date"),
        _m2o("sale_id", "Sales Order", "sale.order"),
        _o2m("move_ids", "Stock Moves", "stock.move", "picking_id"),
        order="scheduled_date asc, id desc",
    ),
    _model(
        "stock.move",
        "Stock Move",
        _f("name", "char", "Description"),
        _m2o("picking_id", "Transfer", "stock.picking"),
        _m2o("product_id", "Product", "product.product", required=True),
        _f("product_uom_qty", "float", "Demand"),
        _m2o("product_uom_id", "Unit", "uom.uom", required=True),
        _m2o("location_id", "Source Location", "stock.location", required=True),
        _m2o("location_dest_id", "Destination Location", "stock.location", required=True),
        _sel("state", "Status", *PICKING_STATES, readonly=True),
        _f("origin", "char", "Source Document"),
        _m2o("sale_line_id", "Sale Line", "sale.order.line"),
        _f("to_refund", "boolean", "Update quantities on SO/PO"),
    ),
)

SALES_MODELS = (
    _model(
        "sale.order",
        "Sales Order",
        *_char(
            ("name", "Order Reference"),
            ("client_order_ref", "Customer Reference"),
            ("origin", "Source Document"),
        ),
        _m2o("partner_id", "Customer", "res.partner", required=True),
        _m2o("partner_invoice_id", "Invoice Address", "res.partner"),
        _m2o("partner_shipping_id", "Delivery Address", "res.partner"),
        _f("date_order", "datetime", "Order Date", required=True),
        _f("validity_date", "date", "Expiration"),
        _sel("state", "Status", *ORDER_STATES),
        _o2m("order_line", "Order Lines", "sale.order.line", "order_id"),
        *_money(
            ("amount_untaxed", "Untaxed Amount"), ("amount_tax", "Taxes"), ("amount_total", "Total")
        ),
        _sel("invoice_status", "Invoice Status", *INVOICE_STATUSES),
        _m2m("invoice_ids", "Invoices", "account.move"),
        _f("invoice_count", "integer", "Invoice Count"),
        _CURRENCY,
        _m2o("user_id", "Salesperson", "res.users"),
        _f("locked", "boolean", "Locked"),
        _f("currency_rate", "float", "Currency Rate", readonly=True),
        _f("note", "html", "Terms"),
        order="date_order desc, id desc",
    ),
    _model(
        "sale.order.line",
        "Sales Order Line",
        _m2o("order_id", "Order Reference", "sale.order", required=True),
        _f("sequence", "integer", "Sequence"),
        _m2o("product_id", "Product", "product.product"),
        _f("name", "text", "Description"),
        _sel("display_type", "Display Type", *LINE_DISPLAY_TYPES),
        _f("product_uom_qty", "float", "Quantity"),
        _m2o("product_uom_id", "Unit", "uom.uom"),
        _f("price_unit", "float", "Unit Price"),
        _f("discount", "float", "Discount (%)"),
        *_money(("price_subtotal", "Subtotal"), ("price_total", "Total")),
        _f("price_tax", "float", "Total Tax", readonly=True),
        _f("qty_delivered", "float", "Delivery Quantity"),
        _f("qty_invoiced", "float", "Invoiced Quantity", readonly=True),
        _f("qty_to_invoice", "float", "Quantity To Invoice", readonly=True),
        _m2m("tax_ids", "Taxes", "account.tax"),
        _CURRENCY,
        _m2o("order_partner_id", "Customer", "res.partner", readonly=True),
        _sel("state", "Order Status", *ORDER_STATES, readonly=True),
        order="order_id, sequence, id",
    ),
)

ACCOUNTING_MODELS = (
    _model(
        "account.move",
        "Journal Entry",
        *_char(
            ("name", "Number"),
            ("invoice_origin", "Origin"),
            ("ref", "Reference"),
            ("payment_reference", "Payment Reference"),
        ),
        _sel("move_type", "Type", *MOVE_TYPES),
        _sel("state", "Status", ("draft", "Draft"), ("posted", "Posted"), ("cancel", "Cancelled")),
        _sel("payment_state", "Payment Status", *PAYMENT_STATES, readonly=True),
        _m2o("partner_id", "Partner", "res.partner"),
        _m2o("commercial_partner_id", "Commercial Entity", "res.partner", readonly=True),
        _m2o("journal_id", "Journal", "account.journal", required=True),
        _f("date", "date", "Date"),
        _f("invoice_date", "date", "Invoice/Bill Date"),
        _f("invoice_date_due", "date", "Due Date"),
        *_money(
            ("amount_untaxed", "Untaxed Amount"),
            ("amount_tax", "Tax"),
            ("amount_total", "Total"),
            ("amount_residual", "Amount Due"),
        ),
        _CURRENCY,
        _m2m("matched_payment_ids", "Matched Payments", "account.payment"),
        _m2o("reversed_entry_id", "Reversal of", "account.move"),
        order="date desc, name desc, invoice_date desc, id desc",
    ),
    _model(
        "account.payment",
        "Payments",
        *_char(("name", "Number"), ("memo", "Memo")),
        _sel("payment_type", "Payment Type", ("outbound", "Send"), ("inbound", "Receive")),
        _sel("partner_type", "Partner Type", ("customer", "Customer"), ("supplier", "Vendor")),
        _m2o("partner_id", "Customer/Vendor", "res.partner"),
        _f("amount", "monetary", "Amount"),
        _CURRENCY,
        _f("date", "date", "Date"),
        _m2o("journal_id", "Journal", "account.journal", required=True),
        _sel("state", "Status", *PAYMENT_RECORD_STATES),
        _m2m("invoice_ids", "Invoices", "account.move"),
        _f("is_reconciled", "boolean", "Is Reconciled", readonly=True),
        _f("is_matched", "boolean", "Is Matched With a Bank Statement", readonly=True),
        order="date desc, name desc",
    ),
    _model(
        "account.payment.register",
        "Pay",
        _f("payment_date", "date", "Payment Date", required=True),
        _f("amount", "monetary", "Amount"),
        _f("communication", "char", "Memo"),
        _m2o("journal_id", "Journal", "account.journal"),
        _m2o("partner_id", "Customer/Vendor", "res.partner", readonly=True),
        _CURRENCY,
        _f("source_amount", "monetary", "Amount to Pay", readonly=True),
        _sel("payment_type", "Payment Type", ("outbound", "Send"), ("inbound", "Receive")),
        _sel("partner_type", "Partner Type", ("customer", "Customer"), ("supplier", "Vendor")),
    ),
)

# The registry of models, which clients read to learn what the server has (odoorpc's
# `"res.partner" in odoo.env` searches it).
META_MODELS = (
    _model(
        "ir.model",
        "Models",
        _f("name", "char", "Model Description", required=True),
        _f("model", "char", "Model", required=True),
        order="model",
    ),
)

MODELS: tuple[ModelSpec, ...] = (
    REFERENCE_MODELS
    + PARTNER_MODELS
    + STOCK_MODELS
    + SALES_MODELS
    + ACCOUNTING_MODELS
    + META_MODELS
)
