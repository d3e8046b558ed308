"""Customer writes to the emulated shop, as WooCommerce's customers controller makes them.

- `POST /customers` (201): `email` is required (400 `rest_missing_callback_param`) and
  must be an address (`registration-error-invalid-email`) no account has yet
  (`registration-error-email-exists`); `username` defaults to the mailbox, made unique,
  and a given one must be free (`registration-error-username-exists`); an `id` in the
  body is 400 `woocommerce_rest_customer_exists`.
- `PUT|POST|PATCH /customers/<id>`: an unknown id is 400 `woocommerce_rest_invalid_id`,
  another account's email 400 `woocommerce_rest_customer_invalid_email`, a new username
  400 `woocommerce_rest_customer_invalid_argument` (user names are not editable).
- `DELETE /customers/<id>?force=true`: customers cannot be trashed, so without `force`
  it is 501 `woocommerce_rest_trash_not_supported` (asked before the id is looked at);
  an unknown id is then 400 `woocommerce_rest_invalid_id`.

Batches go through `ShopWriter.batch` with these three actions.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from erp_backends.woocommerce.emulator.params import WpError
from erp_backends.woocommerce.emulator.store import ShopStore
from erp_backends.woocommerce.emulator.writes import (
    ADDRESS_FIELDS,
    check_body,
    dated,
    merged_meta,
    site_now,
)

Json = dict[str, Any]
AVATAR = "https://secure.gravatar.com/avatar/?s=96&d=mm&r=g"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_FIELDS = {
    "email": "string",
    "first_name": "string",
    "last_name": "string",
    "username": "string",
    "password": "string",
    "billing": "object",
    "shipping": "object",
    "meta_data": "array",
}
_EMAIL_TAKEN = (
    "An account is already registered with your email address. "
    '<a href="#" class="showlogin">Please log in.</a>'
)


class CustomerWriter:
    """Creates, changes and deletes the store's customer accounts."""

    def __init__(self, store: ShopStore) -> None:
        self.store = store

    def create(self, body: Json) -> Json:
        if not body.get("email"):  # WordPress checks the route's arguments first
            raise WpError(
                400, "rest_missing_callback_param", "Missing parameter(s): email", params=["email"]
            )
        check_body(body, _FIELDS, {})
        if body.get("id"):
            raise WpError(
                400, "woocommerce_rest_customer_exists", "Cannot create existing resource."
            )
        email = body["email"].strip()
        if not _EMAIL.match(email):
            raise WpError(
                400, "registration-error-invalid-email", "Please provide a valid email address."
            )
        if self._owner_of(email) is not None:
            raise WpError(400, "registration-error-email-exists", _EMAIL_TAKEN)
        stamp = site_now()
        customer: Json = {
            "id": max(self.store.customers, default=0) + 1,
            **dated("date_created", stamp),
            **dated("date_modified", stamp),
            "email": email,
            "first_name": "",
            "last_name": "",
            "role": "customer",
            "username": self._username(body.get("username"), email),
            "billing": {**dict.fromkeys(ADDRESS_FIELDS, ""), "email": "", "phone": ""},
            "shipping": {**dict.fromkeys(ADDRESS_FIELDS, ""), "phone": ""},
            "is_paying_customer": False,
            "avatar_url": AVATAR,
            "meta_data": [],
        }
        self._apply(customer, body)
        self.store.customers[customer["id"]] = customer
        self.store.reindex()
        return customer

    def update(self, customer_id: int, body: Json) -> Json:
        customer = self.store.customers.get(customer_id)
        if customer is None:
            raise WpError(400, "woocommerce_rest_invalid_id", "Invalid resource ID.")
        check_body(body, _FIELDS, {})
        email = (body.get("email") or "").strip()
        if email and not _EMAIL.match(email):
            raise _invalid_email()
        owner = self._owner_of(email) if email else None
        if owner is not None and owner != customer_id:
            raise WpError(
                400, "woocommerce_rest_customer_invalid_email", "Email address is invalid."
            )
        if body.get("username") and body["username"] != customer["username"]:
            raise WpError(
                400, "woocommerce_rest_customer_invalid_argument", "Username isn't editable."
            )
        changed = copy.deepcopy(customer)
        if email:
            changed["email"] = email
        self._apply(changed, body)
        changed.update(dated("date_modified", site_now()))
        self.store.customers[customer_id] = changed
        self.store.reindex()
        return changed

    def delete(self, customer_id: int, force: bool) -> Json:
        if not force:
            raise WpError(
                501, "woocommerce_rest_trash_not_supported", "Customers do not support trashing."
            )
        customer = self.store.customers.pop(customer_id, None)
        if customer is None:
            raise WpError(400, "woocommerce_rest_invalid_id", "Invalid resource id.")
        self.store.reindex()
        return customer

    def _apply(self, customer: Json, body: Json) -> None:
        for name in ("first_name", "last_name"):
            if name in body and body[name] is not None:
                customer[name] = body[name]
        for part in ("billing", "shipping"):
            given = body.get(part) or {}
            known = {k: str(v) for k, v in given.items() if k in customer[part]}
            customer[part] = {**customer[part], **known}
        if "meta_data" in body:
            customer["meta_data"] = merged_meta(customer["meta_data"], body["meta_data"])

    def _owner_of(self, email: str) -> int | None:
        """The id of the account with this email (WordPress compares it case-blind)."""
        wanted = email.lower()
        return next(
            (c["id"] for c in self.store.customers.values() if c["email"].lower() == wanted), None
        )

    def _username(self, given: object, email: str) -> str:
        """A given user name, which must be free; else the mailbox, numbered if taken."""
        taken = {c["username"].lower() for c in self.store.customers.values()}
        if isinstance(given, str) and given:
            if given.lower() in taken:
                raise WpError(
                    400,
                    "registration-error-username-exists",
                    "An account is already registered with that username. Please choose another.",
                )
            return given
        base = re.sub(r"[^a-z0-9_.@-]", "", email.split("@")[0].lower()) or "customer"
        name, suffix = base, 1
        while name in taken:
            suffix += 1
            name = f"{base}-{suffix}"
        return name


def _invalid_email() -> WpError:
    """WordPress's schema check of the `email` format (on updates; create has its own)."""
    message = "Invalid email address."
    return WpError(
        400,
        "rest_invalid_param",
        "Invalid parameter(s): email",
        params={"email": message},
        details={"email": {"code": "rest_invalid_email", "message": message, "data": None}},
    )
