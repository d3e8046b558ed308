"""One error hierarchy for every backend.

Adapters translate transport errors (`httpx`) and each system's error objects into
these, with `raise ... from`, so the gateway maps them to GraphQL error codes without
knowing which system spoke::

    BackendError                    anything a backend call can fail with
    ├── BackendUnavailable          unreachable, connection reset, HTTP 5xx
    ├── BackendTimeout              no answer within the configured timeout
    ├── BackendRateLimited          HTTP 429 or the system's own throttle signal
    ├── BackendAuthError            credentials refused
    ├── BackendRequestError         the system refused the request itself
    │                               (unknown model or field, malformed filter)
    └── BackendDataError            the answer cannot be translated to the canonical model

Every error carries `backend`, the role the system plays in the gateway ("erp"), and a
message that never contains credentials.

A business refusal is not a failure of the system: `BusinessRuleViolation`, with a
`UserErrorCode` the client sees in `userErrors[].code`. When the writer had already done
part of the write in the ERP and undid it before raising, `compensated` says what it
undid (the command is then ROLLED_BACK rather than FAILED).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class BackendError(Exception):
    """A backend call failed; `backend` names the role of the system ("erp", "crm")."""

    def __init__(self, message: str, *, backend: str) -> None:
        super().__init__(message)
        self.message = message
        self.backend = backend


class BackendUnavailable(BackendError):
    """The system could not be reached or answered with a server error."""


class BackendTimeout(BackendError):
    """The system did not answer within the configured timeout."""


class BackendRateLimited(BackendError):
    """The system throttled us; `retry_after` is its hint in seconds, when it gave one."""

    def __init__(self, message: str, *, backend: str, retry_after: float | None = None) -> None:
        super().__init__(message, backend=backend)
        self.retry_after = retry_after


class BackendAuthError(BackendError):
    """The system refused our credentials."""


class BackendRequestError(BackendError):
    """The system refused the request: a bug in the adapter or a mismatched system version."""


class BackendDataError(BackendError):
    """The system answered with data the canonical model cannot represent."""


class BusinessRuleViolation(Exception):
    """The ERP (or the gateway on its behalf) refused a write for a business reason the
    client can act on: not a failure of the system. `code` is stable and becomes
    `userErrors[].code`; `field` names the input at fault, when one is. `compensated`,
    when set, says what the writer undid in the ERP before raising (e.g. "cancelled
    draft order S00042"): the refusal came after a first step had been done."""

    def __init__(
        self,
        code: UserErrorCode,
        message: str,
        *,
        field: str | None = None,
        compensated: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.compensated = compensated

    def undone(self, compensated: str) -> BusinessRuleViolation:
        """The same refusal, saying what the writer undid after it."""
        return BusinessRuleViolation(
            self.code, self.message, field=self.field, compensated=compensated
        )


class UserErrorCode(StrEnum):
    """Why a write was refused, as `userErrors[].code` tells the client: one code per
    fault, whoever finds it (the resolver before acceptance, or the ERP writer when the
    command runs). Each value's meaning and remedy is in `USER_ERROR_DESCRIPTIONS`, which
    the GraphQL enum and the README repeat."""

    # The lines of an order or a return
    NO_LINES = "NO_LINES"
    UNKNOWN_SKU = "UNKNOWN_SKU"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    TOO_MANY_LINES = "TOO_MANY_LINES"
    UNIT_NOT_CONVERTIBLE = "UNIT_NOT_CONVERTIBLE"
    PRODUCT_NOT_FOUND = "PRODUCT_NOT_FOUND"
    PRODUCT_NOT_SELLABLE = "PRODUCT_NOT_SELLABLE"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    # The customer and the delivery address
    CUSTOMER_REQUIRED = "CUSTOMER_REQUIRED"
    CUSTOMER_NOT_FOUND = "CUSTOMER_NOT_FOUND"
    CREDIT_LIMIT_EXCEEDED = "CREDIT_LIMIT_EXCEEDED"
    UNKNOWN_COUNTRY = "UNKNOWN_COUNTRY"
    UNKNOWN_REGION = "UNKNOWN_REGION"
    # Free text: notes, reasons, address fields
    TEXT_TOO_LONG = "TEXT_TOO_LONG"
    INVALID_TEXT = "INVALID_TEXT"
    # Orders, invoices and payments
    NOT_FOUND = "NOT_FOUND"
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
    ORDER_NOT_CANCELLABLE = "ORDER_NOT_CANCELLABLE"
    ORDER_NOT_RETURNABLE = "ORDER_NOT_RETURNABLE"
    INVOICE_NOT_FOUND = "INVOICE_NOT_FOUND"
    INVOICE_NOT_PAYABLE = "INVOICE_NOT_PAYABLE"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    AMOUNT_PRECISION = "AMOUNT_PRECISION"
    UNKNOWN_CURRENCY = "UNKNOWN_CURRENCY"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    AMOUNT_EXCEEDS_DUE = "AMOUNT_EXCEEDS_DUE"
    # Idempotency keys
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    IDEMPOTENCY_KEY_CONFLICT = "IDEMPOTENCY_KEY_CONFLICT"
    INVALID_IDEMPOTENCY_KEY = "INVALID_IDEMPOTENCY_KEY"
    # Never raised: what a stored refusal whose code this version does not know reads as
    OTHER_BUSINESS_RULE = "OTHER_BUSINESS_RULE"
    # The ERP's own refusal of a step (its message says why)
    ERP_REFUSED = "ERP_REFUSED"

    @property
    def description(self) -> str:
        return USER_ERROR_DESCRIPTIONS[self]

    @classmethod
    def from_stored(cls, text: str) -> UserErrorCode:
        """The code of a refusal stored as text: commands in a queue keep the code they
        failed with, which may be a retired alias or a code of a newer gateway version
        sharing the queue. Never raises: the stored `message` still says why."""
        if text in LEGACY_USER_ERROR_CODES:
            return LEGACY_USER_ERROR_CODES[text]
        try:
            return cls(text)
        except ValueError:
            return cls.OTHER_BUSINESS_RULE


# Codes retired when two names for one fault were merged, as stored before the merge.
LEGACY_USER_ERROR_CODES: Mapping[str, UserErrorCode] = {
    "EMPTY_ORDER": UserErrorCode.NO_LINES,
    "UNIT_MISMATCH": UserErrorCode.UNIT_NOT_CONVERTIBLE,
}

# What each fault is and what the client can do; the schema's enum values carry these.
USER_ERROR_DESCRIPTIONS: Mapping[UserErrorCode, str] = {
    UserErrorCode.NO_LINES: "The order or return has no lines. Send at least one line.",
    UserErrorCode.UNKNOWN_SKU: (
        "No product has this SKU (`field` is the line's path). Correct the SKU or remove the line."
    ),
    UserErrorCode.INVALID_QUANTITY: (
        "A line's quantity is not more than 0, has more than 6 decimals, or is a billion "
        "or more of the product's sales unit. Send a positive quantity."
    ),
    UserErrorCode.TOO_MANY_LINES: (
        "The order or return has more lines than the gateway takes (`[writes] max_lines`, "
        "200 by default). Split it into several orders."
    ),
    UserErrorCode.UNIT_NOT_CONVERTIBLE: (
        "A line's unit does not convert to the product's sales unit (a kilogram of an "
        "item sold by the piece). Send the sales unit, one of its kind, or none."
    ),
    UserErrorCode.PRODUCT_NOT_FOUND: (
        "The ERP has no product for a line, when the command ran (it was deleted since). "
        "Look the product up again and send a new request."
    ),
    UserErrorCode.PRODUCT_NOT_SELLABLE: (
        "A line's product is archived, gone or not for sale in the ERP. Found at acceptance "
        "(`field` names the line's `sku`) in the product as the gateway caches it (an hour "
        "by default): one taken off sale since is refused by the ERP when the command "
        "runs. Remove the line (in a reorder, send its SKU with quantity 0)."
    ),
    UserErrorCode.INSUFFICIENT_STOCK: (
        "The live available stock is less than the order's lines ask of a product. "
        "Order less, or later."
    ),
    UserErrorCode.CUSTOMER_REQUIRED: (
        "Staff and partners order for a customer they name. Send `customerId`."
    ),
    UserErrorCode.CUSTOMER_NOT_FOUND: (
        "The ERP has no such customer, when the command ran (it was deleted or merged "
        "since). Look the customer up again."
    ),
    UserErrorCode.CREDIT_LIMIT_EXCEEDED: (
        "The customer's open balance (unpaid invoices and confirmed orders not invoiced) "
        "plus this order passes its credit limit. Order less, or pay invoices first."
    ),
    UserErrorCode.UNKNOWN_COUNTRY: (
        "No country has the shipping address's `countryCode` (an ISO 3166-1 code, alpha-2, "
        "alpha-3 or numeric, or the country's English name), or the ERP knows none with "
        "it. Send an ISO 3166-1 alpha-2 code, e.g. US."
    ),
    UserErrorCode.UNKNOWN_REGION: (
        "The shipping address's `region` is no ISO 3166-2 subdivision of its country. "
        "Send the code (US-CA, or CA with countryCode US) or leave it out."
    ),
    UserErrorCode.TEXT_TOO_LONG: (
        "A note, a return's reason or a shipping address field is longer than the gateway "
        "takes (`[writes] max_note_chars`, `max_address_field_chars`). Send less."
    ),
    UserErrorCode.INVALID_TEXT: (
        "A note, a return's reason or a shipping address field holds control characters "
        "(NUL, escape, ...; an address field a line break) the ERP cannot store. Remove them."
    ),
    UserErrorCode.NOT_FOUND: (
        "No object with this id that the caller may see (`field` names the input). "
        "Check the id; ids are opaque, copy them from answers."
    ),
    UserErrorCode.ORDER_NOT_FOUND: (
        "The ERP has no such order, when the command ran (it was deleted since). Look the "
        "order up again."
    ),
    UserErrorCode.ORDER_NOT_CANCELLABLE: (
        "The order is delivered or invoiced already, so it cannot be cancelled. Request "
        "a return instead."
    ),
    UserErrorCode.ORDER_NOT_RETURNABLE: (
        "Nothing of the order was delivered yet, or a line asks back more than was "
        "delivered less what was returned and what other returns ask back. Cancel the "
        "order instead, or return less."
    ),
    UserErrorCode.INVOICE_NOT_FOUND: (
        "The ERP has no such invoice, when the command ran (it was deleted since). Look "
        "the invoice up again."
    ),
    UserErrorCode.INVOICE_NOT_PAYABLE: (
        "The invoice is not posted (a draft or cancelled), so it cannot be paid. Pay "
        "another invoice or ask the company."
    ),
    UserErrorCode.INVALID_AMOUNT: "The amount is not more than 0. Send a positive amount.",
    UserErrorCode.AMOUNT_PRECISION: (
        "The amount has more decimals than its currency's minor unit (EUR 2, JPY 0, KWD 3). "
        "Round it to the currency's smallest coin."
    ),
    UserErrorCode.UNKNOWN_CURRENCY: (
        "The currency is no ISO 4217 code of money (EUR, USD, JPY). Send the invoice's currency."
    ),
    UserErrorCode.CURRENCY_MISMATCH: (
        "The payment's currency is not the invoice's. Pay in the invoice's currency."
    ),
    UserErrorCode.AMOUNT_EXCEEDS_DUE: (
        "The amount is more than the invoice has due now (nothing may be due any more). "
        "Read `amountDue` again; omit the amount to pay all of it."
    ),
    UserErrorCode.IDEMPOTENCY_KEY_REUSED: (
        "The caller already used this idempotency key for a different request. Use a new "
        "key for a new request."
    ),
    UserErrorCode.IDEMPOTENCY_KEY_CONFLICT: (
        "The Idempotency-Key header and `idempotencyKey` differ. Send one, or the same key in both."
    ),
    UserErrorCode.INVALID_IDEMPOTENCY_KEY: (
        "An idempotency key is 1 to 200 printable characters. Send a shorter key, without "
        "control characters."
    ),
    UserErrorCode.OTHER_BUSINESS_RULE: (
        "A refusal this gateway version has no code for (recorded by another version); "
        "`message` says why. Do not send the same request again unchanged."
    ),
    UserErrorCode.ERP_REFUSED: (
        "The ERP refused a step of the write for a business reason of its own, which "
        "`message` quotes (an approval it requires, a rule of its configuration); "
        "anything the write had created there was undone (the command is ROLLED_BACK). "
        "Correct what the message names, or ask the company."
    ),
}
