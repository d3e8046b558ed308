"""The `Principal`: who a request acts for, and with which rights."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PrincipalKind(StrEnum):
    CUSTOMER = "customer"  # a customer in an app or portal: sees only its own objects
    STAFF = "staff"  # backoffice staff; may act as a customer with customers:impersonate
    PARTNER = "partner"  # a partner system with an API token
    SERVICE = "service"  # another of the company's services
    ANONYMOUS = "anonymous"  # no credentials: may explore the schema, read nothing


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    kind: PrincipalKind
    scopes: frozenset[str] = frozenset()
    # The customer's id exactly as the schema shows it (a global id), for customers and
    # for partner tokens bound to one customer; None for everyone else.
    customer_id: str | None = None
    # The ERP's key of that customer, which records carry: what ownership compares.
    customer_key: str | None = None
    # The staff member behind an impersonated request.
    actor: Principal | None = None
    # How the principal proved itself: "jwt" or "api_token:<token id>"; for the audit.
    credential: str = "none"

    @property
    def is_anonymous(self) -> bool:
        return self.kind is PrincipalKind.ANONYMOUS

    @property
    def is_bound_to_customer(self) -> bool:
        """Sees only one customer's objects (a customer, or a partner token for one)."""
        return self.customer_key is not None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


ANONYMOUS = Principal(subject="anonymous", kind=PrincipalKind.ANONYMOUS)
