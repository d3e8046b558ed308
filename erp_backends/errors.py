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
"""

from __future__ import annotations


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
    `userErrors[].code`; `field` names the input at fault, when one is."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
