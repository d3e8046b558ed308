"""Why a request's credentials were refused. Messages name the reason, never the token."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gateway.auth.principal import Principal


class InvalidToken(Exception):
    """The credentials are not acceptable: HTTP 401, `UNAUTHENTICATED`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ImpersonationDenied(Exception):
    """Valid credentials asked to act as a customer without the right: HTTP 403."""

    def __init__(self, reason: str, principal: Principal, customer_id: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.principal = principal  # who tried, for the audit log
        self.customer_id = customer_id


class AuthUnavailable(Exception):
    """The gateway cannot check credentials right now (the JWKS or the token store is
    down): HTTP 503, so a client retries instead of dropping its token."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
