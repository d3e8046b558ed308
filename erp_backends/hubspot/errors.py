"""HubSpot's error bodies as typed exceptions.

HubSpot answers a refused call with `{"status": "error", "message": ..., "correlationId":
..., "category": ...}` (plus `errors[]` and `context` for validation errors). Each typed
error is also one of the generic backend errors, so the gateway handles it without
knowing HubSpot::

    HubSpotError                      carries `category`, `correlation_id`, `status`
    ├── HubSpotAuthError              INVALID_AUTHENTICATION (401),
    │                                 MISSING_SCOPES (403)            (BackendAuthError)
    ├── HubSpotRequestError           VALIDATION_ERROR (400), OBJECT_NOT_FOUND (404),
    │                                 CONFLICT (409), any other 4xx   (BackendRequestError)
    └── HubSpotServerError            HTTP 500 and other 5xx that
                                      `BackendHttp` does not retry    (BackendUnavailable)

HTTP 429 never gets here: `BackendHttp` turns it into `BackendRateLimited` first.
"""

from __future__ import annotations

from typing import Any

from erp_backends.errors import (
    BackendAuthError,
    BackendError,
    BackendRequestError,
    BackendUnavailable,
)


class HubSpotError(BackendError):
    """An error HubSpot answered with; `category` is HubSpot's own kind of error."""

    def __init__(
        self,
        message: str,
        *,
        backend: str,
        status: int,
        category: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(message, backend=backend)
        self.status = status
        self.category = category
        self.correlation_id = correlation_id


class HubSpotAuthError(HubSpotError, BackendAuthError):
    """HubSpot refused the private app token, or the app lacks a scope."""


class HubSpotRequestError(HubSpotError, BackendRequestError):
    """HubSpot refused the request itself: invalid input, unknown object or property."""


class HubSpotServerError(HubSpotError, BackendUnavailable):
    """HubSpot failed on its side."""


_AUTH_CATEGORIES = frozenset({"INVALID_AUTHENTICATION", "MISSING_SCOPES", "EXPIRED_AUTHENTICATION"})


def hubspot_error(status: int, body: Any, *, what: str, backend: str) -> HubSpotError:
    """The typed exception for an error answer; `body` is the parsed JSON, if any."""
    error = body if isinstance(body, dict) else {}
    category = error.get("category") if isinstance(error.get("category"), str) else None
    correlation = error.get("correlationId")
    message = error.get("message") if isinstance(error.get("message"), str) else None
    text = f"HubSpot answered {what} with HTTP {status}"
    if category or message:
        text += f": {category or 'error'}: {message or ''}".rstrip(": ")
    if isinstance(correlation, str):
        text += f" (correlationId {correlation})"
    cls: type[HubSpotError]
    if status in (401, 403) or category in _AUTH_CATEGORIES:
        cls = HubSpotAuthError
    elif status >= 500:
        cls = HubSpotServerError
    else:
        cls = HubSpotRequestError
    return cls(
        text,
        backend=backend,
        status=status,
        category=category,
        correlation_id=correlation if isinstance(correlation, str) else None,
    )
