"""WooCommerce's error bodies as typed exceptions.

WordPress answers every REST error as `{"code": ..., "message": ..., "data": {"status":
...}}`; the code names the failure (`woocommerce_rest_authentication_error`,
`rest_no_route`, `rest_invalid_param`). Each typed error is also one of the generic
backend errors, so the gateway handles it without knowing WooCommerce::

    WooCommerceError                   carries `code` and `status`
    ├── WooCommerceAuthError           401/403: key or secret refused,
    │                                  no permission to read       (BackendAuthError)
    ├── WooCommerceNotFound            404: unknown id or route    (BackendRequestError)
    ├── WooCommerceInvalidRequest      400 and other 4xx: a bad
    │                                  parameter                   (BackendRequestError)
    └── WooCommerceServerError         5xx with an error body: PHP
                                       fatal error, database down  (BackendUnavailable)
"""

from __future__ import annotations

from erp_backends.errors import (
    BackendAuthError,
    BackendError,
    BackendRequestError,
    BackendUnavailable,
)


class WooCommerceError(BackendError):
    """An error object WooCommerce answered with; `code` is WordPress's error code."""

    def __init__(self, message: str, *, backend: str, code: str, status: int) -> None:
        super().__init__(message, backend=backend)
        self.code = code
        self.status = status


class WooCommerceAuthError(WooCommerceError, BackendAuthError):
    """The consumer key or secret was refused, or the key may not read this resource."""


class WooCommerceNotFound(WooCommerceError, BackendRequestError):
    """No such record (`woocommerce_rest_*invalid_id`) or route (`rest_no_route`)."""


class WooCommerceInvalidRequest(WooCommerceError, BackendRequestError):
    """WooCommerce refused the request's parameters (`rest_invalid_param`)."""


class WooCommerceServerError(WooCommerceError, BackendUnavailable):
    """The shop failed on its side (WordPress's `internal_server_error`, a database error)."""


def woocommerce_error(status: int, code: str, message: str, *, backend: str) -> WooCommerceError:
    """The typed exception for an error body WooCommerce answered with HTTP `status`."""
    cls: type[WooCommerceError]
    if status in (401, 403):
        cls = WooCommerceAuthError
    elif status == 404:
        cls = WooCommerceNotFound
    elif status >= 500:
        cls = WooCommerceServerError
    else:
        cls = WooCommerceInvalidRequest
    text = f"WooCommerce {code} (HTTP {status}): {message}"
    return cls(text, backend=backend, code=code, status=status)
