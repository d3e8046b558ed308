"""Odoo's error objects as typed exceptions.

Odoo names the server-side exception class in `error.data.name` (JSON-RPC) or `name`
(JSON-2). Each typed error is also one of the generic backend errors, so the gateway
handles it without knowing Odoo::

    OdooError                         carries `odoo_name`, Odoo's exception class
    ├── OdooAccessDenied              bad login or API key         (BackendAuthError)
    ├── OdooAccessError               the user lacks rights        (BackendAuthError)
    ├── OdooMissingError              a record does not exist      (BackendRequestError)
    ├── OdooUserError                 a business rule refused it   (BackendRequestError)
    │   └── OdooValidationError       a constraint refused it
    └── OdooServerError               anything else (ValueError on
                                      a bad field or domain, ...)  (BackendRequestError)
"""

from __future__ import annotations

from erp_backends.errors import BackendAuthError, BackendError, BackendRequestError


class OdooError(BackendError):
    """An error object Odoo answered with; `odoo_name` is its Python exception class."""

    def __init__(self, message: str, *, backend: str, odoo_name: str) -> None:
        super().__init__(message, backend=backend)
        self.odoo_name = odoo_name


class OdooAccessDenied(OdooError, BackendAuthError):
    """Odoo refused the login, password or API key."""


class OdooAccessError(OdooError, BackendAuthError):
    """The API user may not read or write this model or record."""


class OdooMissingError(OdooError, BackendRequestError):
    """A record asked for by id does not exist (or was deleted)."""


class OdooUserError(OdooError, BackendRequestError):
    """Odoo refused the operation for a business reason it explains in the message."""


class OdooValidationError(OdooUserError):
    """A model constraint refused the values."""


class OdooServerError(OdooError, BackendRequestError):
    """Any other server-side exception: an unknown field, a malformed domain, a bug."""


_BY_NAME: dict[str, type[OdooError]] = {
    "odoo.exceptions.AccessDenied": OdooAccessDenied,
    "werkzeug.exceptions.Unauthorized": OdooAccessDenied,
    "odoo.http.SessionExpiredException": OdooAccessDenied,
    "odoo.exceptions.AccessError": OdooAccessError,
    "werkzeug.exceptions.Forbidden": OdooAccessError,
    "odoo.exceptions.MissingError": OdooMissingError,
    "odoo.exceptions.UserError": OdooUserError,
    "odoo.exceptions.RedirectWarning": OdooUserError,
    "odoo.exceptions.ValidationError": OdooValidationError,
}


def odoo_error(odoo_name: str, message: str, *, backend: str) -> OdooError:
    """The typed exception for an Odoo error object."""
    cls = _BY_NAME.get(odoo_name, OdooServerError)
    return cls(f"Odoo {odoo_name}: {message}", backend=backend, odoo_name=odoo_name)
