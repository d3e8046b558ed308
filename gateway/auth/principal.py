"""The `Principal`: who a request acts for, and with which rights."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from erp_backends.rate_limit import RateLimit
from gateway.auth.scopes import CUSTOMERS_ANY


class PrincipalKind(StrEnum):
    CUSTOMER = "customer"  # a customer in an app or portal: sees only its own objects
    STAFF = "staff"  # backoffice staff; may act as a customer with customers:impersonate
    PARTNER = "partner"  # a partner system: acts for the customers it is bound to
    SERVICE = "service"  # another of the company's services
    ANONYMOUS = "anonymous"  # no credentials: may explore the schema, read nothing


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    kind: PrincipalKind
    scopes: frozenset[str] = frozenset()
    # The customer the request acts as when none is named (a customer, a staff member
    # acting as one, a partner bound to exactly one), as the schema shows its id (a
    # global id); None for everyone else.
    customer_id: str | None = None
    # The ERP's key of that customer, which records carry: what ownership compares.
    customer_key: str | None = None
    # A partner's: the ERP keys of every customer it is bound to.
    bound_keys: frozenset[str] = frozenset()
    # The staff member behind an impersonated request.
    actor: Principal | None = None
    # How the principal proved itself: "jwt" or "api_token:<token id>"; for the audit.
    credential: str = "none"
    # A partner API token's own rate limit (`token create --rate`); None: its kind's.
    rate_limit: RateLimit | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.kind is PrincipalKind.ANONYMOUS

    @property
    def customer_keys(self) -> frozenset[str] | None:
        """The ERP keys of the customers whose objects the principal may see and act
        on; None when it is not limited to some (staff, services, and partners with
        customers:any). A partner bound to no customer gets the empty set: nothing."""
        if self.kind is PrincipalKind.CUSTOMER:
            return frozenset() if self.customer_key is None else frozenset({self.customer_key})
        if self.kind is PrincipalKind.PARTNER and not self.has_scope(CUSTOMERS_ANY):
            return self.bound_keys
        return None

    @property
    def is_bound_to_customer(self) -> bool:
        """Sees only some customers' objects (a customer, a bound partner), if any."""
        return self.customer_keys is not None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


ANONYMOUS = Principal(subject="anonymous", kind=PrincipalKind.ANONYMOUS)
