"""The scope guard on a small schema of its own: what a field needs, and the extra
scope a field may demand while staff act as a customer (paying an invoice, say)."""

import strawberry

from gateway.auth.principal import ANONYMOUS, Principal, PrincipalKind
from resolvers.access import PAYING_AS_CUSTOMER, requires
from resolvers.context import GatewayContext
from resolvers.schema import GatewaySchema


@strawberry.type
class Query:
    @strawberry.field(extensions=requires("payments:write", when_impersonating=PAYING_AS_CUSTOMER))
    def pay(self) -> str | None:
        return "paid"


SCHEMA = GatewaySchema(query=Query)
STAFF = Principal("staff-alice", PrincipalKind.STAFF, frozenset({"payments:write"}))


def run(principal: Principal):
    context = GatewayContext(loaders=None, request_id="test", principal=principal)  # type: ignore[arg-type]
    return SCHEMA.execute_sync("{ pay }", context_value=context)


def acting_as_customer(scopes: set[str]) -> Principal:
    return Principal(
        "Q3VzdG9tZXI6Nw==",
        PrincipalKind.CUSTOMER,
        frozenset(scopes),
        customer_id="Q3VzdG9tZXI6Nw==",
        customer_key="7",
        actor=STAFF,
    )


def test_the_field_runs_with_its_scope():
    assert run(STAFF).data == {"pay": "paid"}


def test_without_the_scope_the_field_is_forbidden_and_names_it():
    result = run(Principal("partner:x", PrincipalKind.PARTNER, frozenset({"orders:write"})))
    assert result.data == {"pay": None}
    assert result.errors[0].message == "pay needs the payments:write scope"


def test_anonymous_requests_are_told_to_authenticate():
    result = run(ANONYMOUS)
    assert "send Authorization: Bearer <token>" in result.errors[0].message


def test_acting_as_a_customer_needs_the_extra_scope():
    refused = run(acting_as_customer({"payments:write"}))
    assert refused.data == {"pay": None}
    assert refused.errors[0].message == (
        "pay while acting as a customer needs the payments:write-impersonated scope"
    )
    allowed = run(acting_as_customer({"payments:write", "payments:write-impersonated"}))
    assert allowed.data == {"pay": "paid"}


def test_the_schema_shows_the_scopes():
    sdl = SCHEMA.as_str()
    assert 'pay: String @requiresScopes(scopes: ["payments:write"])' in sdl
    assert "Acting as a customer also: payments:write-impersonated." in sdl
